"""``terraform show -json`` of a plan as a PlanDocument: the JSON tree, and the state it plans.

A plan describes the end state: every managed resource instance that exists after the apply,
with its values, is presented as a ``resource`` Block, so that the rules that judge ``.tf``
resources judge a plan through the same facts (docs/terraform.md, "Plans"). The values are
read from ``resource_changes[].change.after``, with:

- ``after_unknown``: a value known only after the apply is an expression of kind ``other``
  (unknown to every resolver): never guessed, never given a provider default;
- ``after_sensitive``: an attribute holding a sensitive value is unknown too, and its text is
  ``(sensitive)``: a finding can neither print it nor say what it judged;
- ``null`` and ``[]``: an unset argument or no nested block (the JSON cannot say whether an
  empty list was a list of blocks): absent, and listed in ``Block.unset`` (the provider default
  applies); an argument the plan does not list at all is unknown (``stateful.find_attribute``):
  a real plan lists every argument of its schema, so only a trimmed file leaves one out;
- a list of objects is a list of nested blocks (``ingress``, ``settings``); any other object
  is an attribute (``tags``), as in Terraform's JSON syntax.

``planned_values`` is not read: it omits unknown values, so an absent attribute there cannot
be told from an unknown one. Left out of the end state: data sources (``read``), what the plan
deletes (``delete``, a deposed object, ``forget``), which ``DO057`` judges from the same tree.
A string equal to the known ``id`` of another resource of the plan (``"sg-0a1b..."`` in
``vpc_security_group_ids``) is a reference to that resource, as the configuration wrote it; so is
a value known only after the apply whose expression in ``configuration`` reads one resource of
the same module instance and nothing else (``[aws_security_group.db.id]`` for a new group).
Positions come from json_tree: a finding points at the attribute's line (above json_tree's
fast-path size every span is the whole document).
"""

from __future__ import annotations

from typing import Any

from guardrails.documents import Attribute, Block, Expr, PlanDocument
from guardrails.model import Kind, Node, Span
from guardrails.parsers._gc import without_cyclic_gc
from guardrails.parsers.json_tree import parse_node
from guardrails.parsers.terraform_json import Source

UNKNOWN_TEXT = "(known after apply)"
SENSITIVE_TEXT = "(sensitive)"
#: Actions after which the object is not part of the end state.
_GONE = frozenset({"delete", "forget"})
#: Reference heads that are not resources of the module (``references`` in the configuration).
_NOT_RESOURCES = frozenset({"var", "local", "module", "data", "each", "count", "path", "terraform", "self"})


