"""The SQL parser: statement splitting, keywords, WHERE detection, client syntax, errors."""

from __future__ import annotations

import pytest

from guardrails.documents import SqlDocument, SqlStatement
from guardrails.model import Kind, ParseError, Span
from guardrails.parsers.sql import parse


def doc(text: str) -> SqlDocument:
    return parse("migration.sql", text, Kind.SQL)


def stmts(text: str) -> list[SqlStatement]:
    return doc(text).statements


def one(text: str) -> SqlStatement:
    (statement,) = stmts(text)
    return statement


def test_document() -> None:
    d = doc("SELECT 1;\n")
    assert (d.path, d.kind, d.text) == ("migration.sql", Kind.SQL, "SELECT 1;\n")
    assert d.statements == [SqlStatement("SELECT 1;", ["SELECT"], Span(1, 1, 1, 10), False)]


def test_split_with_positions() -> None:
    text = "CREATE TABLE t (id int);\n\n  INSERT INTO t VALUES (1);  \nSELECT *\n  FROM t"
    a, b, c = stmts(text)
    assert a == SqlStatement("CREATE TABLE t (id int);", ["CREATE", "TABLE", "T", "ID", "INT"], Span(1, 1, 1, 25))
    assert b == SqlStatement("INSERT INTO t VALUES (1);", ["INSERT", "INTO", "T", "VALUES"], Span(3, 3, 3, 28))
    assert c == SqlStatement("SELECT *\n  FROM t", ["SELECT", "FROM", "T"], Span(4, 1, 5, 9))


@pytest.mark.parametrize(
    ("text", "keywords"),
    [
        ("DROP DATABASE prod;", ["DROP", "DATABASE", "PROD"]),
        ("drop database if exists prod;", ["DROP", "DATABASE", "IF", "EXISTS", "PROD"]),
        ("DROP SCHEMA IF EXISTS app CASCADE;", ["DROP", "SCHEMA", "IF", "EXISTS", "APP", "CASCADE"]),
        ("DROP TABLE IF EXISTS public.users;", ["DROP", "TABLE", "IF", "EXISTS", "PUBLIC", "USERS"]),
        ('DROP TABLE "Mixed Case";', ["DROP", "TABLE", "MIXED CASE"]),
        ("DROP TABLE `logs`, [audit];", ["DROP", "TABLE", "LOGS", "AUDIT"]),
        ("TRUNCATE TABLE events RESTART IDENTITY;", ["TRUNCATE", "TABLE", "EVENTS", "RESTART", "IDENTITY"]),
        ("TRUNCATE events;", ["TRUNCATE", "EVENTS"]),
        ("CREATE OR REPLACE VIEW v AS SELECT a FROM t ORDER BY a;", None),
        ("DELETE FROM t WHERE id = $1 AND x = :name AND y = ?;", ["DELETE", "FROM", "T", "WHERE", "ID", "AND", "X"]),
    ],
)
def test_keywords(text: str, keywords: list[str] | None) -> None:
    found = one(text).keywords
    if keywords is None:
        assert found == ["CREATE", "OR", "REPLACE", "VIEW", "V", "AS", "SELECT", "A", "FROM", "T", "ORDER", "BY", "A"]
    else:
        assert found[: len(keywords)] == keywords
        if text.startswith("DELETE"):
            assert found == [*keywords, "AND", "Y"]
        else:
            assert found == keywords


def test_comments_and_strings_never_produce_keywords() -> None:
    text = (
        "-- DROP DATABASE prod;\n"
        "/* DROP TABLE users; */\n"
        "SELECT 'DROP DATABASE x', E'it\\'s DROP', $$DROP TABLE y$$, $tag$ TRUNCATE z $tag$ FROM t;\n"
    )
    s = one(text)
    assert s.keywords == ["SELECT", "FROM", "T"]
    assert s.span == Span(3, 1, 3, 90)
    assert s.text.startswith("SELECT 'DROP DATABASE x'")


def test_only_comments_gives_no_statement() -> None:
    assert stmts("-- nothing\n/* at all */\n;\n  ;;\n") == []
    assert stmts("") == []


def test_trailing_comment_not_in_span() -> None:
    s = one("DROP TABLE t; -- bye\n")
    assert s.text == "DROP TABLE t;"
    assert s.span == Span(1, 1, 1, 14)


def test_leading_comment_not_in_span_but_inner_comment_in_text() -> None:
    s = one("/* header */ DELETE /* all */ FROM t;")
    assert s.span == Span(1, 14, 1, 38)
    assert s.text == "DELETE /* all */ FROM t;"
    assert s.keywords == ["DELETE", "FROM", "T"]


def test_nested_block_comment() -> None:
    s = one("/* outer /* inner */ DROP TABLE still_comment; */ SELECT 1;")
    assert s.keywords == ["SELECT"]
    assert s.span == Span(1, 51, 1, 60)


