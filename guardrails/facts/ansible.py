"""Ansible playbooks and task files read as what they run: tasks in order, the ``when:``
conditions around each (its own, its blocks', the include that brought its file in), and
whether those keep it from production the way a shell condition does.

``when:`` is a Jinja expression, parsed with Jinja's own parser and evaluated in the
production world of guardrails.facts.shell_guards: a variable that names the environment
(``env``, ``deploy_env``, ``stage``...) holds a production name, ``inventory_hostname`` is a
production host, ``group_names`` holds the production group. What the expression does not
say is unknown, and an unknown condition is no guard. Earlier ``fail``/``assert``/
``meta: end_play`` tasks that stop production runs, and a ``pause``/``vars_prompt`` answer the
condition tests, count as they do in shell (docs/guards.md).
"""

from __future__ import annotations

import shlex
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from guardrails.facts import ansible_keywords as kw
from guardrails.facts.shell_guards import GuardSettings, ProductionWorld, Subject
from guardrails.model import Document, Kind, Node
from guardrails.records import Record

if TYPE_CHECKING:
    from guardrails.project import Project

# Variables whose value is the managed host's name (Ansible "Special Variables" and facts).
HOST_VARIABLES = frozenset(
    {
        "inventory_hostname",
        "inventory_hostname_short",
        "ansible_host",
        "ansible_hostname",
        "ansible_fqdn",
        "ansible_nodename",
    }
)
HOST_FACTS = frozenset({"hostname", "fqdn", "nodename"})
# The groups the host is in: ``'production' in group_names`` reads like an environment test.
GROUPS_VARIABLE = "group_names"
# Every group's hosts: ``inventory_hostname in groups['staging']`` is ``'staging' in group_names``
# (Ansible "Special Variables": ``groups``, ``group_names``, ``inventory_hostname``).
GROUPS_MAP = "groups"
# Filters that keep a value's identity for a comparison (``env | lower``, ``env | default('dev')``).
_TRANSPARENT_FILTERS = frozenset({"lower", "upper", "string", "trim", "default", "d"})
# A longer condition is read as unknown: Jinja's parser recurses once per nesting level.
_MAX_EXPRESSION = 4000


class Task(Record):
    """One task in execution order. ``conditions`` are the ``when:`` nodes that must hold for it
    to run, outermost first; ``blocks`` the ``block`` items it is in, outermost first; ``flow``
    numbers the play (or file) it runs in, ``index`` its order."""

    __slots__ = (
        "blocks",
        "conditions",
        "flow",
        "index",
        "key",
        "label",
        "module",
        "node",
        "prompts",
        "rescue",
        "value",
    )

    def __init__(
        self,
        node: Node,
        key: str,
        module: str,
        value: Node | None,
        conditions: list[Node],
        label: str,
        flow: int,
        index: int,
        rescue: bool = False,
        prompts: list[str] | None = None,
        blocks: list[Node] | None = None,
    ) -> None:
        self.node = node
        self.key = key
        self.module = module
        self.value = value
        self.conditions = conditions
        self.label = label
        self.flow = flow
        self.index = index
        self.rescue = rescue
        self.prompts: list[str] = [] if prompts is None else prompts
        self.blocks: list[Node] = [] if blocks is None else blocks

    def args(self) -> dict[str, Node]:
        """The module's arguments: a mapping, ``args:``, or ``key=value`` free-form words."""
        found: dict[str, Node] = {}
        extra = self.node.get("args")
        for source in (extra, self.value):
            if source is None:
                continue
            if source.is_map:
                found.update({key: value for key, _, value in source.items()})
            elif source.is_scalar and isinstance(source.value, str) and self.module not in kw.SHELL_MODULES:
                found.update(_free_form(source))
        return found

    def arg(self, name: str) -> str | None:
        """A literal argument's text (None when absent or templated)."""
        node = self.args().get(name)
        if node is None or not node.is_scalar or "{{" in node.text or "{%" in node.text:
            return None
        return node.text


