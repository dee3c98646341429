"""Terraform's JSON syntax (``.tf.json``, ``.tfvars.json``) as a TerraformDocument.

Rules are written once against Block/Attribute/Expr, so this maps the JSON shape
onto the same model the HCL parser produces. Positions come from json_tree.

JSON cannot say whether ``"key": {...}`` is a nested block or an attribute whose
value is an object; Terraform decides with the provider schema, which we do not
have. The heuristic (see ``_is_block``): a key in ``NESTED_BLOCKS`` is a block, a
key in ``MAP_ATTRIBUTES`` is an attribute, and any other key whose value is an
object or a non-empty list of objects is a block. Lists of objects become repeated
blocks (``"ingress": [{...}, {...}]``).
"""

from __future__ import annotations

import json
import re

from guardrails.documents import Attribute, Block, Expr, TerraformDocument
from guardrails.model import Kind, Node, ParseError, Span
from guardrails.parsers.json_tree import FAST_PATH_CHARS, parse_node

# Labels each top-level block type takes ("resource" "type" "name" {...}).
TOP_LEVEL_LABELS: dict[str, int] = {
    "resource": 2,
    "data": 2,
    "ephemeral": 2,
    "variable": 1,
    "output": 1,
    "module": 1,
    "provider": 1,
    "check": 1,
    "terraform": 0,
    "moved": 0,
    "import": 0,
    "removed": 0,
}
# Nested block types that take a label in JSON form.
NESTED_LABELS: dict[str, int] = {"backend": 1, "provisioner": 1, "dynamic": 1}
# Keys that are always nested blocks when their value is an object or list of objects.
NESTED_BLOCKS = frozenset(
    {
        "lifecycle",
        "ingress",
        "egress",
        "name_server",
        "alias",
        "dynamic",
        "provisioner",
        "connection",
        "backend",
        "cloud",
        "required_providers",
        "precondition",
        "postcondition",
        "validation",
        "content",
        "timeouts",
        "versioning",
        "server_side_encryption_configuration",
        "ip_configuration",
        "authorized_networks",
        "settings",
        "setting",
        "database_flags",
        "backup_configuration",
        "default_tags",
        "weighted_routing_policy",
        "failover_routing_policy",
        "geolocation_routing_policy",
        "latency_routing_policy",
    }
)
# Keys whose object value is a map attribute, never a block.
MAP_ATTRIBUTES = frozenset(
    {
        "tags",
        "tags_all",
        "labels",
        "annotations",
        "variables",
        "environment",
        "triggers",
        "default",
        "value",
        "for_each",
        "providers",
        "config",
        "parameters",
    }
)
# Bodies whose keys are all attributes: module inputs, provider requirements, locals.
ATTRIBUTE_ONLY_BODIES = frozenset({"module", "required_providers", "locals"})

_COMMENT_KEY = "//"
_REFERENCE = re.compile(r'\$\{\s*([A-Za-z_][\w-]*(?:\.(?:[A-Za-z_][\w-]*|\d+|\*)|\[\s*(?:\d+|"[^"]*"|\*)\s*\])*)\s*\}')
_INTERPOLATION = re.compile(r"(?<!\$)\$\{|(?<!%)%\{")


