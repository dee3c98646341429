"""The positioned JSON parser: values, spans, strictness, depth and the big-file path."""

from __future__ import annotations

import json

import pytest

from guardrails.documents import TreeDocument
from guardrails.model import Kind, Node, ParseError, Span
from guardrails.parsers import json_tree
from guardrails.parsers.json_tree import MAX_DEPTH, parse, parse_node

SAMPLE = """\
{
  "name": "db",
  "port": 5432,
  "ratio": -1.5e2,
  "flags": [true, false, null],
  "nested": {"a": {}, "b": []},
  "esc": "tab\\t \\u00e9 \\"q\\""
}
"""


def root(text: str) -> Node:
    return parse_node(text)


def test_document() -> None:
    doc = parse("daemon.json", SAMPLE, Kind.DOCKER_DAEMON)
    assert isinstance(doc, TreeDocument)
    assert (doc.path, doc.kind, doc.text) == ("daemon.json", Kind.DOCKER_DAEMON, SAMPLE)
    assert len(doc.roots) == 1
    assert doc.roots[0].to_python() == json.loads(SAMPLE)


def test_values_and_spans() -> None:
    r = root(SAMPLE)
    assert r.kind == "map"
    assert r.span == Span(1, 1, 8, 2)
    keys = [(k.value, k.span) for k, _ in r.value]
    assert keys == [
        ("name", Span(2, 3, 2, 9)),
        ("port", Span(3, 3, 3, 9)),
        ("ratio", Span(4, 3, 4, 10)),
        ("flags", Span(5, 3, 5, 10)),
        ("nested", Span(6, 3, 6, 11)),
        ("esc", Span(7, 3, 7, 8)),
    ]
    name = r.get("name")
    assert name is not None
    assert (name.kind, name.value, name.span, name.raw, name.tag) == ("scalar", "db", Span(2, 11, 2, 15), None, "")
    port = r.get("port")
    assert port is not None
    assert (port.value, type(port.value), port.span) == (5432, int, Span(3, 11, 3, 15))
    ratio = r.get("ratio")
    assert ratio is not None
    assert (ratio.value, type(ratio.value), ratio.span) == (-150.0, float, Span(4, 12, 4, 18))
    flags = r.get("flags")
    assert flags is not None
    assert flags.kind == "seq"
    assert flags.span == Span(5, 12, 5, 31)
    assert [(n.value, n.span) for n in flags.value] == [
        (True, Span(5, 13, 5, 17)),
        (False, Span(5, 19, 5, 24)),
        (None, Span(5, 26, 5, 30)),
    ]
    nested = r.get("nested")
    assert nested is not None
    assert nested.span == Span(6, 13, 6, 31)
    a = nested.get("a")
    b = nested.get("b")
    assert a is not None and b is not None
    assert (a.kind, a.value, a.span) == ("map", [], Span(6, 19, 6, 21))
    assert (b.kind, b.value, b.span) == ("seq", [], Span(6, 28, 6, 30))
    esc = r.get("esc")
    assert esc is not None
    assert esc.value == 'tab\t é "q"'
    assert esc.span == Span(7, 10, 7, 30)


def test_duplicate_keys_are_kept_in_order() -> None:
    r = root('{"a": 1, "b": 2, "a": 3}')
    assert [(k.value, v.value) for k, v in r.value] == [("a", 1), ("b", 2), ("a", 3)]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0", 0),
        ("-0", 0),
        ("12", 12),
        ("1.25", 1.25),
        ("1e3", 1000.0),
        ("1E-2", 0.01),
        ('"\\ud83d\\ude00"', "\U0001f600"),
        ('"\\/"', "/"),
        ("true", True),
        ("null", None),
        ('"1"', "1"),
    ],
)
def test_scalar_roots(text: str, value: object) -> None:
    node = root(text)
    assert node.kind == "scalar"
    assert node.value == value
    assert type(node.value) is type(value)
    assert node.span == Span(1, 1, 1, len(text) + 1)


def test_huge_integer_beyond_int_digit_limit() -> None:
    node = root("1" * 5000)
    assert isinstance(node.value, float)


def test_leading_bom_is_accepted_and_not_counted() -> None:
    node = root('\ufeff{"a": 1}')
    assert node.span == Span(1, 1, 1, 9)
    assert node.to_python() == {"a": 1}


def test_crlf_gives_same_positions_as_lf() -> None:
    lf = root(SAMPLE)
    crlf = root(SAMPLE.replace("\n", "\r\n"))
    assert [n.span for n in crlf.walk()] == [n.span for n in lf.walk()]


def test_whitespace_around_root() -> None:
    node = root('\n\n   ["x"]  \n\t\n')
    assert node.span == Span(3, 4, 3, 9)
    assert node.value[0].span == Span(3, 5, 3, 8)