def _free_form(node: Node) -> dict[str, Node]:
    try:
        words = shlex.split(node.value)
    except ValueError:
        return {}
    found: dict[str, Node] = {}
    for word in words:
        key, sep, value = word.partition("=")
        if sep and key.isidentifier():
            found[key] = Node("scalar", value, node.span, raw=value)
    return found


def is_ansible(doc: Document) -> bool:
    return doc.kind is Kind.ANSIBLE and hasattr(doc, "roots")


def is_playbook(doc: Document) -> bool:
    items = doc.roots[0].elements() if is_ansible(doc) else []  # type: ignore[attr-defined]
    return kw.is_playbook([[key for key, _, _ in item.items()] for item in items])


def tasks(doc: Document) -> list[Task]:
    """Every task of a playbook or task file, blocks opened, in the order Ansible runs them."""
    if not is_ansible(doc):
        return []
    found: list[Task] = []
    root = doc.roots[0]  # type: ignore[attr-defined]
    if is_playbook(doc):
        for index, play in enumerate(root.elements()):
            prompts = [p.get("name").text for p in _seq(play.get("vars_prompt")) if p.get("name") is not None]
            for section in kw.PLAY_SECTIONS:
                if section != "roles":
                    _walk(play.get(section), [], f"play[{index}].{section}", index, False, prompts, found)
    else:
        _walk(root, [], "tasks", 0, False, [], found)
    return found


def _seq(node: Node | None) -> list[Node]:
    return node.elements() if node is not None and node.is_seq else []


def _walk(
    items: Node | None,
    conditions: list[Node],
    label: str,
    flow: int,
    rescue: bool,
    prompts: list[str],
    found: list[Task],
    blocks: tuple[Node, ...] = (),
) -> None:
    for index, item in enumerate(_seq(items)):
        if not item.is_map:
            continue
        when = item.get("when")
        inner = [*conditions, when] if when is not None else conditions
        here = f"{label}[{index}]"
        if item.get("block") is not None:
            for section in kw.BLOCK_SECTIONS:
                in_rescue = rescue or section == "rescue"
                _walk(item.get(section), inner, f"{here}.{section}", flow, in_rescue, prompts, found, (*blocks, item))
            continue
        keys = [key for key, _, _ in item.items() if not kw.is_task_keyword(key)]
        key = keys[0] if len(keys) == 1 else ""
        value = item.get(key) if key else None
        if not key and item.get("action") is not None:
            words = item.get("action").text.split(None, 1)  # type: ignore[union-attr]
            key = words[0] if words else ""
        found.append(
            Task(item, key, kw.short_name(key), value, inner, here, flow, len(found), rescue, prompts, list(blocks))
        )


# --------------------------------------------------------------------------- when: as a guard


def _expression(node: Node) -> Any | None:
    """A ``when:`` scalar parsed by Jinja (None when it does not parse)."""
    if not node.is_scalar or len(node.text) > _MAX_EXPRESSION:
        return None
    if isinstance(node.value, bool):
        from jinja2 import nodes

        return nodes.Const(node.value)
    import jinja2

    try:
        template = jinja2.Environment(autoescape=False).parse("{{ (" + node.text + ") }}")
    except jinja2.TemplateSyntaxError:
        return None
    body = template.body[0] if template.body else None
    return body.nodes[0] if body is not None and len(getattr(body, "nodes", [])) == 1 else None


def condition_texts(node: Node) -> list[tuple[Node, str]]:
    """The expressions of a ``when:`` (a list means all of them), with their text."""
    items = node.elements() if node.is_seq else [node]
    return [(item, item.text if item.is_scalar else "") for item in items]


