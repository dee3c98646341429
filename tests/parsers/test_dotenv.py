"""The .env parser: compose's syntax, exact values and positions, and its errors."""

from __future__ import annotations

import pytest

from guardrails.documents import DotenvDocument, EnvEntry
from guardrails.model import Kind, ParseError, Span
from guardrails.parsers.dotenv import parse


def entries(text: str) -> list[EnvEntry]:
    return parse(".env", text, Kind.DOTENV).entries


def test_document_carries_path_kind_text() -> None:
    doc = parse("app/.env", "A=1\n", Kind.DOTENV)
    assert isinstance(doc, DotenvDocument)
    assert (doc.path, doc.kind, doc.text) == ("app/.env", Kind.DOTENV, "A=1\n")
    assert doc.as_dict() == {"A": "1"}


def test_plain_assignment_positions() -> None:
    (e,) = entries("DB_PASSWORD=hunter2\n")
    assert e == EnvEntry("DB_PASSWORD", "hunter2", Span(1, 1, 1, 20), Span(1, 13, 1, 20), quoted=False)


def test_export_prefix_and_spaces_around_equals() -> None:
    (e,) = entries("  export   API_KEY  =   abc123   \n")
    assert e.key == "API_KEY"
    assert e.value == "abc123"
    assert e.span == Span(1, 3, 1, 31)
    assert e.value_span == Span(1, 25, 1, 31)
    assert e.quoted is False


def test_export_as_a_key_name() -> None:
    (e,) = entries("export=1\n")
    assert (e.key, e.value) == ("export", "1")


def test_comments_and_blank_lines_are_skipped() -> None:
    text = "# header\n\n   # indented comment\n\t\nA=1\n"
    (e,) = entries(text)
    assert (e.key, e.value, e.span.line) == ("A", "1", 5)


def test_inline_comment_after_unquoted_value() -> None:
    (e,) = entries("A=value # trailing comment\n")
    assert e.value == "value"
    assert e.value_span == Span(1, 3, 1, 8)
    assert e.span == Span(1, 1, 1, 8)


def test_hash_without_preceding_space_is_part_of_value() -> None:
    color, url = entries("COLOR=#ff0000\nURL=http://x/#frag\n")
    assert color.value == "#ff0000"
    assert url.value == "http://x/#frag"


def test_comment_right_after_equals_gives_empty_value() -> None:
    (e,) = entries("A= # nothing here\n")
    assert e.value == ""
    assert e.value_span == Span(1, 3, 1, 3)


def test_empty_value() -> None:
    (e,) = entries("EMPTY=\n")
    assert e == EnvEntry("EMPTY", "", Span(1, 1, 1, 7), Span(1, 7, 1, 7), quoted=False)


def test_value_keeps_inner_equals_and_spaces() -> None:
    (e,) = entries("DSN=postgres://u:p@h/db?sslmode=require&x=a b\n")
    assert e.value == "postgres://u:p@h/db?sslmode=require&x=a b"


def test_single_quotes_are_literal() -> None:
    (e,) = entries("A='x\\ny $HOME \" # not comment'\n")
    assert e.value == 'x\\ny $HOME " # not comment'
    assert e.quoted is True
    assert e.value_span == Span(1, 4, 1, 30)
    assert e.span == Span(1, 1, 1, 31)


def test_double_quote_escapes() -> None:
    (e,) = entries('A="line1\\nline2 \\"q\\" back\\\\slash \\t tab \\$HOME \\x"\n')
    assert e.value == 'line1\nline2 "q" back\\slash \t tab $HOME \\x'
    assert e.quoted is True


def test_double_quoted_value_spans_lines() -> None:
    text = 'CERT="-----BEGIN-----\nabc\n-----END-----"\nNEXT=1\n'
    first, second = entries(text)
    assert first.value == "-----BEGIN-----\nabc\n-----END-----"
    assert first.span == Span(1, 1, 3, 15)
    assert first.value_span == Span(1, 7, 3, 14)
    assert (second.key, second.value, second.span.line) == ("NEXT", "1", 4)


def test_single_quoted_value_spans_lines() -> None:
    (e,) = entries("K='a\nb'\n")
    assert e.value == "a\nb"
    assert e.value_span == Span(1, 4, 2, 2)


def test_comment_after_quoted_value() -> None:
    (e,) = entries('A="x y"   # comment\n')
    assert e.value == "x y"
    assert e.span == Span(1, 1, 1, 8)


def test_key_charset_allows_dots_and_dashes() -> None:
    (e,) = entries("spring.datasource-url=jdbc\n")
    assert e.key == "spring.datasource-url"


def test_duplicate_keys_are_all_kept_in_order() -> None:
    first, second = entries("A=1\nA=2\n")
    assert [first.value, second.value] == ["1", "2"]
    assert parse(".env", "A=1\nA=2\n", Kind.DOTENV).as_dict() == {"A": "2"}


def test_bare_key_is_accepted_without_an_entry() -> None:
    # Compose passes such a variable through from its own environment.
    assert entries("PASSTHROUGH\nexport OTHER # note\nA=1\n") == [
        EnvEntry("A", "1", Span(3, 1, 3, 4), Span(3, 3, 3, 4), quoted=False)
    ]


def test_crlf_gives_same_positions_as_lf() -> None:
    lf = 'A=1\nB="x\ny"\nC=3 # c\n'
    crlf = lf.replace("\n", "\r\n")
    assert entries(crlf) == entries(lf)
    assert entries(crlf)[1].value == "x\ny"


def test_bom_is_ignored() -> None:
    (e,) = entries("\ufeffA=1\n")
    assert (e.key, e.span) == ("A", Span(1, 1, 1, 4))


def test_no_trailing_newline() -> None:
    (e,) = entries("A=last")
    assert e.value == "last"
    assert e.span == Span(1, 1, 1, 7)


def test_tab_counts_as_one_column() -> None:
    (e,) = entries("\tA=\tv\n")
    assert e.span == Span(1, 2, 1, 6)
    assert e.value_span == Span(1, 5, 1, 6)


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("A=1\nthis is not an assignment\n", 2, 6),
        ("A=1\n  !!!\n", 2, 3),
        ("1ABC=1\n", 1, 1),
        ("KEY value\n", 1, 5),
        ("A: 1\n", 1, 2),
    ],
)
def test_non_assignment_line_is_an_error(text: str, line: int, column: int) -> None:
    with pytest.raises(ParseError) as info:
        parse(".env", text, Kind.DOTENV)
    assert (info.value.line, info.value.column) == (line, column)


def test_unterminated_double_quote_reports_the_opener() -> None:
    with pytest.raises(ParseError) as info:
        parse(".env", 'A=1\nB="never closed\nC=3\n', Kind.DOTENV)
    assert "unterminated" in info.value.message
    assert (info.value.line, info.value.column) == (2, 3)


def test_unterminated_single_quote_reports_the_opener() -> None:
    with pytest.raises(ParseError) as info:
        parse(".env", "A='open\n", Kind.DOTENV)
    assert (info.value.line, info.value.column) == (1, 3)


def test_escaped_quote_does_not_close_double_quotes() -> None:
    with pytest.raises(ParseError):
        parse(".env", 'A="abc\\"\n', Kind.DOTENV)


def test_text_after_closing_quote_is_an_error() -> None:
    with pytest.raises(ParseError) as info:
        parse(".env", 'A="x"y\n', Kind.DOTENV)
    assert (info.value.line, info.value.column) == (1, 6)
