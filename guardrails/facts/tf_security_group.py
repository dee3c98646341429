"""Ingress that terraform-aws-modules/security-group opens through its inputs.

The module turns its inputs into ``aws_security_group_rule`` resources through ``count``,
``lookup`` and the named rules of ``rules.tf``: ``ingress_rules`` with
``ingress_cidr_blocks``; ``ingress_with_cidr_blocks`` items, each a rule name or ports and
comma-separated ``cidr_blocks`` (``ingress_cidr_blocks`` when absent); their IPv6 and
``computed_*`` forms; and the generated sub-modules (``//modules/postgresql``) that add
their group's rules. This fact reads the inputs as that contract says, for a call of the
registry module (``facts.tf_registry.security_groups``) and of its code on disk
(recognised by the variables and resources it declares), wherever the call sits in a
chain of module calls. An opening is placed on what the checked document wrote: the item's
``cidr_blocks``, else the input, else nothing (the value is another module's own).
Datastore modules that create their own group are read the same way, from their tables:
a list of CIDR blocks on one port (``DATASTORE_INGRESS``) or a map of rule objects
(``RULE_MAP_INGRESS``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from guardrails.documents import Expr, TerraformDocument
from guardrails.facts.network import ALL_PORTS, is_world
from guardrails.facts.terraform import INPUT, Origin, Resolved, Scope, scopes
from guardrails.facts.tf_registry import DATASTORE_INGRESS, RULE_MAP_INGRESS, is_security_group
from guardrails.facts.tf_sg_rules import GROUPS, rules_of
from guardrails.model import Span
from guardrails.project import Project
from guardrails.records import Frozen

_TCP = {"tcp", "6"}
_ALL = {"-1", "all"}
#: The module's code on disk declares these variables and this resource.
_SIGNATURE = ("rules", "ingress_with_cidr_blocks", "ingress_cidr_blocks", "ingress_rules")
_RULE_RESOURCE = "aws_security_group_rule.ingress_with_cidr_blocks"
#: Inputs of ingress rules maps: (input, its source key, the list used when the key is absent, count input).
_WITH_CIDRS = (
    ("ingress_with_cidr_blocks", "cidr_blocks", "ingress_cidr_blocks", ""),
    ("ingress_with_ipv6_cidr_blocks", "ipv6_cidr_blocks", "ingress_ipv6_cidr_blocks", ""),
    (
        "computed_ingress_with_cidr_blocks",
        "cidr_blocks",
        "ingress_cidr_blocks",
        "number_of_computed_ingress_with_cidr_blocks",
    ),
    (
        "computed_ingress_with_ipv6_cidr_blocks",
        "ipv6_cidr_blocks",
        "ingress_ipv6_cidr_blocks",
        "number_of_computed_ingress_with_ipv6_cidr_blocks",
    ),
)
#: Inputs of rule names, opened to every CIDR of the default lists: (input, count input).
_NAMED = (("ingress_rules", ""), ("computed_ingress_rules", "number_of_computed_ingress_rules"))
_DEFAULT_CIDRS = ("ingress_cidr_blocks", "ingress_ipv6_cidr_blocks")
#: The source fields of a rule-map entry (``aws_vpc_security_group_ingress_rule``'s arguments).
_RULE_CIDRS = ("cidr_ipv4", "cidr_ipv6")


class Opening(Frozen):
    """TCP ports one input of a security-group module call opens to the whole internet."""

    module: str  # ``module.db_sg`` (``module.a.module.sg`` when nested)
    input: str  # ``ingress_with_cidr_blocks[0]``, ``ingress_rules``
    rules: tuple[str, ...]  # the named rules that gave the ports
    ports: list[tuple[int, int]]
    world: list[str]
    span: Span
    origins: list[Origin]
    related: list[dict[str, Any]]

    @property
    def anchor(self) -> str:
        return self.input.replace(" with ", "+")

    @property
    def via(self) -> str:
        """`` through its input ingress_rules (postgresql-tcp) (from var.x default (variables.tf:3))``."""
        named = f" ({', '.join(self.rules)})" if self.rules else ""
        shown = [str(o) for o in self.origins if o.kind != INPUT]
        return f" through its input {self.input}{named}" + (f" (from {', '.join(shown)})" if shown else "")


def openings(doc: TerraformDocument, project: Project) -> Iterator[Opening]:
    """What the security-group modules that ``doc``'s calls create open to the internet."""
    for scope in scopes(doc, project):
        yield from _datastore(scope)
        yield from _rule_map(scope)
        rules = _rules(scope)
        if rules is None or _var(scope, "create").as_bool() is False:
            continue
        yield from _with_cidrs(scope, rules)
        yield from _named(scope, rules)


