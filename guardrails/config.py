"""Configuration: ``.guardrails.yaml`` or ``[tool.guardrails]`` in ``pyproject.toml``.

The nearest configuration rules each file, as in Ruff: found by walking up from the
file's directory to the repository root, unless ``--config`` names one for every file.
``extend: PATH`` (relative to the file) inherits another configuration, which the keys
given here override (``rules`` per rule; ``exclude``, ``per-path-ignores`` and
``datastores`` add to the inherited ones, each pattern relative to its own file).
Everything is validated before any rule runs: an unknown key, an unknown rule or a
value of the wrong type is a ``ConfigError`` naming the key (exit 2), because a
typo that silently disables nothing is how a gate stops protecting anyone.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from guardrails.model import Category, Severity
from guardrails.records import Record
from guardrails.registry import RuleRef, catalog
from guardrails.selection import matches

YAML_NAMES = (".guardrails.yaml", ".guardrails.yml")
TOP_KEYS = (
    "extend",
    "select",
    "ignore",
    "fail-on",
    "exclude",
    "per-path-ignores",
    "rules",
    "datastores",
    "inline-suppressions",
)
RULE_KEYS = ("enabled", "severity", "options")
DATASTORE_KEYS = {
    "name": str,
    "images": list,
    "ports": list,
    "auth_env": list,
    "auth_env_all": list,
    "open_env": dict,
    "auth_flags": list,
    "secure_by_default": bool,
}


class ConfigError(Exception):
    """Invalid configuration: the message names the file and the key."""


class Config(Record):
    """Validated configuration; paths in ``exclude`` and ``per_path_ignores`` are relative to ``root``."""

    # ``enabled``: rules this file turns back on (`enabled: true`) over an inherited `false`
    # ``given``: the top-level keys this file sets
    # ``parent``: the configuration named by `extend`
    __slots__ = (
        "datastores",
        "disabled",
        "enabled",
        "exclude",
        "fail_on",
        "given",
        "ignore",
        "inline_suppressions",
        "parent",
        "path",
        "per_path_ignores",
        "root",
        "rule_options",
        "select",
        "severity_overrides",
    )

    def __init__(
        self,
        path: Path | None = None,
        root: Path | None = None,
        select: tuple[str, ...] = (),
        ignore: tuple[str, ...] = (),
        fail_on: Severity | None = None,
        exclude: tuple[str, ...] = (),
        per_path_ignores: dict[str, tuple[str, ...]] | None = None,
        severity_overrides: dict[str, Severity] | None = None,
        rule_options: dict[str, dict[str, Any]] | None = None,
        disabled: tuple[str, ...] = (),
        datastores: tuple[Any, ...] = (),
        inline_suppressions: bool = True,
        enabled: tuple[str, ...] = (),
        given: frozenset[str] = frozenset(),
        parent: Config | None = None,
    ) -> None:
        self.path = path
        self.root = root
        self.select = select
        self.ignore = ignore
        self.fail_on = fail_on
        self.exclude = exclude
        self.per_path_ignores: dict[str, tuple[str, ...]] = {} if per_path_ignores is None else per_path_ignores
        self.severity_overrides: dict[str, Severity] = {} if severity_overrides is None else severity_overrides
        self.rule_options: dict[str, dict[str, Any]] = {} if rule_options is None else rule_options
        self.disabled = disabled
        self.datastores = datastores
        self.inline_suppressions = inline_suppressions
        self.enabled = enabled
        self.given = given
        self.parent = parent

    def excluded(self) -> Callable[[Path], bool] | None:
        """Absolute path -> True when ``exclude`` names it (gitignore-style patterns)."""
        inherited = self.parent.excluded() if self.parent is not None else None
        own = self._own_excluded()
        if inherited is None or own is None:
            return own or inherited
        return lambda path: own(path) or inherited(path)

    def _own_excluded(self) -> Callable[[Path], bool] | None:
        if not self.exclude or self.root is None:
            return None
        import pathspec

        spec = pathspec.PathSpec.from_lines("gitwildmatch", self.exclude)
        root = self.root

        def test(path: Path) -> bool:
            rel = _relative(path, root)
            return rel is not None and spec.match_file(rel)

        return test

    def path_ignored(self, cwd: Path) -> Callable[[str, str], bool] | None:
        """(display path, rule id) -> True when ``per-path-ignores`` turns the rule off there."""
        inherited = self.parent.path_ignored(cwd) if self.parent is not None else None
        own = self._own_path_ignored(cwd)
        if inherited is None or own is None:
            return own or inherited
        return lambda display, rule_id: own(display, rule_id) or inherited(display, rule_id)

    def _own_path_ignored(self, cwd: Path) -> Callable[[str, str], bool] | None:
        if not self.per_path_ignores or self.root is None:
            return None
        import pathspec

        specs = [
            (pathspec.PathSpec.from_lines("gitwildmatch", [pattern]), keys)
            for pattern, keys in self.per_path_ignores.items()
        ]
        rules = {r.id: r for r in catalog()}
        root = self.root

        def test(display: str, rule_id: str) -> bool:
            rel = _relative(cwd / display, root)
            rule = rules.get(rule_id)
            if rel is None or rule is None:
                return False
            return any(spec.match_file(rel) and any(matches(rule, k) for k in keys) for spec, keys in specs)

        return test


def _relative(path: Path, root: Path) -> str | None:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return None


# --------------------------------------------------------------------------- finding and reading


def find(start: Path, tables: dict[Path, bool] | None = None) -> Path | None:
    """The nearest configuration file from ``start`` up to the repository root; ``tables``
    remembers which ``pyproject.toml`` files hold a ``[tool.guardrails]`` table (every
    directory of a scan would read the root's again)."""
    from guardrails.discover import real_path
    from guardrails.project import find_root

    start = real_path(start)
    top = find_root(start)
    current = start if start.is_dir() else start.parent
    for directory in (current, *current.parents):
        found = _held_by(directory, tables)
        if found is not None:
            return found
        if directory == top:
            break
    return None


def _held_by(directory: Path, tables: dict[Path, bool] | None) -> Path | None:
    """The configuration file of ``directory`` itself, if any."""
    for name in YAML_NAMES:
        if (directory / name).is_file():
            return directory / name
    pyproject = directory / "pyproject.toml"
    if pyproject.is_file():
        held = tables.get(pyproject) if tables is not None else None
        if held is None:
            held = _has_tool_table(pyproject)
            if tables is not None:
                tables[pyproject] = held
        if held:
            return pyproject
    return None


def _toml() -> Any:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    return tomllib


def _has_tool_table(path: Path) -> bool:
    try:
        data = _toml().loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data.get("tool"), dict) and "guardrails" in data["tool"]


