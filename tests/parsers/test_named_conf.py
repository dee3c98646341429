"""The named.conf parser: BIND's tokens and its one statement shape."""

from __future__ import annotations

import pytest

from guardrails.model import Kind, ParseError, Span
from guardrails.parsers.named_conf import parse


def test_statements_blocks_comments_and_strings() -> None:
    text = (
        '// c++ comment\n# shell comment\n/* a\n  block */ options {\n  directory "/var/cache/bind";\n'
        "  listen-on port 53 { 127.0.0.1; !10.0.0.1; { 192.168.0.0/16; }; };\n};\n"
        'zone "ex\\"ample.com" IN { type master; file "db;x{"; };\n'
    )
    doc = parse("named.conf", text, Kind.NAMED_CONF)
    options, zone = doc.statements
    assert options.keyword == "options" and options.span == Span(4, 12, 7, 3)
    assert options.value("directory").text == "/var/cache/bind"  # type: ignore[union-attr]
    listen = options.first("listen-on")
    assert listen is not None and [a.text for a in listen.args] == ["port", "53"]
    assert [s.keyword for s in listen.block or ()] == ["127.0.0.1", "!10.0.0.1", ""]
    assert zone.args[0].text == 'ex"ample.com' and zone.args[0].quoted and zone.args[1].text == "IN"
    assert zone.value("file").text == "db;x{"  # type: ignore[union-attr]
    assert zone.first("file").span == Span(8, 40, 8, 53)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('zone "x" { type master; }\n', 1),  # missing ';' after '}' at the end
        ('zone "x" { type master }\n;', 1),
        ("options {\n directory x;\n", 1),
        ("};\n", 1),
        ('include "a\n', 1),
        ("/* never closed\n", 1),
    ],
)
def test_what_bind_refuses(text: str, line: int) -> None:
    with pytest.raises(ParseError) as error:
        parse("named.conf", text, Kind.NAMED_CONF)
    assert error.value.line == line


def test_words_and_blocks_interleave() -> None:
    doc = parse(
        "named.conf", "controls {\n  inet 127.0.0.1 port 953 allow { any; } keys { rndc; };\n};\n", Kind.NAMED_CONF
    )
    inet = doc.statements[0].first("inet")
    assert inet is not None and [a.text for a in inet.args] == ["127.0.0.1", "port", "953", "allow", "keys"]
    assert [[s.keyword for s in block] for block in inet.blocks] == [["any"], ["rndc"]]


def test_module_parameters_are_text() -> None:
    text = 'dyndb sample "sample.so" { ipv4.example.nil. in-addr.arpa. };\nplugin query "f.so" { a { b } };\n'
    doc = parse("named.conf", text, Kind.NAMED_CONF)
    assert [(s.keyword, s.blocks) for s in doc.statements] == [("dyndb", [[]]), ("plugin", [[]])]


def test_server_keys_without_semicolon() -> None:
    doc = parse("named.conf", 'server 10.0.0.1 {\n  keys { "k" };\n};\n', Kind.NAMED_CONF)
    keys = doc.statements[0].first("keys")
    assert keys is not None and [s.keyword for s in keys.block or ()] == ["k"]


def test_stray_semicolons_and_empty_file() -> None:
    assert parse("named.conf", "", Kind.NAMED_CONF).statements == []
    doc = parse("named.conf", ';\ninclude "x";;\n', Kind.NAMED_CONF)
    assert [(s.keyword, s.args[0].text) for s in doc.statements] == [("include", "x")]