class Source:
    """Slices the source text by (line, column) spans, as json_tree computed them (shared with
    the plan reader, ``parsers.terraform_plan``)."""

    __slots__ = ("exact", "starts", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        # Above json_tree's fast-path size every span is the whole document.
        self.exact = len(text) <= FAST_PATH_CHARS
        bom = 1 if text.startswith("\ufeff") else 0
        self.starts = [bom, *(m.end() for m in re.finditer("\n", text))] if self.exact else []

    def source(self, node: Node) -> str:
        """The node's source text; re-serialised when positions are not exact."""
        if not self.exact:
            return json.dumps(node.to_python(), ensure_ascii=False)
        span = node.span
        start = self.starts[span.line - 1] + span.column - 1
        end = self.starts[span.end_line - 1] + span.end_column - 1
        return self.text[start:end]


def _join(start: Span, end: Span) -> Span:
    return Span(start.line, start.column, end.end_line, end.end_column)


def _expr(node: Node, src: Source) -> Expr:
    """An attribute value as an Expr; ``${...}`` strings are templates or references."""
    text = src.source(node)
    if node.kind == "map":
        return Expr("object", {k.text: _expr(v, src) for k, v in node.value}, text, node.span)
    if node.kind == "seq":
        return Expr("tuple", [_expr(v, src) for v in node.value], text, node.span)
    value = node.value
    if isinstance(value, str) and _INTERPOLATION.search(value):
        ref = _REFERENCE.fullmatch(value)
        if ref is not None:
            return Expr("reference", ref.group(1), text, node.span)
        return Expr("template", value, text, node.span)
    return Expr("literal", value, text, node.span)


def _attribute(key: Node, value: Node, src: Source) -> Attribute:
    return Attribute(key.text, _expr(value, src), _join(key.span, value.span))


def _is_block(name: str, value: Node) -> bool:
    """The nested-block heuristic described in the module docstring."""
    if value.kind == "seq":
        if not value.value or any(item.kind != "map" for item in value.value):
            return False
    elif value.kind != "map":
        return False
    return name in NESTED_BLOCKS or name not in MAP_ATTRIBUTES


def _body(block_type: str, node: Node, src: Source) -> tuple[dict[str, Attribute], list[Block]]:
    attributes: dict[str, Attribute] = {}
    blocks: list[Block] = []
    attributes_only = block_type in ATTRIBUTE_ONLY_BODIES
    for key, value in node.value:
        name = key.text
        if name == _COMMENT_KEY:
            continue
        if not attributes_only and _is_block(name, value):
            blocks.extend(_blocks(name, value, NESTED_LABELS.get(name, 0), src, [], key))
        else:
            attributes[name] = _attribute(key, value, src)
    return attributes, blocks


def _blocks(
    block_type: str, node: Node, label_count: int, src: Source, labels: list[str], key: Node | None
) -> list[Block]:
    """Blocks under one key: an object level per label, an array repeats its level."""
    if node.kind == "seq":
        found: list[Block] = []
        for item in node.value:
            found.extend(_blocks(block_type, item, label_count, src, labels, None))
        return found
    if node.kind != "map":
        raise ParseError(f"expected an object for the {block_type!r} block", node.span.line, node.span.column)
    if len(labels) < label_count:
        found = []
        for label, value in node.value:
            if label.text != _COMMENT_KEY:
                found.extend(_blocks(block_type, value, label_count, src, [*labels, label.text], label))
        return found
    attributes, blocks = _body(block_type, node, src)
    span = _join(key.span, node.span) if key is not None else node.span
    return [Block(block_type, labels, attributes, blocks, span)]


def parse(path: str, text: str, kind: Kind) -> TerraformDocument:
    """Blocks of a ``.tf.json``; for ``.tfvars.json`` the top-level keys are attributes."""
    root = parse_node(text)
    if root.kind != "map":
        raise ParseError("a Terraform JSON file must hold a JSON object", root.span.line, root.span.column)
    src = Source(text)
    doc = TerraformDocument(path=path, kind=kind, text=text)
    tfvars = kind == Kind.TFVARS or path.endswith(".tfvars.json")
    try:
        for key, value in root.value:
            name = key.text
            if name == _COMMENT_KEY:
                continue
            if tfvars:
                doc.attributes[name] = _attribute(key, value, src)
            elif name in TOP_LEVEL_LABELS or name == "locals" or _is_block(name, value):
                doc.blocks.extend(_blocks(name, value, TOP_LEVEL_LABELS.get(name, 0), src, [], key))
    except RecursionError:
        raise ParseError("Terraform JSON nested too deeply", root.span.line, root.span.column) from None
    return doc