def _datastore(scope: Scope) -> Iterator[Opening]:
    """The port a datastore module's own security group opens to its CIDR input
    (``tf_registry.DATASTORE_INGRESS``)."""
    table = scope.module.published
    ingress = DATASTORE_INGRESS.get(table.source) if table is not None else None
    if ingress is None or any(_var(scope, switch).as_bool() is False for switch in ingress.switches):
        return
    port = _var(scope, ingress.port).as_int()
    listed = _var(scope, ingress.cidrs)
    values = listed.value if listed.known and isinstance(listed.value, list) else []
    world = [str(v) for v in values if is_world(str(v))]
    span = _place(scope, ingress.cidrs, listed) if world and port is not None else None
    if port is not None and span is not None:
        yield Opening(scope.prefix.rstrip("."), ingress.cidrs, (), [(port, port)], world, span, listed.origins, [])


def _rule_map(scope: Scope) -> Iterator[Opening]:
    """The ingress entries of a datastore module's own security group that admit the world
    (``tf_registry.RULE_MAP_INGRESS``), each placed on its CIDR field when the checked
    document wrote the entry, else on the input."""
    table = scope.module.published
    ingress = RULE_MAP_INGRESS.get(table.source) if table is not None else None
    if ingress is None or any(_var(scope, switch).as_bool() is False for switch in ingress.switches):
        return
    engine = _var(scope, ingress.engine)
    port = ingress.ports.get(str(engine.value), ingress.port) if engine.known else None
    found = _var(scope, ingress.rules)
    written = _written(scope, ingress.rules)
    entries: list[tuple[str, Any, dict[str, Expr]]]
    if written is not None and written[0].kind == "object":
        expr, where = written
        entries = [
            (key, _item(item, where), item.value if item.kind == "object" else {}) for key, item in expr.value.items()
        ]
    elif found.known and isinstance(found.value, dict):
        entries = [(str(key), item, {}) for key, item in found.value.items()]
    else:
        return
    for key, item, fields in entries:
        if not isinstance(item, dict) or item.get("type", "ingress") != "ingress":
            continue
        ports = _ports(item.get("ip_protocol", "tcp"), item.get("from_port", port), item.get("to_port", port))
        world = [f for f in _RULE_CIDRS if item.get(f) is not None and is_world(str(item[f]))]
        if ports is None or not world:
            continue
        span = fields[world[0]].span if world[0] in fields else _place(scope, ingress.rules, found)
        if span is not None:
            sources = [str(item[f]) for f in world]
            name = f'{ingress.rules}["{key}"]'
            yield Opening(scope.prefix.rstrip("."), name, (), [ports], sources, span, found.origins, [])


def _rules(scope: Scope) -> dict[str, tuple[int, int, str]] | None:
    """The named rules of a security-group module (None for any other module)."""
    module = scope.module
    if module.published is not None:
        return rules_of(module.published.major) if is_security_group(module.published.source) else None
    if not all(name in module.variables for name in _SIGNATURE):
        return None
    if not any(b.address == _RULE_RESOURCE for d in module.documents for b in d.resources("aws_security_group_rule")):
        return None
    found = _var(scope, "rules")
    if not found.known or not isinstance(found.value, dict):
        return {}
    return {
        name: (row[0], row[1], str(row[2]))
        for name, row in found.value.items()
        if isinstance(row, list) and len(row) >= 3 and all(isinstance(v, (int, str)) for v in row[:3])
    }


def _ref(name: str) -> Expr:
    return Expr("reference", f"var.{name}", f"var.{name}", Span.point(1))


def _var(scope: Scope, name: str) -> Resolved:
    return scope.resolve(_ref(name))


def _written(scope: Scope, name: str) -> tuple[Expr, Scope] | None:
    """The expression the checked document wrote for input ``name`` (through nested calls),
    with the scope it is evaluated in; None when the document did not write it."""
    expr, where = scope.bound(_ref(name))
    caller = scope.calls[0].scope if scope.calls else None
    return (expr, where) if caller is not None and (where.module, where.call) == (caller.module, caller.call) else None


def _place(scope: Scope, name: str, found: Resolved) -> Span | None:
    """Where an opening that input ``name`` carries belongs in the checked document."""
    written = _written(scope, name)
    if written is not None:
        return written[0].span
    outermost = scope.calls[0]
    inputs = [o for o in found.origins if o.kind == INPUT and o.path == outermost.path and o.span is not None]
    return inputs[-1].span if inputs else None


