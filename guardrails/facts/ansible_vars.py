"""The variables a reviewer resolves in a task: its role's ``defaults/main.yml`` and
``vars/main.yml``, its play's ``vars:`` and ``vars_files:``, and its own ``vars:``.

A role is the directory above a ``tasks/`` (or ``handlers/``) directory. Its defaults are
Ansible's lowest precedence; a play's ``vars:`` override them, its ``vars_files:`` (in order)
override those, a role's ``vars/`` override those, and a task's ``vars:`` override everything
read here (Ansible documentation, "Understanding variable precedence"). Inventory variables and
``--extra-vars`` are not read: they change per run. A value is judged as the role ships it, the
way a Terraform module's variable default is: whoever applies the role may override it, and a
finding names where the value comes from.

Only templates of literal text and variable names are rendered (``{{ bind_addr }}:{{ port }}``);
a filter, a test, an expression, a variable the role does not define, or a chain deeper than
``_MAX_DEPTH`` leaves the value unknown. Nothing is run.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

from guardrails.documents import ShellDocument, TreeDocument
from guardrails.facts.ansible import Task, is_playbook, task_of
from guardrails.model import Document, Kind, Node
from guardrails.project import Project
from guardrails.records import Frozen

_MAX_DEPTH = 8
_TASK_DIRECTORIES = ("tasks", "handlers")
# Where a role's variables are.
_DEFAULTS = ("defaults/main.yml", "defaults/main.yaml")
_VARS = ("vars/main.yml", "vars/main.yaml")


class Resolved(Frozen):
    """A value: the node that holds it (a list or mapping as written, or a scalar rendered to
    ``text``), and where the variable it came from is set (``roles/db/defaults/main.yml:4``;
    '' when the value was written where it is used)."""

    node: Node
    text: str
    source: str


class Variables:
    """Variables, each with the file and line that sets it."""

    def __init__(self, defined: dict[str, tuple[Node, str]]) -> None:
        self.defined = defined

    def over(self, mapping: Node | None, path: str) -> Variables:
        """These variables with those of ``mapping`` (a ``vars:`` of the file ``path``) over them."""
        if mapping is None or not mapping.is_map:
            return self
        given = {key: (value, f"{path}:{value.span.line}") for key, _, value in mapping.items()}
        return Variables({**self.defined, **given})

    def resolve(self, node: Node | None, depth: int = 0) -> Resolved | None:
        """``node`` with its templates rendered; None when absent or unknown."""
        if node is None or (node.is_scalar and node.value is None):
            return None
        if not node.is_scalar:
            return Resolved(node, "", "")
        text = node.text
        if "{{" not in text and "{%" not in text:
            return Resolved(node, text, "")
        parts = _parts(text)
        if parts is None or depth >= _MAX_DEPTH:
            return None
        if len(parts) == 1 and parts[0][0]:  # the whole value is one variable: it may be a list
            return self._variable(parts[0][1], depth)
        rendered, source = [], ""
        for is_name, piece in parts:
            if not is_name:
                rendered.append(piece)
                continue
            found = self._variable(piece, depth)
            if found is None or not found.node.is_scalar:
                return None
            rendered.append(found.text)
            source = source or found.source
        return Resolved(node, "".join(rendered), source)

    def _variable(self, name: str, depth: int) -> Resolved | None:
        defined = self.defined.get(name)
        if defined is None:
            return None
        value, where = defined
        found = self.resolve(value, depth + 1)
        return Resolved(found.node, found.text, found.source or where) if found is not None else None


def task_variables(doc: Document, task: Task, project: Project) -> Variables:
    """The variables of ``task``: its role's, its play's and its own, in Ansible's order."""
    defaults, role_vars = _role_variables(doc, project)
    variables = Variables(defaults)
    plays = doc.roots[0].elements() if is_playbook(doc) else []  # type: ignore[attr-defined]
    if task.flow < len(plays):
        play = plays[task.flow]
        variables = variables.over(play.get("vars"), doc.path)
        for written in elements(play.get("vars_files")):
            variables = _vars_file(variables, doc, written, project)
    return Variables({**variables.defined, **role_vars}).over(task.node.get("vars"), doc.path)


def _vars_file(variables: Variables, doc: Document, written: Node, project: Project) -> Variables:
    """``variables`` with those of one ``vars_files:`` entry over them: a literal path relative
    to the playbook; a templated or missing one is skipped (what it sets stays unknown)."""
    if not written.is_scalar or "{{" in written.text:
        return variables
    path = project.cwd / PurePosixPath(doc.host.path).parent / written.text
    found = project.parse_as(path, Kind.YAML)
    if not isinstance(found, TreeDocument) or not found.roots:
        return variables
    return variables.over(found.roots[0], found.path)


def elements(node: Node | None) -> list[Node]:
    """A list's elements; a single value is a list of one (as Ansible reads a list argument)."""
    if node is None:
        return []
    return node.elements() if node.is_seq else [node]


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
    found = task_variables(host, task, project).resolve(Node("scalar", template, doc.host_task.span))
    return found if found is not None and found.node.is_scalar else None


def _role_variables(doc: Document, project: Project) -> tuple[dict[str, tuple[Node, str]], dict[str, tuple[Node, str]]]:
    """The defaults and the vars of the role ``doc`` belongs to (none outside a role), read once per scan."""
    role = _role_directory(PurePosixPath(doc.host.path))
    if role is None:
        return {}, {}
    key = ("ansible-role-variables", str(role))
    found: tuple[dict[str, tuple[Node, str]], dict[str, tuple[Node, str]]] | None = project.cache.get(key)
    if found is None:
        found = _read(project, project.cwd / role, _DEFAULTS), _read(project, project.cwd / role, _VARS)
        project.cache[key] = found
    return found


def _role_directory(path: PurePosixPath) -> PurePosixPath | None:
    for parent in path.parents:
        if parent.name in _TASK_DIRECTORIES:
            return parent.parent
    return None


def _read(project: Project, role: Path, files: tuple[str, ...]) -> dict[str, tuple[Node, str]]:
    defined: dict[str, tuple[Node, str]] = {}
    for name in files:
        doc = project.parse_as(role / name, Kind.YAML)
        if not isinstance(doc, TreeDocument) or not doc.roots or not doc.roots[0].is_map:
            continue
        defined.update({key: (value, f"{doc.path}:{value.span.line}") for key, _, value in doc.roots[0].items()})
    return defined


def _parts(text: str) -> list[tuple[bool, str]] | None:
    """The template as (is a variable name, text) pieces; None when it holds anything else."""
    import jinja2
    from jinja2 import nodes

    try:
        template = jinja2.Environment(autoescape=False).parse(text)
    except jinja2.TemplateSyntaxError:
        return None
    parts: list[tuple[bool, str]] = []
    for statement in template.body:
        if not isinstance(statement, nodes.Output):
            return None
        for item in statement.nodes:
            piece = _piece(item, nodes)
            if piece is None:
                return None
            parts.append(piece)
    return parts


def _piece(item: Any, nodes: Any) -> tuple[bool, str] | None:
    if isinstance(item, nodes.TemplateData):
        return False, item.data
    if isinstance(item, nodes.Name) and item.ctx == "load":
        return True, item.name
    if isinstance(item, nodes.Const) and isinstance(item.value, (str, int)) and not isinstance(item.value, bool):
        return False, str(item.value)
    return None