class WhenEvaluator:
    """Evaluates ``when:`` expressions in a production run (True/False; None when unknown)."""

    def __init__(self, settings: GuardSettings) -> None:
        self.settings = settings
        self.world = ProductionWorld(settings)

    def holds(self, node: Node) -> bool | None:
        results = [self.expression(_expression(item)) for item, _ in condition_texts(node)]
        if any(r is False for r in results):
            return False
        return True if results and all(r is True for r in results) else None

    def expression(self, expr: Any | None) -> bool | None:
        from jinja2 import nodes

        if isinstance(expr, nodes.Const) and isinstance(expr.value, bool):
            return expr.value
        if isinstance(expr, nodes.Not):
            inner = self.expression(expr.node)
            return None if inner is None else not inner
        if isinstance(expr, nodes.And | nodes.Or):
            left, right = self.expression(expr.left), self.expression(expr.right)
            if isinstance(expr, nodes.And):
                return False if False in (left, right) else (True if left is right is True else None)
            return True if True in (left, right) else (False if left is right is False else None)
        if isinstance(expr, nodes.Compare) and len(expr.ops) == 1:
            return self._compare(expr.expr, expr.ops[0].op, expr.ops[0].expr)
        return None

    def _compare(self, left: Any, op: str, right: Any) -> bool | None:
        from jinja2 import nodes

        group = _group_of(right) if op in ("in", "notin") else None
        if (
            op in ("in", "notin")
            and isinstance(left, nodes.Const)
            and self.subject(right) == Subject("env", GROUPS_VARIABLE)
        ):
            subject, values = self.subject(right), [left]
        elif group is not None and isinstance(left, nodes.Name) and left.name == "inventory_hostname":
            subject, values = Subject("env", GROUPS_VARIABLE), [group]
        else:
            subject, values = self.subject(left), []
            if op in ("eq", "ne"):
                if subject is None:
                    subject, right = self.subject(right), left
                values = [right]
            elif op in ("in", "notin") and isinstance(right, nodes.List | nodes.Tuple):
                values = list(right.items)
        if subject is None or not values or not all(isinstance(v, nodes.Const) for v in values):
            return None
        outcomes = [self.world.equals(subject, str(v.value), "exact") for v in values]
        equal = True if True in outcomes else (False if all(o is False for o in outcomes) else None)
        if equal is None:
            return None
        return (not equal) if op in ("ne", "notin") else equal

    def subject(self, expr: Any) -> Subject | None:
        from jinja2 import nodes

        while isinstance(expr, nodes.Filter) and expr.name in _TRANSPARENT_FILTERS and expr.node is not None:
            expr = expr.node
        if isinstance(expr, nodes.Getattr | nodes.Getitem) and isinstance(expr.node, nodes.Name):
            attribute = expr.attr if isinstance(expr, nodes.Getattr) else getattr(expr.arg, "value", None)
            if expr.node.name == "ansible_facts" and attribute in HOST_FACTS:
                return Subject("host", f"ansible_facts.{attribute}")
            return Subject("var", expr.node.name)
        if not isinstance(expr, nodes.Name):
            return None
        name = expr.name
        if name in HOST_VARIABLES or name.upper().endswith(("HOST", "HOSTNAME")):
            return Subject("host", name)
        if name == GROUPS_VARIABLE or self.settings.is_env_variable(name):
            return Subject("env", name)
        return Subject("var", name)


def _group_of(expr: Any) -> Any | None:
    """The group name (a Jinja constant) of ``groups['staging']`` or ``groups.staging``; None otherwise."""
    from jinja2 import nodes

    if not isinstance(expr, nodes.Getattr | nodes.Getitem) or not isinstance(expr.node, nodes.Name):
        return None
    if expr.node.name != GROUPS_MAP:
        return None
    if isinstance(expr, nodes.Getattr):
        return nodes.Const(expr.attr)
    return expr.arg if isinstance(expr.arg, nodes.Const) and isinstance(expr.arg.value, str) else None


