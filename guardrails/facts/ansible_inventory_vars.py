"""The variables inventories and ``group_vars/``/``host_vars/`` directories give a task's hosts,
layered over its role's defaults as Ansible layers them (Ansible documentation,
"Understanding variable precedence"; ansible-core's ``VariableManager.get_vars`` and its
``host_group_vars`` plugin), lowest first:

1. role defaults;
2. an inventory file's ``all`` group vars, then its other groups' vars;
3. inventory ``group_vars/all``, then playbook ``group_vars/all``;
4. inventory, then playbook, ``group_vars/<group>``;
5. an inventory file's host vars, inventory ``host_vars/<host>``, playbook ``host_vars/<host>``.

A ``group_vars/`` or ``host_vars/`` directory holds files ``<name>``, ``<name>.yml``,
``<name>.yaml``, ``<name>.json`` or a directory ``<name>/`` of such files. The playbook's are the
ones beside the playbook (for a role: beside the ``roles/`` directory it is in). An inventory's
are beside the inventory, which a run names (``-i``): every other such directory under the
Ansible tree (the nearest directory at or above it with an ``ansible.cfg``, else the playbook's
directory) may be the one, and so may every INI or YAML inventory there: one its name or place
says is an inventory, one the tree's ``ansible.cfg`` names (``[defaults] inventory``), or an
extension-less file at the top of the tree with an INI section (Ansible's sample layout keeps
``production`` and ``staging`` there). Molecule scenarios
(``molecule/``) are test runs, not deployments: left out.

Playbook ``group_vars/all`` applies to every host, whatever the inventory: what it sets is known,
and hides the lower levels. Below it every run may pick another inventory, so a value is
known only when every definition of the name at every level agrees; the levels above it
(other groups, hosts) may differ per host, so there too every definition must agree. Otherwise
the name is unknown: nothing is guessed. A file that cannot be read (vault-encrypted, not a
mapping) may set any name: at the host and group levels, or as playbook ``group_vars/all``,
every name of these levels is then unknown; as inventory ``group_vars/all``, every name the
playbook's ``group_vars/all`` does not set. A name starting with ``ansible_`` that these
levels set is unknown: such names are connection settings and gathered facts, which rank above
all of these (a role default of such a name alone stays known). A file directly in
``group_vars/`` or ``host_vars/`` named for no group or host of the tree's inventories
(``group_vars/README``) is left out, as Ansible leaves it, when every inventory found names
all its groups and hosts.
"""

from __future__ import annotations

import configparser
import os
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import TypeVar

from guardrails.documents import InventoryDocument, TreeDocument
from guardrails.model import Kind, Node
from guardrails.project import Project
from guardrails.records import Frozen

T = TypeVar("T")
Definition = tuple[Node, str]  # the value as written, and the file and line that set it
Defined = dict[str, Definition]

_VARS_DIRECTORIES = ("group_vars", "host_vars")
# ansible-core's YAML_FILENAME_EXTENSIONS: what host_group_vars loads.
_EXTENSIONS = ("", ".yml", ".yaml", ".json")
_YAML_INVENTORY_NAMES = frozenset({"hosts.yml", "hosts.yaml", "inventory.yml", "inventory.yaml"})
_INVENTORY_DIRECTORIES = frozenset({"inventory", "inventories"})
_LEFT_OUT = frozenset({"molecule"})
# ansible-core's INVENTORY_IGNORE_EXTS: files of an inventory directory it does not read.
_IGNORED_IN_DIRECTORIES = (
    ".pyc",
    ".pyo",
    ".swp",
    ".bak",
    "~",
    ".rpm",
    ".md",
    ".txt",
    ".rst",
    ".orig",
    ".ini",
    ".cfg",
    ".retry",
)
# Facts rank above every level read here (``ansible_`` names, ``INJECT_FACTS_AS_VARS``).
_FACT_PREFIX = "ansible_"
# The groups every inventory has.
_IMPLICIT_GROUPS = frozenset({"all", "ungrouped"})
# How deep two values are compared; deeper ones are taken as different (unknown).
_MAX_DEPTH = 32


class Levels(Frozen):
    """What one Ansible tree's inventories and vars directories set: ``playbook_all`` (playbook
    ``group_vars/all``: every host), ``below`` (every other definition up to inventory
    ``group_vars/all``, per name), ``above`` (groups and hosts, per name); and where a file
    that cannot be read hides every name (``hides_all``) or those of the levels below
    playbook ``group_vars/all`` (``hides_below``)."""

    playbook_all: Defined
    below: dict[str, list[Definition]]
    above: dict[str, list[Definition]]
    hides_all: bool
    hides_below: bool


