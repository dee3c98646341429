"""The variables a reviewer resolves in a task, in Ansible's order of precedence (Ansible
documentation, "Understanding variable precedence"), lowest first:

- its role's ``defaults/main.yml`` (a role is the directory above a ``tasks/`` or ``handlers/``
  directory), under the variables of its playbook's inventories and ``group_vars/`` and
  ``host_vars/`` directories (``facts/ansible_inventory_vars.py``: known when every host gets
  the same value, unknown when a group, a host or the inventory a run picks may change it);
- its play's ``vars:``, then each of its ``vars_files:`` (relative to the playbook), then the
  names of its ``vars_prompt:`` (asked at run time: unknown);
- its role's ``vars/main.yml``;
- the ``vars:`` of the blocks it is in, outermost first, then its own ``vars:``;
- what earlier tasks of its play or file set at run time: ``include_vars`` (any name: every
  variable becomes unknown), ``set_fact`` and ``register`` (those names become unknown);
- the ``vars:`` of the tasks that include its file (include parameters: unknown).

``--extra-vars`` are not read: they change per run. A value is judged as the repository ships
it, the way a Terraform module's variable default is, and a finding names where it comes from.
A ``vars_files:`` entry that cannot be read (a templated path, a missing or vault-encrypted
file) may set any name: every variable below it becomes unknown; an empty one sets nothing. Vars
files are read as ``facts/ansible_inventory_vars.py`` reads ``group_vars/`` files.

Only templates of literal text and variable names are rendered (``{{ bind_addr }}:{{ port }}``),
names included that read into a mapping or a list (``{{ redis.port }}``,
``{{ redis['password'] }}``, ``{{ hosts[0] }}``; ``a.b`` where ``b`` is a mapping's own method,
``items`` or ``keys``, is that method in Jinja: unknown). A filter, a test, an expression, a name
defined nowhere read here, a variable that refers to itself, or a value longer than
``_MAX_LENGTH`` is unknown, and so is a value tagged ``!vault`` (ciphertext); one tagged
``!unsafe`` is its text, never rendered. Jinja only parses; nothing is run.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any

from guardrails.documents import ShellDocument, TreeDocument
from guardrails.facts.ansible import Task, includers, is_playbook, task_of, tasks
from guardrails.facts.ansible_inventory_vars import Defined, Definition, layered, mapping, vars_file
from guardrails.facts.ansible_keywords import short_name
from guardrails.model import Document, Kind, Node
from guardrails.project import Project
from guardrails.records import Frozen

# A rendered value longer than this is unknown: templates can nest to sizes no rule reads.
_MAX_LENGTH = 4096
_TASK_DIRECTORIES = ("tasks", "handlers")
# Where a role's variables are.
_DEFAULTS = ("defaults/main.yml", "defaults/main.yaml")
_VARS = ("vars/main.yml", "vars/main.yaml")
# Tasks that set variables at run time, above every vars: read here.
_SETS_ANY = frozenset({"include_vars"})
_SETS_NAMED = frozenset({"set_fact"})

Lookup = Callable[[str], "Definition | None"]  # a variable's value and where it is set; None: unknown


class Resolved(Frozen):
    """A value: the node that holds it (a list or mapping as written, or a scalar rendered to
    ``text``), and where the variable it came from is set (``roles/db/defaults/main.yml:4``;
    '' when the value was written where it is used); ``sources``: where every variable it was
    rendered with is set, in order (``source`` is the first)."""

    node: Node
    text: str
    source: str
    sources: tuple[str, ...] = ()


class Variables:
    """Variables, each with the file and line that sets it; each is rendered once. They are
    gathered (``gather``) only when a template first asks: most arguments are written as they are."""

    def __init__(self, gather: Callable[[], Lookup]) -> None:
        self._gather = gather
        self._lookup: Lookup | None = None
        self._rendered: dict[tuple[str | int, ...], Resolved | None] = {}

    def scalar(self, node: Node | None) -> Resolved | None:
        """``node`` rendered to text; None when absent, unknown, a list or a mapping."""
        found = self.resolve(node)
        return found if found is not None and found.node.is_scalar else None

    def resolve(self, node: Node | None) -> Resolved | None:
        """``node`` with its templates rendered; None when absent or unknown."""
        if node is None or (node.is_scalar and node.value is None):
            return None
        if not node.is_scalar:
            return Resolved(node, "", "")
        if node.tag == "!vault":
            return None  # ciphertext: the value is decrypted at run time
        text = node.text
        if node.tag == "!unsafe":
            return Resolved(node, text, "")  # Ansible renders no template in it
        if "{{" not in text and "{%" not in text:
            return Resolved(node, text, "")
        parts = _parts(text)
        if parts is None:
            return None
        if len(parts) == 1 and isinstance(parts[0], tuple):  # the whole value is one variable: it may be a list
            return self._variable(parts[0])
        rendered: list[str] = []
        sources: dict[str, None] = {}
        for piece in parts:
            if isinstance(piece, str):
                rendered.append(piece)
                continue
            found = self._variable(piece)
            if found is None or not found.node.is_scalar:
                return None
            rendered.append(found.text)
            sources.update(dict.fromkeys(found.sources))
        joined = "".join(rendered)
        first = next(iter(sources), "")
        return Resolved(node, joined, first, tuple(sources)) if len(joined) <= _MAX_LENGTH else None

    def _variable(self, path: tuple[str | int, ...]) -> Resolved | None:
        """A variable (``redis``) or a value inside one (``redis.port``, ``redis['password']``,
        ``hosts[0]``), rendered."""
        if path in self._rendered:
            return self._rendered[path]  # None while it is being rendered: a loop is unknown
        self._rendered[path] = None
        if len(path) == 1:
            if self._lookup is None:
                self._lookup = self._gather()
            defined = self._lookup(str(path[0]))
            node, source = defined if defined is not None else (None, "")
        else:
            outer = self._variable(path[:-1])
            node = _member(outer.node, path[-1]) if outer is not None else None
            source = _line_of(outer.source, node) if outer is not None and node is not None else ""
        inner = self.resolve(node) if node is not None else None
        found = None
        if inner is not None:
            sources = inner.sources or ((source,) if source else ())
            found = Resolved(inner.node, inner.text, inner.source or source, sources)
        self._rendered[path] = found
        return found


def _member(node: Node, step: str | int) -> Node | None:
    """``node[step]``: a mapping's key, or a list's index."""
    if isinstance(step, int):
        items = node.elements()
        return items[step] if node.is_seq and 0 <= step < len(items) else None
    return node.get(step) if node.is_map else None


def _line_of(source: str, node: Node) -> str:
    """The place of a value inside a variable set at ``source`` (``group_vars/all:343``): the
    same file, the value's own line."""
    return f"{source.rpartition(':')[0]}:{node.span.line}" if source else ""