def test_multiline_positions_in_deep_structure() -> None:
    text = '[\n  {\n    "k": [\n      1,\n      "two"\n    ]\n  }\n]'
    node = root(text)
    inner = node.path(0, "k")
    assert inner is not None
    assert inner.span == Span(3, 10, 6, 6)
    assert [n.span for n in inner.value] == [Span(4, 7, 4, 8), Span(5, 7, 5, 12)]


def test_non_ascii_counts_characters() -> None:
    node = root('{"clé": "värde", "z": 1}')
    z = node.get("z")
    assert z is not None
    assert z.span == Span(1, 23, 1, 24)


def assert_error(text: str, message: str, line: int, column: int) -> None:
    with pytest.raises(ParseError) as info:
        root(text)
    assert info.value.message == f"{message} at line {line} column {column}"
    assert (info.value.line, info.value.column) == (line, column)


@pytest.mark.parametrize(
    ("text", "message", "line", "column"),
    [
        ('{"a": 1 "b": 2}', "expected ',' or '}'", 1, 9),
        ("[1 2]", "expected ',' or ']'", 1, 4),
        ('{"a" 1}', "expected ':'", 1, 6),
        ("{1: 2}", "expected string key or '}'", 1, 2),
        ('{"a": 1,}', "expected string key", 1, 9),
        ("[1,]", "expected value", 1, 4),
        ("[", "expected value or ']'", 1, 2),
        ('{"a":\n', "expected value", 2, 1),
        ("", "expected value", 1, 1),
        ("   \n  ", "expected value", 2, 3),
        ("[NaN]", "expected value or ']'", 1, 2),
        ("[Infinity]", "expected value or ']'", 1, 2),
        ("{'a': 1}", "expected string key or '}'", 1, 2),
        ("[tru]", "expected value or ']'", 1, 2),
        ("[-]", "expected value or ']'", 1, 2),
        ("[01]", "expected ',' or ']'", 1, 3),
        ("[.5]", "expected value or ']'", 1, 2),
        ("[1.]", "expected ',' or ']'", 1, 3),
        ("[1] [2]", "unexpected data after the JSON value", 1, 5),
        ('{"a": 1}\n\n x', "unexpected data after the JSON value", 3, 2),
        ("// comment\n{}", "expected value", 1, 1),
        ('["abc', "unterminated string", 1, 2),
        ('["abc\ndef"]', "unterminated string", 1, 6),
        ('["a\\x"]', "invalid escape in string", 1, 4),
        ('["a\\', "unterminated string", 1, 2),
        ('["a\\u12"]', "invalid escape in string", 1, 4),
        ('["a\tb"]', "control character in string", 1, 4),
        ('{"k\x01": 1}', "control character in string", 1, 4),
    ],
)
def test_errors(text: str, message: str, line: int, column: int) -> None:
    assert_error(text, message, line, column)


def test_depth_limit_allows_max_depth() -> None:
    text = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    node = root(text)
    depth = 0
    while node.value:
        node = node.value[0]
        depth += 1
    assert depth == MAX_DEPTH - 1


def test_depth_limit_rejects_deeper() -> None:
    assert_error("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), f"nesting deeper than {MAX_DEPTH}", 1, MAX_DEPTH + 1)


def test_hundred_thousand_deep_nesting_does_not_overflow() -> None:
    assert_error('{"a":' * 100_000 + "1" + "}" * 100_000, "nesting deeper than 512", 1, 5 * 512 + 1)
    with pytest.raises(ParseError):
        root("[" * 100_000)


class TestLargeInputFallback:
    """Above FAST_PATH_CHARS json.loads is used and every node spans the document."""

    @pytest.fixture(autouse=True)
    def small_threshold(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(json_tree, "FAST_PATH_CHARS", 10)

    def test_structure_and_whole_document_spans(self) -> None:
        text = '{\n  "a": [1, 2.5, "x"],\n  "a": {"b": null}\n}\n'
        node = root(text)
        whole = Span(1, 1, 4, 2)
        assert [(k.value, v.to_python()) for k, v in node.value] == [("a", [1, 2.5, "x"]), ("a", {"b": None})]
        assert {n.span for n in node.walk()} == {whole}
        assert all(n.raw is None for n in node.walk())

    def test_bom(self) -> None:
        assert root('\ufeff{"key": true}').to_python() == {"key": True}

    def test_error_position_from_json_decode_error(self) -> None:
        assert_error('{\n  "a": 1,\n  "b" 2\n}', "Expecting ':' delimiter", 3, 7)

    def test_nan_is_rejected(self) -> None:
        with pytest.raises(ParseError) as info:
            root('{"a": NaN, "pad": 0}')
        assert "NaN" in info.value.message

    def test_deep_nesting_is_a_parse_error(self) -> None:
        with pytest.raises(ParseError):
            root("[" * 100_000 + "]" * 100_000)
        with pytest.raises(ParseError):
            root("[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5))


def test_fast_path_threshold() -> None:
    assert json_tree.FAST_PATH_CHARS == 5 * 1024 * 1024