class _Reader:
    """Builds the blocks of one plan: ``ids`` maps a known ``id`` to its resource's address,
    ``instances`` (module instance, ``type.name``) to the addresses of its instances, and
    ``expressions`` (module path, ``type.name``) to the configuration's expressions."""

    def __init__(
        self,
        src: Source,
        ids: dict[str, str],
        instances: dict[tuple[str, str], list[str]],
        expressions: dict[tuple[str, str], Node],
    ) -> None:
        self.src = src
        self.ids = ids
        self.instances = instances
        self.expressions = expressions
        self.address = ""

    def block(self, change: Node, after: Node, unknown: Any, sensitive: Any) -> Block:
        address = change.get("address")
        key = change.key_node("address") or change
        self.address = address.text if address is not None else ""
        attributes, blocks, unset = self.body(after, unknown, sensitive)
        labels = [_text(change.get("type")), _text(change.get("name"))]
        module = _text(change.get("module_address"))
        written = self.expressions.get((_module_path(module), ".".join(labels)))
        for name, attr in attributes.items():
            if attr.expr.text == UNKNOWN_TEXT and written is not None:
                target = self.referenced(written.get(name), module)
                if target is not None:
                    attr.expr = Expr("reference", target[0], f"{target[1]} {UNKNOWN_TEXT}", attr.expr.span)
        span = Span(key.span.line, key.span.column, change.span.end_line, change.span.end_column)
        return Block("resource", labels, attributes, blocks, span, self.address, unset)

    def referenced(self, expression: Node | None, module: str) -> tuple[str, str] | None:
        """(``<instance address>.<attribute>``, the reference as written) when the configuration's
        expression reads one resource of the same module instance and nothing else (no variable,
        local, module output or data source, whose value could pick another): a value known only
        after the apply is then that resource's (``vpc_security_group_ids = [aws_security_group.db.id]``)."""
        references = expression.get("references") if expression is not None else None
        if references is None or not references.is_seq:
            return None
        named: set[str] = set()
        longest = ""
        for ref in references.elements():
            parts = split_address(ref.text)
            if len(parts) < 2 or parts[0] in _NOT_RESOURCES:
                return None
            named.add(f"{parts[0]}.{parts[1].split('[', 1)[0]}")
            longest = max(longest, ref.text, key=len)
        if len(named) != 1:
            return None
        parts = split_address(longest)
        found = self.instances.get((module, named.pop()), [])
        prefix = f"{module}." if module else ""
        exact = f"{prefix}{parts[0]}.{parts[1]}"
        address = exact if exact in found else found[0] if len(found) == 1 else None
        if address is None or address == self.address:
            return None
        return f"{address}.{parts[2] if len(parts) > 2 else 'id'}", longest

    def body(
        self, node: Node, unknown: Any, sensitive: Any
    ) -> tuple[dict[str, Attribute], list[Block], frozenset[str]]:
        attributes: dict[str, Attribute] = {}
        blocks: list[Block] = []
        unset: set[str] = set()
        unknown = unknown if isinstance(unknown, dict) else {}
        sensitive = sensitive if isinstance(sensitive, dict) else {}
        pairs = node.value if node.is_map else []
        for key, value in pairs:
            name = str(key.value)  # a JSON key is a string
            span = _join(key.span, value.span)
            if _marked(sensitive.get(name)):
                attributes[name] = Attribute(name, Expr("other", None, SENSITIVE_TEXT, value.span), span)
            elif unknown.get(name) is True:
                attributes[name] = Attribute(name, Expr("other", None, UNKNOWN_TEXT, value.span), span)
            elif (value.is_scalar and value.value is None) or (value.is_seq and not value.value):
                unset.add(name)
            elif value.is_seq and all(item.is_map for item in value.value):
                for index, item in enumerate(value.value):
                    marks = _item(unknown.get(name), index), _item(sensitive.get(name), index)
                    inner, nested, empty = self.body(item, *marks)
                    blocks.append(Block(name, [], inner, nested, item.span, unset=empty))
            else:
                attributes[name] = Attribute(name, self.expr(value, unknown.get(name)), span)
        listed = {key.value for key, _ in pairs} if unknown else set()
        for name, mark in unknown.items():  # unknown values are omitted from ``after``
            if mark is True and name not in listed:
                at = Span.point(node.span.line, node.span.column)
                attributes[name] = Attribute(name, Expr("other", None, UNKNOWN_TEXT, at), at)
        return attributes, blocks, frozenset(unset)

    def expr(self, node: Node, unknown: Any) -> Expr:
        if unknown is True:
            return Expr("other", None, UNKNOWN_TEXT, node.span)
        if node.is_map:
            inner = unknown if isinstance(unknown, dict) else {}
            fields = {k.text: self.expr(v, inner.get(k.text)) for k, v in node.value}
            return Expr("object", fields, self._text(node, "{...}"), node.span)
        if node.is_seq:
            items = [self.expr(v, _item(unknown, i)) for i, v in enumerate(node.value)]
            return Expr("tuple", items, self._text(node, "[...]"), node.span)
        text = self.src.source(node)
        target = self.ids.get(node.value) if isinstance(node.value, str) else None
        if target is not None and target != self.address:
            return Expr("reference", f"{target}.id", text, node.span)
        return Expr("literal", node.value, text, node.span)

    def _text(self, node: Node, elided: str) -> str:
        """A container's source text; above json_tree's fast-path size (no positions) it is elided:
        re-serialising each container would cost its size at every level of a 50 MB plan."""
        return self.src.source(node) if self.src.exact else elided