def _limit(scope: Scope, items: list[Any], count: str) -> list[Any]:
    """The items a ``computed_*`` input creates: as many as its ``number_of_*`` input says."""
    if not count:
        return items
    number = _var(scope, count).as_int()
    return items[: max(number, 0)] if number is not None else items


def _ports(protocol: Any, low: Any, high: Any) -> tuple[int, int] | None:
    """The TCP range a rule opens, None for UDP, ICMP or what is not known."""
    name = str(protocol).lower()
    if name in _ALL:
        return ALL_PORTS
    if name not in _TCP:
        return None
    try:
        return int(str(low)), int(str(high))
    except ValueError:
        return None


def _related(scope: Scope, resource: str) -> list[dict[str, Any]]:
    """The module's rule resource on disk that the input feeds (a table has no file)."""
    for doc in scope.module.documents if scope.module.published is None else []:
        for block in doc.resources("aws_security_group_rule"):
            if block.labels[1:] == [resource]:
                return [{"path": doc.path, "line": block.span.line, "resource": scope.prefix + block.address}]
    return []


def _item(expr: Expr, scope: Scope) -> Any:
    """An ``ingress_with_*`` item as written: a field not known here is None, so that it
    decides nothing (a port or source that cannot be read is never taken from the rule)."""
    if expr.kind != "object":
        found = scope.resolve(expr)
        return found.value if found.known else None
    fields = {key: scope.resolve(value) for key, value in expr.value.items()}
    return {key: found.value if found.known else None for key, found in fields.items()}


def _with_cidrs(scope: Scope, rules: dict[str, tuple[int, int, str]]) -> Iterator[Opening]:
    for name, key, fallback, count in _WITH_CIDRS:
        found = _var(scope, name)
        written = _written(scope, name)
        items: list[tuple[Any, dict[str, Expr]]]
        if written is not None and written[0].kind == "tuple":
            expr, where = written
            items = [(_item(item, where), item.value if item.kind == "object" else {}) for item in expr.value]
        elif found.known and isinstance(found.value, list):
            items = [(item, {}) for item in found.value]
        else:
            continue
        for index, (item, fields) in enumerate(_limit(scope, items, count)):
            if not isinstance(item, dict):
                continue
            rule = str(item.get("rule", ""))
            named = rules.get(rule, (None, None, None))
            ports = _ports(
                item.get("protocol", named[2]), item.get("from_port", named[0]), item.get("to_port", named[1])
            )
            if ports is None:
                continue
            if key in item:
                sources = str(item[key]).split(",")
                span = fields[key].span if key in fields else _place(scope, name, found)
                origins = found.origins
            else:
                listed = _var(scope, fallback)
                sources = [str(v) for v in listed.value] if listed.known and isinstance(listed.value, list) else []
                span, origins = _place(scope, fallback, listed), listed.origins
            world = [s.strip() for s in sources if is_world(s.strip())]
            if world and span is not None:
                yield Opening(
                    scope.prefix.rstrip("."),
                    f"{name}[{index}]",
                    (rule,) if rule in rules and "from_port" not in item else (),
                    [ports],
                    world,
                    span,
                    origins,
                    _related(scope, name),
                )


def _named(scope: Scope, rules: dict[str, tuple[int, int, str]]) -> Iterator[Opening]:
    table = scope.module.published
    auto = list(GROUPS.get(table.source.rpartition("/")[2], ())) if table is not None and "//" in table.source else []
    for name, count in _NAMED:
        found = _var(scope, name)
        if not found.known or not isinstance(found.value, list):
            continue
        names = [str(n) for n in _limit(scope, (auto if name == "ingress_rules" else []) + found.value, count)]
        opened = [(n, _ports(rules[n][2], rules[n][0], rules[n][1])) for n in names if n in rules]
        ports = [(n, p) for n, p in opened if p is not None]
        if not ports:
            continue
        for cidrs in _DEFAULT_CIDRS:
            listed = _var(scope, cidrs)
            values = listed.value if listed.known and isinstance(listed.value, list) else []
            world = [str(v) for v in values if is_world(str(v))]
            span = _place(scope, cidrs, listed) if world else None
            if span is not None:
                yield Opening(
                    scope.prefix.rstrip("."),
                    f"{name} with {cidrs}",
                    tuple(n for n, _ in ports),
                    [p for _, p in ports],
                    world,
                    span,
                    listed.origins,
                    _related(scope, name),
                )