def layered(defaults: Defined, directory: PurePosixPath, project: Project) -> Defined:
    """The variables known for every host a task of the playbook directory ``directory`` runs
    on: its role's ``defaults`` under the inventory levels (see the module's note). A name left
    out is unknown."""
    levels = _levels(directory, project)
    if levels.hides_all:
        return {}
    defined: Defined = {}
    for name in {*defaults, *levels.playbook_all, *levels.below, *levels.above}:
        inventory_set = name in levels.playbook_all or name in levels.below or name in levels.above
        if name.startswith(_FACT_PREFIX) and inventory_set:
            continue
        if name in levels.playbook_all:
            candidates = [levels.playbook_all[name]]
        elif levels.hides_below:
            continue
        else:
            candidates = [*levels.below.get(name, ()), *([defaults[name]] if name in defaults else ())]
        candidates.extend(levels.above.get(name, ()))
        first = candidates[0]
        if all(same(first[0], other[0]) for other in candidates[1:]):
            defined[name] = first
    return defined


def same(a: Node, b: Node, depth: int = 0) -> bool:
    """Two values are the same as Ansible renders them (a scalar by its text)."""
    if depth > _MAX_DEPTH or a.kind != b.kind:
        return False
    if a.is_scalar:
        return a.text == b.text
    if a.is_seq:
        pairs = zip(a.value, b.value, strict=False)
        return len(a.value) == len(b.value) and all(same(x, y, depth + 1) for x, y in pairs)
    left, right = {k: v for k, _, v in a.items()}, {k: v for k, _, v in b.items()}
    return left.keys() == right.keys() and all(same(v, right[k], depth + 1) for k, v in left.items())


def ansible_tree(directory: PurePosixPath, project: Project) -> PurePosixPath:
    """The directory whose inventories may serve a playbook of ``directory``: the nearest one
    at or above it with an ``ansible.cfg`` (inside the project), else ``directory`` itself."""
    key = ("ansible-tree", str(directory))
    found: PurePosixPath | None = project.cache.get(key)
    if found is None:
        found = directory
        for candidate in (directory, *directory.parents):
            if candidate.parts[:1] == ("..",):
                break
            if project.read_bytes(project.cwd / candidate / "ansible.cfg") is not None:
                found = candidate
                break
        project.cache[key] = found
    return found


def _levels(directory: PurePosixPath, project: Project) -> Levels:
    """Built once per scan and playbook directory (a role's check reads it through its group's
    cache, which lives for one directory only)."""
    tree = ansible_tree(directory, project)
    key = ("ansible-inventory-levels", str(project.root), str(project.cwd), str(directory), str(tree))
    return project.repository_fact(key, lambda: _read_levels(directory, tree, project))


def _read_levels(directory: PurePosixPath, tree: PurePosixPath, project: Project) -> Levels:
    playbook_all: Defined = {}
    below: dict[str, list[Definition]] = {}
    above: dict[str, list[Definition]] = {}
    hides_all = hides_below = False
    named = _configured_inventories(tree, project)
    vars_files: list[tuple[PurePosixPath, int]] = []
    names_of: list[frozenset[str] | None] = []  # the groups and hosts of each inventory
    for path in _tree_files(tree, named, project):
        parts = path.parts
        place = next((i for i in range(len(parts) - 2, -1, -1) if parts[i] in _VARS_DIRECTORIES), None)
        if place is not None:
            vars_files.append((path, place))
            continue
        how = _how_read(path, tree, named)
        key = ("ansible-inventory", str(path), how or "")
        inventory = _once(project, key, lambda p=path, h=how: _inventory(p, project, h)) if how else None
        if inventory is None:
            continue
        variables, names = inventory
        names_of.append(names)
        for of_group, name, definition in variables:
            (below if of_group else above).setdefault(name, []).append(definition)
    # Only an inventory that names every group and host tells a vars file of no group or host.
    known = None if not names_of or None in names_of else set().union(*names_of)
    for path, place in vars_files:
        parts = path.parts
        if not path.name.endswith(_EXTENSIONS[1:]) and "." in path.name:
            continue  # host_group_vars loads no other extension (``all.example``)
        entity = PurePosixPath(parts[place + 1]).stem if place + 2 == len(parts) else parts[place + 1]
        if place + 2 == len(parts) and known is not None and entity not in known and entity not in _IMPLICIT_GROUPS:
            continue  # ``group_vars/README``: no inventory here has such a group or host
        every = parts[place] == "group_vars" and entity == "all"
        mine = PurePosixPath(*parts[:place]) == directory
        values = _once(project, ("ansible-vars-file", str(path)), lambda path=path: _vars_file(path, project))
        if values is None:
            if every and mine:
                hides_all = True
            elif every:
                hides_below = True
            else:
                hides_all = True
            continue
        for name, definition in values.items():
            if every and mine:
                playbook_all[name] = definition
            else:
                (below if every else above).setdefault(name, []).append(definition)
    return Levels(playbook_all, below, above, hides_all, hides_below)