def read(path: Path) -> dict[str, Any]:
    """The raw configuration mapping in ``path`` (YAML, or TOML with ``[tool.guardrails]``)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if path.suffix == ".toml":
        try:
            data = _toml().loads(text)
        except ValueError as exc:
            raise ConfigError(f"{path}: invalid TOML: {exc}") from None
        if path.name == "pyproject.toml" or "tool" in data:
            data = data.get("tool", {}).get("guardrails", {})
    else:
        from guardrails.yaml_lib import yaml

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            # Problem and position only: PyYAML's own text quotes the offending line, which in a
            # file given by mistake (an .env) is a secret.
            mark = getattr(exc, "problem_mark", None)
            where = f":{mark.line + 1}:{mark.column + 1}" if mark is not None else ""
            problem = getattr(exc, "problem", None) or "not YAML"
            raise ConfigError(f"{path}{where}: invalid YAML: {problem}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of settings, got {type(data).__name__}")
    return data


def load(explicit: Path | None, start: Path) -> Config:
    """The validated configuration: ``explicit`` if given, else the nearest one, else defaults."""
    path = explicit if explicit is not None else find(start)
    if path is None:
        return Config()
    if explicit is not None and not path.is_file():
        raise ConfigError(f"{path}: no such configuration file")
    return load_file(path)


def load_file(path: Path, seen: tuple[Path, ...] = ()) -> Config:
    """The configuration in ``path``, with what it ``extend``s."""
    real = path.resolve()
    if real in seen:
        raise ConfigError(f"{path}: extend: a cycle ({' -> '.join(str(p) for p in (*seen, real))})")
    data = read(path)
    config = validate(data, path)
    if "extend" in data:
        where = f"{path.name}: extend"
        if not isinstance(data["extend"], str):
            raise ConfigError(f"{where}: expected the path of a configuration file")
        base = path.parent / data["extend"]
        if not base.is_file():
            raise ConfigError(f"{where}: {data['extend']}: no such configuration file")
        config = inherit(config, load_file(base, (*seen, real)))
    return config


def inherit(child: Config, parent: Config) -> Config:
    """``child`` over ``parent``: the keys the child sets win; rules merge per rule."""
    given = child.given
    merged = Config(
        path=child.path,
        root=child.root,
        select=child.select if "select" in given else parent.select,
        ignore=child.ignore if "ignore" in given else parent.ignore,
        fail_on=child.fail_on if "fail-on" in given else parent.fail_on,
        exclude=child.exclude,
        per_path_ignores=child.per_path_ignores,
        severity_overrides={**parent.severity_overrides, **child.severity_overrides},
        rule_options={
            rule: {**parent.rule_options.get(rule, {}), **child.rule_options.get(rule, {})}
            for rule in {*parent.rule_options, *child.rule_options}
        },
        disabled=tuple(
            dict.fromkeys(
                r for r in (*parent.disabled, *child.disabled) if r not in child.enabled or r in child.disabled
            )
        ),
        datastores=(*parent.datastores, *child.datastores),
        inline_suppressions=(
            child.inline_suppressions if "inline-suppressions" in given else parent.inline_suppressions
        ),
        enabled=child.enabled,
        given=given | parent.given,
        parent=parent,
    )
    return merged


class Resolver:
    """The configuration of each file: the nearest one (memoised per directory), or the one
    ``--config`` names for all."""

    def __init__(self, explicit: Path | None, top: Path) -> None:
        self.explicit = load(explicit, top) if explicit is not None else None
        self.top = top
        self._by_dir: dict[Path, Path | None] = {}
        self._by_real: dict[Path, Path | None] = {}
        self._roots: dict[Path, Path | None] = {}
        self._loaded: dict[Path, Config] = {}
        self._tables: dict[Path, bool] = {}

    def for_path(self, path: Path) -> Config:
        return self.for_directory(path if path.is_dir() else path.parent)

    def for_directory(self, directory: Path) -> Config:
        """The configuration of the files in ``directory`` (a discovered file's parent: no need
        to ask the file system whether the file is a directory, once per file)."""
        if self.explicit is not None:
            return self.explicit
        found = self._nearest(directory)
        if found is None:
            return self._loaded.setdefault(Path(), Config())
        if found not in self._loaded:
            self._loaded[found] = load_file(found)
        return self._loaded[found]

    def _nearest(self, directory: Path) -> Path | None:
        if directory not in self._by_dir:
            from guardrails.discover import real_path

            real = real_path(directory)
            self._by_dir[directory] = self._nearest_real(real) if real.is_dir() else find(directory, self._tables)
        return self._by_dir[directory]

    def _nearest_real(self, directory: Path) -> Path | None:
        """``find`` for a real directory, answered from its parent's answer: a scan of a thousand
        directories asked each of them again about every directory above it (and ``find_root``
        about every ``.git`` up to ``/``)."""
        if directory in self._by_real:
            return self._by_real[directory]
        found = _held_by(directory, self._tables)
        if found is None:
            from guardrails.project import git_root

            root = git_root(directory, self._roots)
            if root is not None and root != directory:  # then the parent's repository root is this one's
                found = self._nearest_real(directory.parent)
        self._by_real[directory] = found
        return found


# --------------------------------------------------------------------------- validation


def _unknown(key: str, choices: tuple[str, ...] | list[str], where: str) -> ConfigError:
    import difflib  # only for a configuration with a mistake in it

    close = difflib.get_close_matches(key, list(choices), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else f" (known: {', '.join(choices)})"
    return ConfigError(f"{where}: unknown key {key!r}{hint}")


def _string_list(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: expected a list of strings, got {type(value).__name__}")
    return tuple(value)


def _selection(value: Any, where: str) -> tuple[str, ...]:
    keys = _string_list(value, where)
    categories = {c.value for c in Category}
    for key in keys:
        if key not in categories and not any(matches(r, key) for r in catalog()):
            raise ConfigError(f"{where}: unknown rule or category {key!r}; `guardrails rules` lists them")
    return keys


def _rule(key: str, where: str) -> RuleRef:
    for rule in catalog():
        if key.upper() == rule.id or key == rule.name:
            return rule
    import difflib

    names = [r.id for r in catalog()] + [r.name for r in catalog()]
    close = difflib.get_close_matches(key, names, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise ConfigError(f"{where}: unknown rule {key!r}{hint}; `guardrails rules` lists them")


def _severity(value: Any, where: str) -> Severity:
    if not isinstance(value, str):
        raise ConfigError(f"{where}: expected a severity name, got {type(value).__name__}")
    try:
        return Severity.parse(value)
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from None


def validate(data: dict[str, Any], path: Path) -> Config:
    name = path.name if path.name != "pyproject.toml" else "pyproject.toml [tool.guardrails]"
    config = Config(path=path, root=path.parent.resolve(), given=frozenset(str(k) for k in data))
    for key in data:
        if key not in TOP_KEYS:
            raise _unknown(str(key), TOP_KEYS, f"{name}")
    if "select" in data:
        config.select = _selection(data["select"], f"{name}: select")
    if "ignore" in data:
        config.ignore = _selection(data["ignore"], f"{name}: ignore")
    if "fail-on" in data:
        config.fail_on = _severity(data["fail-on"], f"{name}: fail-on")
    if "exclude" in data:
        config.exclude = _string_list(data["exclude"], f"{name}: exclude")
    if "inline-suppressions" in data:
        if not isinstance(data["inline-suppressions"], bool):
            raise ConfigError(f"{name}: inline-suppressions: expected true or false")
        config.inline_suppressions = data["inline-suppressions"]
    ignores = data.get("per-path-ignores", {})
    if not isinstance(ignores, dict):
        raise ConfigError(f"{name}: per-path-ignores: expected a mapping of path pattern to rules")
    for pattern, keys in ignores.items():
        config.per_path_ignores[str(pattern)] = _selection(keys, f"{name}: per-path-ignores.{pattern}")
    _rules(data.get("rules", {}), config, name)
    config.datastores = _datastores(data.get("datastores", []), name)
    return config


def _rules(section: Any, config: Config, name: str) -> None:
    if not isinstance(section, dict):
        raise ConfigError(f"{name}: rules: expected a mapping of rule id to settings")
    disabled: list[str] = []
    enabled: list[str] = []
    for key, settings in section.items():
        where = f"{name}: rules.{key}"
        rule = _rule(str(key), where)
        if not isinstance(settings, dict):
            raise ConfigError(f"{where}: expected a mapping with {', '.join(RULE_KEYS)}")
        for sub in settings:
            if sub not in RULE_KEYS:
                raise _unknown(str(sub), RULE_KEYS, where)
        if "enabled" in settings:
            if not isinstance(settings["enabled"], bool):
                raise ConfigError(f"{where}.enabled: expected true or false")
            (enabled if settings["enabled"] else disabled).append(rule.id)
        if "severity" in settings:
            config.severity_overrides[rule.id] = _severity(settings["severity"], f"{where}.severity")
        options = settings.get("options", {})
        if not isinstance(options, dict):
            raise ConfigError(f"{where}.options: expected a mapping of option name to value")
        declared = rule.load().options if options else {}
        for option, value in options.items():
            if option not in declared:
                if not declared:
                    raise ConfigError(f"{where}.options: {rule.id} takes no options (got {option!r})")
                raise _unknown(str(option), list(declared), f"{where}.options")
            try:
                validated = declared[option].validate(value, f"{where}.options.{option}")
            except ValueError as exc:
                raise ConfigError(str(exc)) from None
            config.rule_options.setdefault(rule.id, {})[option] = validated
    config.disabled = tuple(disabled)
    config.enabled = tuple(enabled)


def _datastores(section: Any, name: str) -> tuple[Any, ...]:
    """Extra datastore families: every field of ``Datastore`` (docs/datastores.md), the common
    ones type-checked here, the rest by ``Datastore.from_config``."""
    from guardrails.facts.datastores import Datastore

    if not isinstance(section, list):
        raise ConfigError(f"{name}: datastores: expected a list of datastore entries")
    fields = tuple(Datastore._fields)
    stores = []
    for index, entry in enumerate(section):
        where = f"{name}: datastores[{index}]"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where}: expected a mapping with name, images and ports")
        for key in ("name", "images", "ports"):
            if key not in entry:
                raise ConfigError(f"{where}: missing {key!r}")
        for key, value in entry.items():
            if key not in fields:
                raise _unknown(str(key), fields, where)
            expected = DATASTORE_KEYS.get(key)
            if expected is not None and not isinstance(value, expected):
                raise ConfigError(f"{where}.{key}: expected {expected.__name__}, got {type(value).__name__}")
        if not all(isinstance(p, int) and not isinstance(p, bool) and 0 < p < 65536 for p in entry["ports"]):
            raise ConfigError(f"{where}.ports: expected a list of port numbers (1-65535)")
        for key in ("images", "auth_env", "auth_env_all", "auth_flags"):
            if key in entry and not all(isinstance(v, str) for v in entry[key]):
                raise ConfigError(f"{where}.{key}: expected a list of strings")
        try:
            stores.append(Datastore.from_config(entry))
        except (ValueError, TypeError) as exc:
            raise ConfigError(f"{where}: {exc}") from None
    return tuple(stores)