@pytest.mark.parametrize(
    ("text", "has_where"),
    [
        ("DELETE FROM t;", False),
        ("DELETE FROM t WHERE id = 1;", True),
        ("delete from t where id in (select id from u);", True),
        ("DELETE FROM t WHERE id IN (SELECT id FROM u WHERE x);", True),
        ("DELETE FROM t USING (SELECT id FROM u WHERE flag) s;", False),
        ("DELETE FROM t WHERE EXISTS (SELECT 1) ;", True),
        ("UPDATE t SET a = (SELECT max(b) FROM u WHERE u.id = t.id);", False),
        ("UPDATE t SET a = 1 WHERE b = 2;", True),
        ("WITH x AS (SELECT id FROM u WHERE stale) DELETE FROM t;", False),
        ("WITH x AS (SELECT id FROM u WHERE stale) DELETE FROM t WHERE id IN (SELECT id FROM x);", True),
        ("WITH x AS (DELETE FROM a WHERE b RETURNING *) DELETE FROM t;", False),
        ("DELETE FROM t -- WHERE id = 1\n;", False),
        ("DELETE FROM t WHERE note = 'no where here';", True),
        ("SELECT 'WHERE' FROM t;", False),
        ("TRUNCATE t;", False),
    ],
)
def test_has_where_is_top_level_only(text: str, has_where: bool) -> None:
    assert one(text).has_where is has_where


def test_cte_delete_keywords() -> None:
    s = one("WITH old AS (SELECT id FROM t WHERE ts < now()) DELETE FROM t USING old;")
    assert s.keywords[:2] == ["WITH", "OLD"]
    assert "DELETE" in s.keywords
    assert s.has_where is False


def test_psql_meta_commands_are_skipped() -> None:
    text = "\\set ON_ERROR_STOP on\n\\c analytics\nDROP TABLE a;\n  \\i other.sql\nDROP TABLE b;\n"
    a, b = stmts(text)
    assert (a.keywords, a.span) == (["DROP", "TABLE", "A"], Span(3, 1, 3, 14))
    assert (b.keywords, b.span) == (["DROP", "TABLE", "B"], Span(5, 1, 5, 14))


def test_meta_command_ends_the_statement_before_it() -> None:
    a, b = stmts("SELECT 1\n\\g\nSELECT 2\n")
    assert (a.text, b.text) == ("SELECT 1", "SELECT 2")


def test_copy_from_stdin_data_is_skipped() -> None:
    text = "COPY t (a, b) FROM stdin;\n1\tit's -- DROP\n2\t/* x\n\\.\nDROP TABLE t;\n"
    copy, drop = stmts(text)
    assert copy.keywords == ["COPY", "T", "A", "B", "FROM", "STDIN"]
    assert copy.span == Span(1, 1, 1, 26)
    assert (drop.keywords, drop.span) == (["DROP", "TABLE", "T"], Span(5, 1, 5, 14))


def test_psql_backslash_copy_from_stdin_data_is_skipped() -> None:
    text = "\\copy t from stdin with csv\n1,'unclosed\n\\.\nTRUNCATE t;\n"
    (truncate,) = stmts(text)
    assert (truncate.keywords, truncate.span) == (["TRUNCATE", "T"], Span(4, 1, 4, 12))


def test_copy_without_end_marker_swallows_the_rest() -> None:
    (copy,) = stmts("COPY t FROM STDIN;\n1\t'x\n")
    assert copy.keywords == ["COPY", "T", "FROM", "STDIN"]


def test_mysql_delimiter_blocks() -> None:
    text = (
        "DELIMITER //\n"
        "CREATE PROCEDURE purge()\n"
        "BEGIN\n"
        "  DELETE FROM logs WHERE ts < NOW();\n"
        "  DROP TABLE tmp;\n"
        "END //\n"
        "DELIMITER ;\n"
        "DROP TABLE x;\n"
    )
    proc, drop = stmts(text)
    assert proc.text == (
        "CREATE PROCEDURE purge()\nBEGIN\n  DELETE FROM logs WHERE ts < NOW();\n  DROP TABLE tmp;\nEND"
    )
    assert proc.span == Span(2, 1, 6, 4)
    assert proc.keywords == [
        "CREATE", "PROCEDURE", "PURGE", "BEGIN", "DELETE", "FROM", "LOGS", "WHERE", "TS", "NOW",
        "DROP", "TABLE", "TMP", "END",
    ]  # fmt: skip
    assert (drop.text, drop.span) == ("DROP TABLE x;", Span(8, 1, 8, 14))


def test_mysql_dollar_delimiter_is_not_a_dollar_quote() -> None:
    text = "delimiter $$\nCREATE TRIGGER tr BEFORE DELETE ON t FOR EACH ROW BEGIN DELETE FROM u; END$$\ndelimiter ;\n"
    (trigger,) = stmts(text)
    assert trigger.text.endswith("DELETE FROM u; END")
    assert trigger.span == Span(2, 1, 2, 75)