def _tree_files(tree: PurePosixPath, named: tuple[PurePosixPath, ...], project: Project) -> list[PurePosixPath]:
    """The vars files and inventory candidates under ``tree`` and the inventories ``named`` by
    its ``ansible.cfg`` (files, or directories of them), as display paths, from the scan's
    listing of the repository (read once per scan)."""

    def build() -> tuple[list[str], list[str]]:
        found, every = [], []
        for path in project.walk(("",)):
            display = project.display_of(path)
            parts = PurePosixPath(display).parts
            if any(part in _LEFT_OUT for part in parts[:-1]):
                continue
            every.append(display)
            if any(part in _VARS_DIRECTORIES for part in parts[:-1]) or _inventory_candidate(display):
                found.append(display)
            elif "." not in parts[-1]:
                found.append(display)  # perhaps an inventory at the top of a tree (``production``)
        return found, every

    files, every = project.repository_fact(("ansible-inventory-files", str(project.root), str(project.cwd)), build)
    prefix = "" if str(tree) == "." else f"{tree}/"
    chosen = [f for f in files if f.startswith(prefix) and not f.startswith("../")]
    if named:
        seen = set(chosen)
        for f in every:
            path = PurePosixPath(f)
            if f not in seen and any(path == n or n in path.parents for n in named):
                chosen.append(f)
    return [PurePosixPath(f) for f in chosen]


def _configured_inventories(tree: PurePosixPath, project: Project) -> tuple[PurePosixPath, ...]:
    """The inventories the ``[defaults] inventory`` of ``tree``'s ``ansible.cfg`` names: paths,
    comma-separated, relative to the file (ansible-core's ``DEFAULT_HOST_LIST``, a
    ``pathlist``). A path outside the project, or one that needs expanding (``~``, ``$HOME``),
    is left out; so is every one of a file that ``configparser`` cannot read (nor can Ansible)."""
    raw = project.read_bytes(project.cwd / tree / "ansible.cfg")
    if raw is None:
        return ()
    parser = configparser.ConfigParser(interpolation=None, inline_comment_prefixes=(";",))
    try:
        parser.read_string(raw.decode("utf-8"))
        value = parser.get("defaults", "inventory", fallback="")
    except (configparser.Error, UnicodeDecodeError):
        return ()
    found = []
    for written in value.split(","):
        written = written.strip()
        if not written or written.startswith(("/", "~")) or any(c in written for c in "$%{"):
            continue
        path = PurePosixPath(os.path.normpath(tree / written))
        if path.parts[:1] != ("..",):
            found.append(path)
    return tuple(found)


def _how_read(path: PurePosixPath, tree: PurePosixPath, named: tuple[PurePosixPath, ...]) -> str | None:
    """How a file that is no vars file is read as an inventory: ``named`` (by ``ansible.cfg``),
    ``place`` (its name or place says inventory), ``top`` (an extension-less file at the top of
    the tree, as in Ansible's sample layout: only when it has an INI section or is a YAML
    inventory); None: not at all (a file an inventory directory holds that Ansible skips, by
    its ``INVENTORY_IGNORE_EXTS``, or an extension-less file elsewhere)."""
    if any(path == n or n in path.parents for n in named):
        return "named" if path in named or not path.name.endswith(_IGNORED_IN_DIRECTORIES) else None
    if _inventory_candidate(str(path)):
        return "place"
    return "top" if path.parent == tree and "." not in path.name else None


def _inventory_candidate(display: str) -> bool:
    from guardrails.detect import inventory_place

    path = PurePosixPath(display)
    lower = path.name.lower()
    if lower in _YAML_INVENTORY_NAMES:
        return True
    if lower.endswith((".yml", ".yaml")):
        return any(part.lower() in _INVENTORY_DIRECTORIES for part in path.parts[:-1])
    return inventory_place(display) is not None


