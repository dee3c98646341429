"""Finding the rules: the built-in catalog (``guardrails.rules``), imported only as needed.

Importing every rule module (and the facts they use) costs more than scanning one file, so
a scan works from ``RuleRef`` entries: what a generated index (``rules/_index.py``) knows of
each rule without importing it. A rule is imported when a file of a kind it reads turns up.
The index is checked against the catalog's files (names and sizes) before it is trusted; a
catalog that differs from it (a rule added or edited without regenerating) is imported whole,
so a stale index costs time, never findings. Regenerate with
``python -m guardrails.registry > rules/_index.py`` (a test checks it).
"""

from __future__ import annotations

import importlib
import os
from functools import cache

from guardrails.model import Category, Kind
from guardrails.rule import Rule

INDEX_MODULE = "guardrails.rules._index"


class RuleRef:
    """A rule as the index describes it: enough to select it and to know when it is needed."""

    __slots__ = ("category", "class_name", "id", "kinds", "module", "name", "project_wide", "reads_failures")

    def __init__(
        self,
        id: str,
        name: str,
        category: Category,
        kinds: frozenset[Kind],
        module: str,
        class_name: str,
        project_wide: bool,
        reads_failures: bool,
    ) -> None:
        self.id = id
        self.name = name
        self.category = category
        self.kinds = kinds
        self.module = module
        self.class_name = class_name
        self.project_wide = project_wide
        self.reads_failures = reads_failures

    def load(self) -> type[Rule]:
        loaded: type[Rule] = getattr(importlib.import_module(self.module), self.class_name)
        return loaded

    def __repr__(self) -> str:
        return f"RuleRef({self.id}, {self.module}.{self.class_name})"

    @classmethod
    def of(cls, rule: type[Rule]) -> RuleRef:
        return cls(
            rule.id,
            rule.name,
            rule.category,
            frozenset(rule.kinds),
            rule.__module__,
            rule.__qualname__,
            rule.project_wide,
            rule.reads_failures,
        )


# What Settings.rules holds: imported rule classes (tests, explicit lists) or index entries.
RuleSpec = type[Rule] | RuleRef


def load(spec: RuleSpec) -> type[Rule]:
    return spec.load() if isinstance(spec, RuleRef) else spec


@cache
def all_rules() -> tuple[type[Rule], ...]:
    """Every rule class, importing the whole catalog (explain, rules, docs, tests)."""
    import pkgutil

    import guardrails.rules as catalog

    found: list[type[Rule]] = []
    for info in pkgutil.walk_packages(catalog.__path__, prefix="guardrails.rules."):
        if info.ispkg or info.name.rpartition(".")[2].startswith("_"):
            continue
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, Rule)
                and value.__module__ == module.__name__
                and not value.__dict__.get("abstract", False)
            ):
                found.append(value)
    found.sort(key=lambda r: r.id)
    ids = [r.id for r in found]
    names = [r.name for r in found]
    duplicates = {x for x in ids + names if (ids + names).count(x) > 1}
    if duplicates:
        raise RuntimeError(f"duplicate rule ids or names: {sorted(duplicates)}")
    return tuple(found)


@cache
def catalog() -> tuple[RuleRef, ...]:
    """Every rule, sorted by id, from the index when it matches the catalog's files."""
    try:
        index = importlib.import_module(INDEX_MODULE)
    except ImportError:
        index = None
    if index is not None and catalog_files() == index.FILES:
        return tuple(
            RuleRef(rid, name, Category(category), frozenset(Kind(k) for k in kinds), module, cls, wide, failures)
            for rid, name, category, kinds, module, cls, wide, failures in index.RULES
        )
    return tuple(RuleRef.of(rule) for rule in all_rules())


def catalog_files() -> dict[str, int]:
    """The catalog's rule modules (path relative to the package -> size in bytes)."""
    import guardrails.rules as package

    files: dict[str, int] = {}
    for top in package.__path__:
        pending = [(top, "")]  # (directory, its path relative to top with a trailing "/")
        while pending:
            directory, prefix = pending.pop()
            with os.scandir(directory) as entries:
                for entry in entries:
                    if entry.is_dir():
                        if entry.name != "__pycache__" and not entry.is_symlink():  # as os.walk
                            pending.append((entry.path, f"{prefix}{entry.name}/"))
                    elif entry.name.endswith(".py") and not entry.name.startswith("_"):
                        files[prefix + entry.name] = entry.stat().st_size
    return dict(sorted(files.items()))


def render_index() -> str:
    """The source of ``rules/_index.py`` for the catalog as it is."""
    lines = [
        '"""Generated by `python -m guardrails.registry > rules/_index.py`: do not edit.',
        "",
        "Which module holds each rule and which kinds of file it reads, so that a scan imports only",
        "the rules its files need. FILES is what the index was made from; guardrails ignores the",
        'index when the rule modules on disk differ from it."""',
        "",
        "RULES = (",
    ]
    for rule in all_rules():
        kinds = tuple(sorted(k.value for k in rule.kinds))
        entry = (
            rule.id,
            rule.name,
            rule.category.value,
            kinds,
            rule.__module__,
            rule.__qualname__,
            rule.project_wide,
            rule.reads_failures,
        )
        lines.append(f"    {entry!r},")
    lines.append(")")
    lines.append("")
    lines.append("FILES = {")
    lines.extend(f"    {path!r}: {size}," for path, size in catalog_files().items())
    lines.append("}")
    return "\n".join(lines) + "\n"


def find(key: str) -> type[Rule] | None:
    """A rule by id (``ED001``, any case) or by kebab name."""
    for rule in catalog():
        if key.upper() == rule.id or key == rule.name:
            return rule.load()
    return None


if __name__ == "__main__":  # pragma: no cover - exercised by tests/test_rule_index.py through render_index
    print(render_index(), end="")