def test_several_statements_with_custom_delimiter() -> None:
    a, b = stmts("DELIMITER ;;\nSELECT 1;;SELECT 2 ;;\n")
    assert (a.text, a.span) == ("SELECT 1", Span(2, 1, 2, 9))
    assert (b.text, b.span) == ("SELECT 2", Span(2, 11, 2, 19))


def test_tsql_go_separates_batches() -> None:
    text = "DROP TABLE a\nGO\nDELETE FROM b\n  go 2 -- again\nSELECT [go] FROM c\n"
    a, b, c = stmts(text)
    assert (a.text, a.span) == ("DROP TABLE a", Span(1, 1, 1, 13))
    assert (b.text, b.span) == ("DELETE FROM b", Span(3, 1, 3, 14))
    assert c.keywords == ["SELECT", "GO", "FROM", "C"]


def test_plpgsql_body_is_string_content() -> None:
    text = (
        "CREATE FUNCTION wipe() RETURNS void AS $fn$\n"
        "BEGIN\n"
        "  DELETE FROM t; -- not a separate statement\n"
        "  PERFORM 'x';\n"
        "END;\n"
        "$fn$ LANGUAGE plpgsql;\n"
        "DO $$ BEGIN DROP TABLE y; END $$;\n"
    )
    fn, do = stmts(text)
    assert fn.keywords == ["CREATE", "FUNCTION", "WIPE", "RETURNS", "VOID", "AS", "LANGUAGE", "PLPGSQL"]
    assert fn.span == Span(1, 1, 6, 23)
    assert do.keywords == ["DO"]
    assert do.span == Span(7, 1, 7, 34)


def test_positional_parameters_and_dollar_in_identifiers_are_not_quotes() -> None:
    s = one("SELECT a$b$c, $1 FROM t WHERE x = $2;")
    assert s.has_where is True
    assert s.keywords[0] == "SELECT"


def test_string_escapes() -> None:
    a, b, c = stmts("SELECT 'a''b';\nSELECT E'x\\'y';\nSELECT 'it\\'s; DROP TABLE t';\n")
    assert [s.keywords for s in (a, b, c)] == [["SELECT"], ["SELECT"], ["SELECT"]]
    assert c.span == Span(3, 1, 3, 30)


def test_standard_string_ending_in_backslash() -> None:
    # PostgreSQL: backslash is not an escape in a standard string.
    s = one("SELECT 'C:\\';")
    assert s.text == "SELECT 'C:\\';"
    assert s.span == Span(1, 1, 1, 14)


def test_mysql_executable_comment_is_code() -> None:
    s = one("/*!40000 DROP DATABASE IF EXISTS `shop`*/;")
    assert s.keywords == ["DROP", "DATABASE", "IF", "EXISTS", "SHOP"]


def test_hash_comment_at_line_start() -> None:
    s = one("# DROP TABLE x;\nSELECT 1;")
    assert s.keywords == ["SELECT"]
    assert s.span.line == 2


def test_begin_commit_split() -> None:
    a, b, c = stmts("BEGIN;\nDELETE FROM t;\nCOMMIT;")
    assert [s.keywords for s in (a, b, c)] == [["BEGIN"], ["DELETE", "FROM", "T"], ["COMMIT"]]


def test_crlf_gives_same_positions_as_lf() -> None:
    lf = "-- c\nDELETE FROM t\nWHERE a = 'x\ny';\nDROP TABLE u;\n"
    assert stmts(lf.replace("\n", "\r\n")) == stmts(lf)
    assert stmts(lf)[0].span == Span(2, 1, 4, 4)


def test_bom_is_not_a_column() -> None:
    assert one("\ufeffDROP TABLE t;").span == Span(1, 1, 1, 14)


@pytest.mark.parametrize(
    ("text", "message", "line", "column"),
    [
        ("SELECT 1;\nSELECT 'abc\n", "unterminated string", 2, 8),
        ("SELECT E'abc\\';", "unterminated string", 1, 8),
        ("SELECT 1; /* open /* nested */ still open", "unterminated block comment", 1, 11),
        ("SELECT $$ body", "unterminated dollar-quoted string", 1, 8),
        ("SELECT $fn$ body $other$", "unterminated dollar-quoted string", 1, 8),
        ('SELECT "abc', "unterminated quoted identifier", 1, 8),
        ("SELECT `abc", "unterminated quoted identifier", 1, 8),
        ("/*!40000 DROP DATABASE x", "unterminated block comment", 1, 1),
    ],
)
def test_errors(text: str, message: str, line: int, column: int) -> None:
    with pytest.raises(ParseError) as info:
        doc(text)
    assert message in info.value.message
    assert (info.value.line, info.value.column) == (line, column)


def test_unterminated_string_inside_comment_is_fine() -> None:
    assert one("-- don't\n/* it's */ SELECT 1;").keywords == ["SELECT"]
