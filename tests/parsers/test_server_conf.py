"""Datastore server configuration parsers: each reads its file the way its server does."""

from __future__ import annotations

import pytest

from guardrails.documents import ConfDocument, ConfEntry
from guardrails.model import Kind, ParseError, Span
from guardrails.parsers.server_conf import parse


def entries(kind: Kind, text: str, path: str = "x.conf") -> list[tuple[str, str, list[str]]]:
    doc = parse(path, text, kind)
    assert isinstance(doc, ConfDocument)
    return [(e.section, e.key, e.values) for e in doc.entries]


def test_redis_words_quotes_and_comments() -> None:
    text = "Bind 0.0.0.0 -::1\n  # comment\nrequirepass \"a#b \\x41\\n\"\nrename-command CONFIG ''\nmasterauth x#y\n"
    doc = parse("redis.conf", text, Kind.REDIS_CONF)
    assert doc.entries[0] == ConfEntry("", "bind", ["0.0.0.0", "-::1"], Span(1, 1, 1, 18))
    assert [(e.key, e.values) for e in doc.entries[1:]] == [
        ("requirepass", ["a#b A\n"]),
        ("rename-command", ["CONFIG", ""]),
        ("masterauth", ["x#y"]),  # '#' only opens a comment as a line's first character
    ]


@pytest.mark.parametrize("line", ['requirepass "open', 'requirepass "a"b', "requirepass 'a'b"])
def test_redis_unbalanced_quotes(line: str) -> None:
    with pytest.raises(ParseError):
        parse("redis.conf", f"port 6379\n{line}\n", Kind.REDIS_CONF)


def test_postgresql_conf() -> None:
    text = "Listen_Addresses = '*'\t# all\nshared_buffers 128MB\nsearch_path = '\"$user\", it''s'\n#port = 5432\n"
    assert entries(Kind.POSTGRESQL_CONF, text) == [
        ("", "listen_addresses", ["*"]),
        ("", "shared_buffers", ["128MB"]),
        ("", "search_path", ['"$user", it\'s']),
    ]


@pytest.mark.parametrize("text", ["= 1\n", "port\n", "port = 5432 5433\n", "listen_addresses = '*\n"])
def test_postgresql_conf_errors(text: str) -> None:
    with pytest.raises(ParseError):
        parse("postgresql.conf", text, Kind.POSTGRESQL_CONF)


def test_pg_hba_records() -> None:
    text = (
        "# TYPE DATABASE USER ADDRESS METHOD\n"
        "local all postgres peer\n"
        'host "all",sales all 0.0.0.0 0.0.0.0 trust # quoted all is a name\n'
        "hostssl all all \\\n"
        "   ::/0 scram-sha-256\n"
        "include_dir conf.d\n"
    )
    doc = parse("pg_hba.conf", text, Kind.PG_HBA)
    assert [(e.key, e.values, e.span.line, e.span.end_line) for e in doc.entries] == [
        ("local", ["all", "postgres", "peer"], 2, 2),
        ("host", ['"all",sales', "all", "0.0.0.0", "0.0.0.0", "trust"], 3, 3),
        ("hostssl", ["all", "all", "::/0", "scram-sha-256"], 4, 5),
        ("include_dir", ["conf.d"], 6, 6),
    ]


@pytest.mark.parametrize("text", ["hots all all 0.0.0.0/0 trust\n", "host all all trust\n", "host all all \\\n"])
def test_pg_hba_errors(text: str) -> None:
    with pytest.raises(ParseError):
        parse("pg_hba.conf", text, Kind.PG_HBA)


def test_mysql_option_file() -> None:
    text = (
        "; comment\n[client]\nport=3306\n\n[MySQLd]\nskip_grant_tables\nloose-Bind_Address = 0.0.0.0 # all\n"
        "init-connect = 'SET x=1 # not a comment'\n!includedir /etc/mysql/conf.d/\n"
    )
    assert entries(Kind.MYSQL_CNF, text) == [
        ("client", "port", ["3306"]),
        ("mysqld", "skip-grant-tables", []),
        ("mysqld", "bind-address", ["0.0.0.0"]),
        ("mysqld", "init-connect", ["SET x=1 # not a comment"]),
        ("mysqld", "!includedir", ["/etc/mysql/conf.d/"]),
    ]


@pytest.mark.parametrize("text", ["port = 3306\n", "[mysqld\nport=1\n", "[mysqld]\n!source x\n"])
def test_mysql_errors(text: str) -> None:
    with pytest.raises(ParseError):
        parse("my.cnf", text, Kind.MYSQL_CNF)