def _item(marks: Any, index: int) -> Any:
    return marks[index] if isinstance(marks, list) and index < len(marks) else marks if marks is True else None


def _marked(marks: Any) -> bool:
    """True when a sensitivity mark covers the value or any part of it."""
    if marks is True:
        return True
    if isinstance(marks, dict):
        return any(_marked(m) for m in marks.values())
    if isinstance(marks, list):
        return any(_marked(m) for m in marks)
    return False


def split_address(text: str) -> list[str]:
    """``module.db["a.b"].aws_db_instance.this[0].id`` -> its dot-separated steps, keys kept."""
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    quoted = False
    for index, char in enumerate(text):
        if quoted:
            quoted = not (char == '"' and text[index - 1] != "\\")
        elif char == '"':
            quoted = True
        elif char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif char == "." and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts


def _module_path(module: str) -> str:
    """``module.db[0].module.x["a"]`` -> ``db.x``: the configuration's module, without instance keys."""
    parts = split_address(module) if module else []
    return ".".join(part.split("[", 1)[0] for part in parts[1::2])


def _configuration(root: Node) -> dict[tuple[str, str], Node]:
    """(module path, ``type.name``) -> the expressions the configuration wrote for that resource."""
    found: dict[tuple[str, str], Node] = {}
    stack: list[tuple[str, Node | None]] = [("", root.path("configuration", "root_module"))]
    while stack:
        path, module = stack.pop()
        if module is None or not module.is_map:
            continue
        resources = module.get("resources")
        for resource in resources.elements() if resources is not None else []:
            address, expressions = resource.get("address"), resource.get("expressions")
            if address is not None and expressions is not None and expressions.is_map:
                found[(path, address.text)] = expressions
        calls = module.get("module_calls")
        for name, _, call in calls.items() if calls is not None else []:
            stack.append((f"{path}.{name}" if path else name, call.get("module")))
    return found


def _join(start: Span, end: Span) -> Span:
    return Span(start.line, start.column, end.end_line, end.end_column)


def _text(node: Node | None) -> str:
    return node.text if node is not None and node.is_scalar else ""


def end_state(root: Node) -> list[tuple[Node, Node, Node | None, Node | None]]:
    """(change, after, after_unknown, after_sensitive) of each managed resource instance that
    exists once the plan is applied."""
    changes = root.get("resource_changes")
    found = []
    for change in changes.elements() if changes is not None and changes.is_seq else []:
        if not change.is_map or _text(change.get("mode")) not in ("managed", "") or change.get("deposed"):
            continue
        actions = change.path("change", "actions")
        names = {a.text for a in actions.elements() if a.is_scalar} if actions is not None else set()
        after = change.path("change", "after")
        if (names and names <= _GONE) or after is None or not after.is_map:
            continue
        found.append((change, after, change.path("change", "after_unknown"), change.path("change", "after_sensitive")))
    return found


@without_cyclic_gc
def parse(path: str, text: str, kind: Kind) -> PlanDocument:
    root = parse_node(text)
    doc = PlanDocument(path=path, kind=kind, text=text, roots=[root])
    if not root.is_map:
        return doc
    instances = end_state(root)
    owners: dict[str, list[str]] = {}
    addresses: dict[tuple[str, str], list[str]] = {}
    for change, after, _, _ in instances:
        value, address = after.get("id"), change.get("address")
        if address is None:
            continue
        local = f"{_text(change.get('type'))}.{_text(change.get('name'))}"
        addresses.setdefault((_text(change.get("module_address")), local), []).append(address.text)
        if value is not None and isinstance(value.value, str) and value.value:
            owners.setdefault(value.value, []).append(address.text)
    ids = {value: found[0] for value, found in owners.items() if len(found) == 1}
    reader = _Reader(Source(text), ids, addresses, _configuration(root))
    for change, after, unknown, sensitive in instances:
        doc.blocks.append(
            reader.block(
                change,
                after,
                unknown.to_python() if unknown is not None else None,
                sensitive.to_python() if sensitive is not None else None,
            )
        )
    return doc