def _names(node: Node) -> set[str]:
    from jinja2 import nodes

    found: set[str] = set()
    for item, _ in condition_texts(node):
        expr = _expression(item)
        if expr is not None:
            found |= {n.name for n in expr.find_all(nodes.Name)}
    return found


def _short(node: Node) -> str:
    text = " and ".join(t for _, t in condition_texts(node) if t) or node.text
    text = " ".join(text.split())
    return text if len(text) <= 70 else text[:67] + "..."


def guard(doc: Document, task: Task, settings: GuardSettings, project: Project | None = None) -> str | None:
    """Why ``task`` does not run unattended in production, or None."""
    evaluator = WhenEvaluator(settings)
    for condition in task.conditions:
        if evaluator.holds(condition) is False:
            return f"`when: {_short(condition)}` keeps it from running in production"
    every = tasks(doc)
    earlier = [t for t in every if t.flow == task.flow and t.index < task.index and not t.rescue]
    for other in earlier:
        if all(evaluator.holds(c) is True for c in other.conditions) and _stops(other, evaluator):
            return f"the play stops earlier in production (`{other.key}` at line {other.node.span.line})"
    answers = set(task.prompts) | {t.node.get("register").text for t in earlier if _prompt(t)}  # type: ignore[union-attr]
    tested = set().union(*(_names(c) for c in task.conditions)) if task.conditions else set()
    for name in sorted(answers & tested):
        return f"it runs only after the answer in `{name}` is checked"
    if project is not None and not is_playbook(doc):
        return include_guard(doc, settings, project)
    return None


def _prompt(task: Task) -> bool:
    return task.module in kw.PROMPT_MODULES and task.node.get("register") is not None


def _stops(task: Task, evaluator: WhenEvaluator) -> bool:
    if task.module == "fail":
        return True
    if task.module == "meta":
        return task.value is not None and task.value.text in kw.STOP_META
    if task.module in kw.ASSERT_MODULES:
        that = task.args().get("that")
        checks = _seq(that) if that is not None and that.is_seq else ([that] if that is not None else [])
        return any(evaluator.expression(_expression(check)) is False for check in checks)
    return False


# --------------------------------------------------------------------------- includes


def include_target(task: Task) -> str | None:
    """The file an ``include_tasks``/``import_tasks`` names, when it is literal."""
    if task.module not in kw.INCLUDE_MODULES or task.value is None:
        return None
    node = task.value.get("file") if task.value.is_map else task.value
    if node is None or not node.is_scalar or "{{" in node.text:
        return None
    return node.text


def include_guard(doc: Document, settings: GuardSettings, project: Project) -> str | None:
    """A task file brought in only by includes that are each guarded (their own ``when:`` or
    what guards the including task): its tasks are guarded too."""
    reasons: list[str] = []
    for other, task in includers(doc, project):
        reason = guard(other, task, settings)
        if reason is None:
            return None
        reasons.append(f"{reason} (`{task.key}` in {PurePosixPath(other.path).name})")
    return reasons[0] if reasons else None


def includers(doc: Document, project: Project) -> list[tuple[Document, Task]]:
    """The ``include_tasks``/``import_tasks`` tasks that bring in the task file ``doc``, with their
    files. The includers looked for are the Ansible files next to it and in the directory above
    (a role's ``tasks/main.yml``, a playbook beside ``tasks/``)."""
    from pathlib import Path

    path = Path(doc.path)
    found: list[tuple[Document, Task]] = []
    for directory in (path.parent, path.parent.parent):
        for other in project.directory_documents(directory, (".yml", ".yaml")):
            if other.path == doc.path or not is_ansible(other):
                continue
            for task in tasks(other):
                target = include_target(task)
                if target is not None and PurePosixPath(Path(other.path).parent.as_posix(), target) == PurePosixPath(
                    path.as_posix()
                ):
                    found.append((other, task))
    return found


def task_of(doc: Document, node: Node) -> Task | None:
    return next((t for t in tasks(doc) if t.node is node), None)