def task_variables(doc: Document, task: Task, project: Project) -> Variables:
    """The variables of ``task`` (see the module's note), read when a template asks."""
    return Variables(lambda: _gather(doc, task, project))


def _gather(doc: Document, task: Task, project: Project) -> Lookup:
    """Every level above the inventories, gathered now; the inventories (a whole tree of files)
    only for a name no higher level sets."""
    defaults, role_vars = _role_variables(doc, project)
    play, hides_lower = _play_variables(doc, task.flow, project)
    upper: Defined = {**play, **role_vars}
    for scope in (*task.blocks, task.node):
        upper.update(mapping(scope.get("vars"), doc.path))
    hidden: set[str] = set()
    for flow, index, names in _set_at_run_time(doc, project):
        if flow != task.flow or index >= task.index:
            continue
        if names is None:
            return lambda _: None
        hidden.update(names)
    for _, including in _includers(doc, project):
        hidden.update(mapping(including.node.get("vars"), ""))

    def lookup(name: str) -> Definition | None:
        if name in hidden:
            return None
        if name in upper:
            return upper[name]
        return None if hides_lower else _inventory_layer(doc, defaults, project).get(name)

    return lookup


def placeholder_value(doc: ShellDocument, name: str, project: Project) -> Resolved | None:
    """The value of the shell parameter ``name`` that stands for a Jinja expression of the
    Ansible task running ``doc`` (``guardrails.embedded``), rendered with the task's variables;
    None when ``doc`` is no such script or the value is unknown."""
    template = doc.interpolations.get(name)
    host = doc.parent
    if template is None or host is None or doc.host_task is None:
        return None
    task = task_of(host, doc.host_task)
    if task is None:
        return None
    return task_variables(host, task, project).scalar(Node("scalar", template, doc.host_task.span))


def elements(node: Node | None) -> list[Node]:
    """A list's elements; a single value is a list of one (as Ansible reads a list argument)."""
    if node is None:
        return []
    return node.elements() if node.is_seq else [node]


def _set_at_run_time(doc: Document, project: Project) -> list[tuple[int, int, frozenset[str] | None]]:
    """The tasks of ``doc`` that set variables when they run: (flow, index, the names they set;
    None for any name), read once per document."""
    key = ("ansible-run-time-variables", doc.path)
    found: list[tuple[int, int, frozenset[str] | None]] | None = project.cache.get(key)
    if found is not None:
        return found
    found = []
    for task in tasks(doc):
        module = short_name(task.key)
        names: set[str] = set()
        if module in _SETS_ANY:
            found.append((task.flow, task.index, None))
            continue
        if module in _SETS_NAMED and task.value is not None and task.value.is_map:
            names.update(k for k, _, _ in task.value.items())
        registered = task.node.get("register")
        if registered is not None and registered.is_scalar:
            names.add(registered.text)
        if names:
            found.append((task.flow, task.index, frozenset(names)))
    project.cache[key] = found
    return found


