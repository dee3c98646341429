"""Terraform network exposure: which ports a firewall rule opens and to whom, with values
resolved through variables, locals and tfvars (``guardrails.facts.terraform``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from guardrails.documents import Attribute, Block, Expr
from guardrails.facts.network import ALL_PORTS, covers, is_world, port_range
from guardrails.facts.terraform import Module, Origin

_TCP = {"tcp", "6", "-1", "all", "*"}


@dataclass(slots=True)
class Strings:
    """A list attribute resolved item by item; ``unknown`` counts items we could not resolve."""

    values: list[str] = field(default_factory=list)
    origins: list[Origin] = field(default_factory=list)
    unknown: int = 0

    @property
    def via(self) -> str:
        return f" (from {', '.join(str(o) for o in self.origins)})" if self.origins else ""


def strings(expr: Expr | None, module: Module) -> Strings:
    """A string or list of strings, each item resolved on its own (``[var.office, "10.0.0.0/8"]``)."""
    out = Strings()
    if expr is None:
        return out
    items = expr.value if expr.kind == "tuple" else [expr]
    for item in items:
        resolved = module.resolve(item)
        out.origins.extend(resolved.origins)
        value = resolved.value
        if not resolved.known:
            out.unknown += 1
        elif isinstance(value, list):
            out.values.extend(str(v) for v in value)
        elif value is not None:
            out.values.append(str(value))
    return out


def attr_strings(block: Block, name: str, module: Module) -> tuple[Attribute | None, Strings]:
    attr = block.get(name)
    return attr, strings(attr.expr if attr is not None else None, module)


def world(values: Strings) -> list[str]:
    return [v for v in values.values if is_world(v)]


def value(block: Block, name: str, module: Module) -> object:
    attr = block.get(name)
    if attr is None:
        return None
    resolved = module.resolve(attr.expr)
    return resolved.value if resolved.known else None


def sg_ports(block: Block, module: Module, protocol_attr: str = "protocol") -> tuple[int, int] | None:
    """The TCP ports of an AWS rule: ``from_port``..``to_port``; protocol ``-1`` is every port."""
    protocol = str(value(block, protocol_attr, module) or "").lower()
    if protocol in ("-1", "all"):
        return ALL_PORTS
    if protocol not in _TCP:
        return None
    low, high = value(block, "from_port", module), value(block, "to_port", module)
    try:
        return (int(str(low)), int(str(high)))
    except ValueError:
        return None


def port_list(items: list[str]) -> list[tuple[int, int]]:
    """``["5432", "27000-28000", "*"]`` -> ranges (``*`` is every port)."""
    spans: list[tuple[int, int]] = []
    for item in items:
        if item.strip() == "*":
            spans.append(ALL_PORTS)
            continue
        span = port_range(item)
        if span is not None:
            spans.append(span)
    return spans


def datastore_hits(spans: list[tuple[int, int]], ports: dict[int, str]) -> list[tuple[int, str]]:
    """The signature datastore ports (``{5432: "PostgreSQL"}``) that some range covers."""
    return [(port, name) for port, name in ports.items() if any(covers(span, port) for span in spans)]


def describe_hits(hits: list[tuple[int, str]], spans: list[tuple[int, int]]) -> str:
    if ALL_PORTS in spans or any(high - low > 1000 for low, high in spans):
        shown = ", ".join(f"{p} {n}" for p, n in hits[:4])
        scope = "every port" if ALL_PORTS in spans else f"every port in {_spans(spans)}"
        return f"{scope}, including {shown}" + (" ..." if len(hits) > 4 else "")
    return ", ".join(f"{p} ({n})" for p, n in hits)


def _spans(spans: list[tuple[int, int]]) -> str:
    return ", ".join("all" if s == ALL_PORTS else f"{s[0]}-{s[1]}" if s[0] != s[1] else str(s[0]) for s in spans)
