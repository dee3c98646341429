"""Finding the rules: the built-in catalog (``guardrails.rules``) walked once."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from guardrails.rule import Rule


@cache
def all_rules() -> tuple[type[Rule], ...]:
    import guardrails.rules as catalog

    found: list[type[Rule]] = []
    for info in pkgutil.walk_packages(catalog.__path__, prefix="guardrails.rules."):
        if info.ispkg:
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


def find(key: str) -> type[Rule] | None:
    """A rule by id (``ED001``, any case) or by kebab name."""
    for rule in all_rules():
        if key.upper() == rule.id or key == rule.name:
            return rule
    return None