def _once(project: Project, key: tuple[str, ...], build: Callable[[], T]) -> T:
    """``build()`` once per scan: a file every playbook directory of its tree reads."""
    return project.repository_fact((*key, str(project.root), str(project.cwd)), lambda: (build(),))[0]


def _vars_file(path: PurePosixPath, project: Project) -> Defined | None:
    return vars_file(project.cwd / path, project)


def vars_file(path: Path, project: Project) -> Defined | None:
    """The variables of one vars file (``group_vars/``, ``host_vars/``, a play's ``vars_files:``);
    None when it cannot be read (vault-encrypted, not a mapping: it may set any name). An empty
    file sets nothing, as Ansible reads it."""
    doc = project.parse_as(path, Kind.YAML)
    if not isinstance(doc, TreeDocument) or len(doc.roots) > 1:
        return None
    if not doc.roots or (doc.roots[0].is_scalar and doc.roots[0].value is None):
        return {}
    return mapping(doc.roots[0], doc.path) if doc.roots[0].is_map else None


def mapping(node: Node | None, path: str) -> Defined:
    """The variables a ``vars:`` mapping sets, each with its file and line (none when ``node``
    is no mapping)."""
    if node is None or not node.is_map:
        return {}
    return {key: (value, f"{path}:{value.span.line}") for key, _, value in node.items()}


Inventory = tuple[list[tuple[bool, str, Definition]], frozenset[str] | None]


def _inventory(path: PurePosixPath, project: Project, how: str) -> Inventory | None:
    """What an INI or YAML inventory sets: (set for a group, name, definition), group vars rank
    below ``group_vars/all``, host vars above it; and the names of its groups and hosts (None
    when they are not all written out: a host range ``web[01:10]``, an INI ``:children``
    section). None for a file that is neither. ``how``: see ``_how_read``."""
    if how == "place" and not path.name.lower().endswith((".yml", ".yaml")):
        ini = project.document(Path(project.cwd / path))
        if isinstance(ini, InventoryDocument):
            return _ini_inventory(ini)
    doc = project.parse_as(project.cwd / path, Kind.YAML)  # a YAML inventory, whatever its name
    if isinstance(doc, TreeDocument) and len(doc.roots) == 1 and _is_yaml_inventory(doc.roots[0]):
        found: list[tuple[bool, str, Definition]] = []
        names: set[str] = set()
        for group, _, body in doc.roots[0].items():
            names.add(group)
            _yaml_group(body, doc.path, found, names, 0)
        return found, None if any("[" in name for name in names) else frozenset(names)
    if how == "place":
        return None
    ini = project.parse_as(project.cwd / path, Kind.ANSIBLE_INVENTORY)
    if not isinstance(ini, InventoryDocument) or (how == "top" and not ini.sections):
        return None
    return _ini_inventory(ini)


def _ini_inventory(ini: InventoryDocument) -> Inventory:
    variables = [
        (not v.host, v.key, (Node("scalar", v.value, v.span), f"{ini.path}:{v.span.line}")) for v in ini.variables
    ]
    names = {group for group, _, _ in ini.sections} | {host for _, host, _ in ini.hosts}
    unclear = any(state == "children" for _, state, _ in ini.sections) or any("[" in name for name in names)
    return variables, None if unclear else frozenset(names)


def _is_yaml_inventory(root: Node) -> bool:
    """A YAML inventory: a mapping of groups, each a mapping of ``hosts``/``children``/``vars``."""
    groups = list(root.items())
    return bool(groups) and all(
        (body.is_scalar and body.value is None)
        or (body.is_map and all(k in ("hosts", "children", "vars") for k, _, _ in body.items()))
        for _, _, body in groups
    )


def _yaml_group(body: Node, path: str, found: list[tuple[bool, str, Definition]], names: set[str], depth: int) -> None:
    if not body.is_map or depth > _MAX_DEPTH:
        return
    variables = body.get("vars")
    for name, definition in mapping(variables, path).items():
        found.append((True, name, definition))
    hosts = body.get("hosts")
    for host_name, _, host in hosts.items() if hosts is not None else ():
        names.add(host_name)
        for name, definition in mapping(host, path).items():
            found.append((False, name, definition))
    children = body.get("children")
    for group, _, inner in children.items() if children is not None else ():
        names.add(group)
        _yaml_group(inner, path, found, names, depth + 1)
