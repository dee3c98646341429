"""Terraform (.tf, .tf.json, .tfvars): blocks, attributes and expressions."""

from __future__ import annotations

from typing import Any

from guardrails.model import Document, Kind, Node, Span
from guardrails.records import Record


class Expr(Record):
    """An HCL expression: enough structure to resolve values, with its source text.

    kind is one of: ``literal`` (value: str/int/float/bool/None), ``tuple`` (value:
    list[Expr]), ``object`` (value: dict[str, Expr]), ``template`` (value: str with its
    interpolations left as text), ``reference`` (value: dotted path such as
    ``var.ttl``, ``local.x`` or ``aws_route53_zone.main.name_servers[0]``),
    ``call`` (value: function name; ``args``), ``conditional`` (``args``: condition,
    then, else), ``binary`` (value: operator such as ``==`` or ``&&``; ``args``: left,
    right), ``unary`` (value ``!``; ``args``: operand), ``other`` (anything else).
    """

    __slots__ = ("args", "kind", "span", "text", "value")

    def __init__(self, kind: str, value: Any, text: str, span: Span, args: list[Expr] | None = None) -> None:
        self.kind = kind
        self.value = value
        self.text = text
        self.span = span
        self.args: list[Expr] = [] if args is None else args

    def literal(self) -> Any:
        """The plain Python value when the expression is fully literal, else ``None``."""
        if self.kind == "literal":
            return self.value
        if self.kind == "tuple":
            items = [e.literal() for e in self.value]
            return None if any(i is None for i in items) else items
        if self.kind == "object":
            obj = {k: e.literal() for k, e in self.value.items()}
            return None if any(v is None for v in obj.values()) else obj
        return None


class Attribute(Record):
    __slots__ = ("expr", "name", "span")

    def __init__(self, name: str, expr: Expr, span: Span) -> None:
        self.name = name
        self.expr = expr
        self.span = span


class Block(Record):
    """An HCL block: ``type "label" "label" { ... }``."""

    __slots__ = ("attributes", "blocks", "instance", "labels", "span", "type", "unset")

    def __init__(
        self,
        type: str,
        labels: list[str],
        attributes: dict[str, Attribute],
        blocks: list[Block],
        span: Span,
        instance: str = "",
        unset: frozenset[str] = frozenset(),
    ) -> None:
        self.type = type
        self.labels = labels
        self.attributes = attributes
        self.blocks = blocks
        self.span = span
        #: The resource instance address a plan gives it (``module.db.aws_db_instance.this[0]``).
        self.instance = instance
        #: In a plan, the arguments it lists as ``null`` or ``[]``: unset, so absent from ``attributes``
        #: and ``blocks`` (the provider default applies); any other absence there is unknown.
        self.unset = unset

    @property
    def address(self) -> str:
        """The Terraform address: ``aws_db_instance.main``, ``var.ttl``, ``module.x``; in a plan,
        the instance address."""
        if self.instance:
            return self.instance
        if self.type == "resource" and len(self.labels) >= 2:
            return f"{self.labels[0]}.{self.labels[1]}"
        if self.type == "data" and len(self.labels) >= 2:
            return f"data.{self.labels[0]}.{self.labels[1]}"
        if self.type == "variable" and self.labels:
            return f"var.{self.labels[0]}"
        if self.labels:
            return f"{self.type}.{'.'.join(self.labels)}"
        return self.type

    def get(self, name: str) -> Attribute | None:
        return self.attributes.get(name)

    def children(self, block_type: str) -> list[Block]:
        return [b for b in self.blocks if b.type == block_type]

    def child(self, block_type: str) -> Block | None:
        for b in self.blocks:
            if b.type == block_type:
                return b
        return None


class TerraformDocument(Document):
    """A .tf, .tf.json, .tfvars or .tfvars.json file: its top-level blocks and attributes."""

    __slots__ = ("attributes", "blocks")

    def __init__(
        self,
        path: str,
        kind: Kind,
        text: str,
        blocks: list[Block] | None = None,
        attributes: dict[str, Attribute] | None = None,
        **base: Any,
    ) -> None:
        super().__init__(path, kind, text, **base)
        self.blocks: list[Block] = [] if blocks is None else blocks
        self.attributes: dict[str, Attribute] = {} if attributes is None else attributes

    def resources(self, *types: str) -> list[Block]:
        return [b for b in self.blocks if b.type == "resource" and b.labels and (not types or b.labels[0] in types)]


class PlanDocument(TerraformDocument):
    """``terraform show -json`` of a plan: its JSON tree (``roots``), and as ``blocks`` the managed
    resources of the state it plans, with their planned values (``parsers.terraform_plan``), so
    that the rules that judge Terraform resources judge a plan with the same facts."""

    __slots__ = ("roots",)

    def __init__(self, path: str, kind: Kind, text: str, roots: list[Node] | None = None, **base: Any) -> None:
        super().__init__(path, kind, text, **base)
        self.roots: list[Node] = [] if roots is None else roots
