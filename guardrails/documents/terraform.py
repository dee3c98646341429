"""Terraform (.tf, .tf.json, .tfvars): blocks, attributes and expressions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from guardrails.model import Document, Node, Span


@dataclass
class Expr:
    """An HCL expression: enough structure to resolve values, with its source text.

    kind is one of: ``literal`` (value: str/int/float/bool/None), ``tuple`` (value:
    list[Expr]), ``object`` (value: dict[str, Expr]), ``template`` (value: str with its
    interpolations left as text), ``reference`` (value: dotted path such as
    ``var.ttl``, ``local.x`` or ``aws_route53_zone.main.name_servers[0]``),
    ``call`` (value: function name; ``args``), ``conditional`` (``args``: condition,
    then, else), ``binary`` (value: operator such as ``==`` or ``&&``; ``args``: left,
    right), ``unary`` (value ``!``; ``args``: operand), ``other`` (anything else).
    """

    kind: str
    value: Any
    text: str
    span: Span
    args: list[Expr] = field(default_factory=list)

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


@dataclass
class Attribute:
    name: str
    expr: Expr
    span: Span


@dataclass
class Block:
    """An HCL block: ``type "label" "label" { ... }``."""

    type: str
    labels: list[str]
    attributes: dict[str, Attribute]
    blocks: list[Block]
    span: Span
    #: The resource instance address a plan gives it (``module.db.aws_db_instance.this[0]``).
    instance: str = ""
    #: In a plan, the arguments it lists as ``null`` or ``[]``: unset, so absent from
    #: ``attributes`` and ``blocks`` (the provider default applies); any other absence there is unknown.
    unset: frozenset[str] = frozenset()

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


@dataclass
class TerraformDocument(Document):
    """A .tf, .tf.json, .tfvars or .tfvars.json file: its top-level blocks and attributes."""

    blocks: list[Block] = field(default_factory=list)
    attributes: dict[str, Attribute] = field(default_factory=dict)

    def resources(self, *types: str) -> list[Block]:
        return [b for b in self.blocks if b.type == "resource" and b.labels and (not types or b.labels[0] in types)]


@dataclass
class PlanDocument(TerraformDocument):
    """``terraform show -json`` of a plan: its JSON tree (``roots``), and as ``blocks`` the managed
    resources of the state it plans, with their planned values (``parsers.terraform_plan``), so
    that the rules that judge Terraform resources judge a plan with the same facts."""

    roots: list[Node] = field(default_factory=list)
