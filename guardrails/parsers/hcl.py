"""Terraform (.tf) and variable files (.tfvars) through tree-sitter-hcl.

Every block, attribute and expression keeps its own position, which python-hcl2's
current ``load()`` no longer gives; python-hcl2 stays in the tests as an oracle.
"""

from __future__ import annotations

from typing import Any

from guardrails.documents import Attribute, Block, Expr, TerraformDocument
from guardrails.model import Kind, ParseError
from guardrails.parsers._treesitter import Source, parser, raise_first_error

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def parse(path: str, text: str, kind: Kind) -> TerraformDocument:
    source = Source(text)
    tree = parser("hcl").parse(source.data)
    raise_first_error(tree.root_node, source, "HCL")
    body = next((c for c in tree.root_node.children if c.type == "body"), None)
    builder = _Builder(source)
    try:
        blocks, attributes = builder.body(body) if body is not None else ([], {})
    except RecursionError:
        raise ParseError("HCL nested too deeply to analyse") from None
    return TerraformDocument(path=path, kind=kind, text=text, blocks=blocks, attributes=attributes)


class _Builder:
    def __init__(self, source: Source) -> None:
        self.source = source

    def body(self, node: Any) -> tuple[list[Block], dict[str, Attribute]]:
        blocks: list[Block] = []
        attributes: dict[str, Attribute] = {}
        for child in node.children:
            if child.type == "attribute":
                name = self.source.text_of(child.children[0])
                expr_node = next(c for c in child.children if c.type == "expression")
                attributes[name] = Attribute(name, self.expr(expr_node), self.source.span(child))
            elif child.type == "block":
                blocks.append(self.block(child))
        return blocks, attributes

    def block(self, node: Any) -> Block:
        block_type = ""
        labels: list[str] = []
        blocks: list[Block] = []
        attributes: dict[str, Attribute] = {}
        for child in node.children:
            if child.type == "identifier":
                if not block_type:
                    block_type = self.source.text_of(child)
                else:
                    labels.append(self.source.text_of(child))
            elif child.type == "string_lit":
                labels.append(self.string_lit(child))
            elif child.type == "body":
                blocks, attributes = self.body(child)
        return Block(block_type, labels, attributes, blocks, self.source.span(node))

    def string_lit(self, node: Any) -> str:
        return "".join(_unescape(self.source.text_of(c)) for c in node.children if c.type == "template_literal")

    def expr(self, node: Any) -> Expr:
        text = self.source.text_of(node)
        span = self.source.span(node)
        children = node.children
        if node.type == "expression" and len(children) == 1:
            return self._single(children[0], text, span)
        is_traversal = children and children[0].type == "variable_expr"
        if is_traversal and all(c.type in ("variable_expr", "get_attr", "index") for c in children):
            return Expr("reference", _reference_text(text), text, span)
        return Expr("other", None, text, span)

    def _single(self, node: Any, text: str, span: Any) -> Expr:
        kind = node.type
        if kind == "literal_value":
            return Expr("literal", self.literal(node.children[0]), text, span)
        if kind == "variable_expr":
            return Expr("reference", text.strip(), text, span)
        if kind == "template_expr":
            inner = node.children[0]
            parts = [c for c in inner.children if c.type in ("template_literal", "template_interpolation")]
            if parts and all(c.type == "template_literal" for c in parts) and inner.type == "quoted_template":
                return Expr("literal", "".join(_unescape(self.source.text_of(c)) for c in parts), text, span)
            if len(parts) == 1 and parts[0].type == "template_interpolation" and inner.type == "quoted_template":
                inner_expr = next(c for c in parts[0].children if c.type == "expression")
                nested = self.expr(inner_expr)
                if nested.kind == "reference":
                    return Expr("reference", nested.value, text, span)
            return Expr("template", self._template_text(inner), text, span)
        if kind == "collection_value":
            coll = node.children[0]
            if coll.type == "tuple":
                items = [self.expr(c) for c in coll.children if c.type == "expression"]
                return Expr("tuple", items, text, span)
            obj: dict[str, Expr] = {}
            for elem in (c for c in coll.children if c.type == "object_elem"):
                exprs = [c for c in elem.children if c.type == "expression"]
                if len(exprs) == 2:
                    key = self.expr(exprs[0])
                    key_text = key.value if key.kind in ("literal", "reference") else key.text
                    obj[str(key_text)] = self.expr(exprs[1])
            return Expr("object", obj, text, span)
        if kind == "function_call":
            name = self.source.text_of(node.children[0])
            args_node = next((c for c in node.children if c.type == "function_arguments"), None)
            args = [self.expr(c) for c in args_node.children if c.type == "expression"] if args_node else []
            return Expr("call", name, text, span, args=args)
        if kind == "operation" and node.children[0].type == "unary_operation":
            op = node.children[0]
            if len(op.children) == 2 and op.children[1].type == "literal_value":
                value = self.literal(op.children[1].children[0])
                if self.source.text_of(op.children[0]) == "-" and isinstance(value, (int, float)):
                    return Expr("literal", -value, text, span)
        return Expr("other", None, text, span)

    def _template_text(self, node: Any) -> str:
        pieces = []
        for c in node.children:
            if c.type == "template_literal":
                pieces.append(_unescape(self.source.text_of(c)))
            elif c.type in ("template_interpolation", "template_directive"):
                pieces.append(self.source.text_of(c))
        return "".join(pieces)

    def literal(self, node: Any) -> Any:
        raw = self.source.text_of(node)
        if node.type == "numeric_lit":
            try:
                return int(raw)
            except ValueError:
                return float(raw)
        if node.type == "bool_lit":
            return raw == "true"
        if node.type == "null_lit":
            return None
        if node.type == "string_lit":
            return self.string_lit(node)
        return raw


def _reference_text(text: str) -> str:
    return "".join(text.split())


def _unescape(raw: str) -> str:
    if "\\" not in raw:
        return raw
    out = []
    i = 0
    while i < len(raw):
        ch = raw[i]
        if ch == "\\" and i + 1 < len(raw) and raw[i + 1] in _ESCAPES:
            out.append(_ESCAPES[raw[i + 1]])
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)