def _play_variables(doc: Document, flow: int, project: Project) -> tuple[Defined, bool]:
    """What a play sets over its roles' defaults and its inventories: ``vars:``, ``vars_files:``,
    ``vars_prompt:`` (read once per play); and whether an unreadable ``vars_files:`` entry hides
    every variable below it (they are unknown)."""
    plays = doc.roots[0].elements() if is_playbook(doc) else []  # type: ignore[attr-defined]
    if flow >= len(plays):
        return {}, False
    key = ("ansible-play-variables", doc.path, flow)
    cached: tuple[Defined, bool] | None = project.cache.get(key)
    if cached is not None:
        return cached
    play = plays[flow]
    found = mapping(play.get("vars"), doc.path)
    hides = False
    for written in elements(play.get("vars_files")):
        given = _vars_file(doc, written, project)
        if given is None:  # it may set any name: nothing below it is known
            found, hides = {}, True
        else:
            found.update(given)
    for prompt in elements(play.get("vars_prompt")):
        name = prompt.get("name") if prompt.is_map else None
        if name is not None and name.is_scalar:
            found[name.text] = (Node("scalar", None, name.span), "")
    project.cache[key] = (found, hides)
    return found, hides


def _vars_file(doc: Document, written: Node, project: Project) -> Defined | None:
    """The variables of one ``vars_files:`` entry (a path relative to the playbook); None when
    it cannot be read."""
    if not written.is_scalar or "{{" in written.text or "{%" in written.text:
        return None
    return vars_file(project.cwd / PurePosixPath(doc.host.path).parent / written.text, project)


def _includers(doc: Document, project: Project) -> list[tuple[Document, Task]]:
    key = ("ansible-includers", doc.path)
    found: list[tuple[Document, Task]] | None = project.cache.get(key)
    if found is None:
        found = includers(doc, project) if not is_playbook(doc) else []
        project.cache[key] = found
    return found


def _role_variables(doc: Document, project: Project) -> tuple[Defined, Defined]:
    """The defaults and the vars of the role ``doc`` belongs to (none outside a role), read once per scan."""
    role = _role_directory(PurePosixPath(doc.host.path))
    if role is None:
        return {}, {}
    key = ("ansible-role-variables", str(role))
    found: tuple[Defined, Defined] | None = project.cache.get(key)
    if found is None:
        found = _read(project, project.cwd / role, _DEFAULTS), _read(project, project.cwd / role, _VARS)
        project.cache[key] = found
    return found


def _inventory_layer(doc: Document, defaults: Defined, project: Project) -> Defined:
    """The role's defaults under the variables of the inventories and ``group_vars``/``host_vars``
    directories of its playbook's tree (``facts/ansible_inventory_vars.py``), layered once per
    role's check (the levels themselves are built once per scan)."""
    path = PurePosixPath(doc.host.path)
    role = None if is_playbook(doc) else _role_directory(path)
    directory = path.parent if role is None else role.parent.parent if role.parent.name == "roles" else role
    key = ("ansible-inventory-layer", str(role), str(directory))
    found: Defined | None = project.cache.get(key)
    if found is None:
        found = project.cache[key] = layered(defaults, directory, project)
    return found


def _role_directory(path: PurePosixPath) -> PurePosixPath | None:
    for parent in path.parents:
        if parent.name in _TASK_DIRECTORIES:
            return parent.parent
    return None


def _read(project: Project, role: Path, files: tuple[str, ...]) -> Defined:
    defined: Defined = {}
    for name in files:
        doc = project.parse_as(role / name, Kind.YAML)
        if isinstance(doc, TreeDocument) and doc.roots:
            defined.update(mapping(doc.roots[0], doc.path))
    return defined


# What a mapping's own attributes are called: Jinja's ``a.b`` reads an attribute before a key,
# so ``settings.items`` is the method, not the key.
_DICT_ATTRIBUTES = frozenset(name for name in dir(dict) if not name.startswith("__"))

Piece = str | tuple[str | int, ...]  # literal text, or the path of a variable (``("redis", "port")``)


@lru_cache(maxsize=4096)
def _parts(text: str) -> tuple[Piece, ...] | None:
    """The template as pieces of text and variable paths; None when it holds anything else."""
    import jinja2
    from jinja2 import nodes

    try:
        template = _environment().parse(text)
    except jinja2.TemplateSyntaxError:
        return None
    parts: list[Piece] = []
    for statement in template.body:
        if not isinstance(statement, nodes.Output):
            return None
        for item in statement.nodes:
            piece = _piece(item, nodes)
            if piece is None:
                return None
            parts.append(piece)
    return tuple(parts)


@lru_cache(maxsize=1)
def _environment() -> Any:
    import jinja2

    return jinja2.Environment(autoescape=False)


def _piece(item: Any, nodes: Any) -> Piece | None:
    if isinstance(item, nodes.TemplateData):
        return str(item.data)
    if isinstance(item, nodes.Const) and isinstance(item.value, (str, int)) and not isinstance(item.value, bool):
        return str(item.value)
    steps: list[str | int] = []
    while isinstance(item, (nodes.Getattr, nodes.Getitem)):
        if isinstance(item, nodes.Getattr):
            if item.attr in _DICT_ATTRIBUTES:
                return None
            steps.append(item.attr)
        else:
            key = item.arg.value if isinstance(item.arg, nodes.Const) else None
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                return None
            steps.append(key)
        item = item.node
    if isinstance(item, nodes.Name) and item.ctx == "load":
        return (item.name, *reversed(steps))
    return None
