"""The tree-sitter HCL parser: positions and values outside ASCII, and input that HCL rejects
although tree-sitter-hcl accepts it (both used to crash the whole scan)."""

from __future__ import annotations

import pytest

from guardrails.documents import Expr
from guardrails.model import Kind, ParseError, Span
from guardrails.parsers.hcl import parse

NON_ASCII = (
    'resource "aws_route53_record" "ü" {\n'
    '  name = "héllo-wörld"\n'
    '  tags = { "ключ" = "é", b = ["€", 2] }\n'
    "  ttl  = var.ttl  # 日本語\n"
    "}\n"
)


def test_non_ascii_values_and_columns_count_characters() -> None:
    doc = parse("m.tf", NON_ASCII, Kind.TERRAFORM)
    (block,) = doc.blocks
    assert block.labels == ["aws_route53_record", "ü"]
    name, tags, ttl = block.get("name"), block.get("tags"), block.get("ttl")
    assert name is not None and tags is not None and ttl is not None
    assert (name.expr.value, name.expr.span) == ("héllo-wörld", Span(2, 10, 2, 23))
    assert tags.span == Span(3, 3, 3, 40)
    assert tags.expr.literal() == {"ключ": "é", "b": ["€", 2]}
    assert (tags.expr.value["b"].value[1].span, tags.expr.value["b"].value[1].text) == (Span(3, 36, 3, 37), "2")
    assert (ttl.expr.kind, ttl.expr.value, ttl.expr.span) == ("reference", "var.ttl", Span(4, 10, 4, 17))
    assert block.span == Span(1, 1, 5, 2)


def _spans(expr: Expr) -> list[Span]:
    inner = expr.value.values() if expr.kind == "object" else expr.value if expr.kind == "tuple" else expr.args
    return [expr.span, *(span for item in inner for span in _spans(item))]


def test_non_ascii_text_has_the_positions_of_the_same_layout_in_ascii() -> None:
    """Byte offsets are character offsets only in ASCII: both paths must give the same columns."""
    ascii_text = "".join(ch if ord(ch) < 128 else "x" for ch in NON_ASCII)
    documents = [parse("m.tf", text, Kind.TERRAFORM) for text in (NON_ASCII, ascii_text)]
    spans = [
        [
            doc.blocks[0].span,
            *(s for attr in doc.blocks[0].attributes.values() for s in (attr.span, *_spans(attr.expr))),
        ]
        for doc in documents
    ]
    assert spans[0] == spans[1]
    assert len(spans[0]) == 11


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("a = 0x1F\n", (1, 5)),
        ("a = [1, -0xZZ]\n", (1, 10)),
        ('a = "${}"\n', (1, 6)),
        ('a = { k = "${"${}"}" }\n', (1, 15)),
    ],
)
def test_what_terraform_rejects_is_a_parse_error_with_its_position(text: str, position: tuple[int, int]) -> None:
    with pytest.raises(ParseError) as info:
        parse("bad.tf", text, Kind.TERRAFORM)
    assert (info.value.line, info.value.column) == position
    assert info.value.message.startswith("invalid HCL: ")


@pytest.mark.parametrize(
    ("source", "kind", "value"),
    [
        ('" a "', "literal", " a "),
        ('"echo ${var.x} done"', "template", "echo ${var.x} done"),
        ('"ü ${var.x} ü"', "template", "ü ${var.x} ü"),
        ('" ${var.x}"', "template", " ${var.x}"),
        ('"${var.x}"', "reference", "var.x"),
        ('"%{ if var.a }x%{ endif } b"', "template", "%{ if var.a }x%{ endif } b"),
        ("<<EOT\n  rm -rf ${var.dir}/*\n  echo done\nEOT\n", "template", "  rm -rf ${var.dir}/*\n  echo done\n"),
        ("<<-EOT\n    rm ${var.a} x\n      y\n    EOT\n", "template", "rm ${var.a} x\n  y\n"),
    ],
)
def test_template_text_keeps_the_spaces_around_interpolations(source: str, kind: str, value: str) -> None:
    """tree-sitter-hcl leaves the spaces next to ``${…}`` out of its literal nodes: ``rm -rf
    ${var.dir}/*`` once read as ``rm -rf${var.dir}/*``, one word, and a heredoc lost its
    first indentation. Values are Terraform's (a flush heredoc loses the least indentation)."""
    expr = parse("main.tf", f"x = {source}\n", Kind.TERRAFORM).attributes["x"].expr
    assert (expr.kind, expr.value) == (kind, value)
