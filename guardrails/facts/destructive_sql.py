"""Destructive SQL statements, read from the SQL parser's keyword lists (never from raw text).

Shared by the shell rules (SQL sent through ``psql -c``, heredocs, piped files), the
Python rules (``cursor.execute("DROP …")``) and the SQL-file rules. Comments and
string literals are already gone from ``SqlStatement.keywords``, so ``-- DROP
DATABASE x`` or ``SELECT 'DROP DATABASE x'`` never match.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import PurePosixPath
from typing import Any, ClassVar

from guardrails import deferred_re
from guardrails.documents import SqlDocument, SqlStatement
from guardrails.model import Kind, ParseError
from guardrails.records import Frozen
from guardrails.rule import Rule

DISPOSABLE_TOKENS = frozenset(
    {"test", "tests", "testing", "ci", "tmp", "temp", "scratch", "e2e", "review", "preview", "ephemeral", "sandbox"}
)
_NAME_STOP = {"IF", "EXISTS", "CASCADE", "RESTRICT", "WITH", "FORCE", "(", ")"}


class SqlHit(Frozen):
    """``operation`` is ``DROP DATABASE``, ``DROP SCHEMA``, ``TRUNCATE`` or ``DELETE``."""

    operation: str
    names: tuple[str, ...]
    cascade: bool
    statement: SqlStatement

    @property
    def summary(self) -> str:
        names = ", ".join(self.names)
        if self.operation == "DELETE":
            return f"DELETE FROM {names} without WHERE"
        return f"{self.operation} {names}".strip() + (" CASCADE" if self.cascade else "")


def disposable_name(name: str) -> bool:
    """``app_test``, ``ci-1234``, ``review-pr-12``: a name that says it is throwaway."""
    tokens = [t for t in re.split(r"[^a-z0-9]+", name.lower()) if t]
    return any(t.rstrip("0123456789") in DISPOSABLE_TOKENS or t in DISPOSABLE_TOKENS for t in tokens)


def statements(text: str) -> list[SqlStatement]:
    """The statements of a SQL string (empty when it does not parse as SQL)."""
    from guardrails.parsers import parse

    try:
        doc = parse("inline.sql", text, Kind.SQL)
    except ParseError:
        return []
    return doc.statements if isinstance(doc, SqlDocument) else []


def _mentions(text: str, keywords: tuple[str, ...]) -> bool:
    """Could ``text`` hold a statement starting with one of ``keywords``? A keyword the parser
    reports is a word of the text, so when none is a substring, parsing (and importing the SQL
    parser, ~15 ms) is skipped: most scripts' SQL drops nothing."""
    upper = text.upper()
    return any(keyword in upper for keyword in keywords)


def _original(stmt: SqlStatement, upper: str) -> str:
    """A name as written (keywords are upper-cased)."""
    index = stmt.text.upper().find(upper)
    return stmt.text[index : index + len(upper)] if index >= 0 else upper.lower()


def classify(stmt: SqlStatement) -> SqlHit | None:
    kw = stmt.keywords
    if not kw:
        return None
    if kw[0] == "DROP" and len(kw) > 1 and kw[1] in ("DATABASE", "SCHEMA"):
        names = tuple(_original(stmt, k) for k in kw[2:] if k not in _NAME_STOP)
        return SqlHit(f"DROP {kw[1]}", names, "CASCADE" in kw, stmt)
    if kw[0] == "TRUNCATE":
        names = tuple(_original(stmt, k) for k in kw[1:] if k not in ("TABLE", "ONLY", "CASCADE", "RESTRICT"))
        return SqlHit("TRUNCATE", names[:1] if names else (), "CASCADE" in kw, stmt)
    if kw[0] == "DELETE" and "FROM" in kw and not stmt.has_where and "LIMIT" not in kw:
        after = kw[kw.index("FROM") + 1 :]
        return SqlHit("DELETE", tuple(_original(stmt, k) for k in after[:1]), False, stmt)
    return None


# What ``classify`` reports, each by the keyword its statement starts with.
OPERATIONS = {"DROP DATABASE": "DROP", "DROP SCHEMA": "DROP", "TRUNCATE": "TRUNCATE", "DELETE": "DELETE"}


_DROP = frozenset({"DROP"})
_CREATE = frozenset({"CREATE"})
_WIPES = frozenset(OPERATIONS.values())


class SqlFileRule(Rule):
    """A rule over the statements of SQL files that reports some of ``classify``'s
    ``operations``. Its ``words`` (the keywords those statements start with) come from them:
    a statement that does not mention one (``SqlStatement.mentions``) is never lexed, so the
    20,000 INSERTs of a dump cost a scan of their text, not sqlparse's lexer."""

    abstract = True
    operations: ClassVar[frozenset[str]] = frozenset()
    words: ClassVar[frozenset[str]] = frozenset()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("abstract", False):
            return
        if not cls.operations or not cls.operations <= OPERATIONS.keys():
            raise TypeError(f"rule {cls.__qualname__}: declare the operations it reports, some of {sorted(OPERATIONS)}")
        cls.words = frozenset(OPERATIONS[operation] for operation in cls.operations)

    def hits(self, doc: SqlDocument) -> Iterator[SqlHit]:
        """The statements of ``doc`` that run one of the rule's operations."""
        for stmt in doc.statements:
            if stmt.mentions(self.words):
                hit = classify(stmt)
                if hit is not None and hit.operation in self.operations:
                    yield hit


def drops(text: str, schema_needs_cascade: bool = True, made_here: Callable[[str], bool] | None = None) -> list[SqlHit]:
    """DROP DATABASE / DROP SCHEMA statements in ``text`` that destroy real data.

    ``DROP SCHEMA`` without ``CASCADE`` fails on a non-empty schema in PostgreSQL, so it
    counts only with ``CASCADE`` unless ``schema_needs_cascade`` is False (MySQL, where
    ``DROP SCHEMA`` is ``DROP DATABASE``). Databases named as throwaway (``app_test``)
    are left out, and so are those ``made_here`` says the caller's script made itself.
    """
    found: list[SqlHit] = []
    if not _mentions(text, ("DROP",)):
        return found
    for stmt in statements(text):
        hit = classify(stmt) if stmt.mentions(_DROP) else None
        if hit is None or hit.operation not in ("DROP DATABASE", "DROP SCHEMA"):
            continue
        if hit.operation == "DROP SCHEMA" and schema_needs_cascade and not hit.cascade:
            continue
        if hit.names and all(disposable_name(n) or (made_here is not None and made_here(n)) for n in hit.names):
            continue
        found.append(hit)
    return found


def creates(text: str) -> list[str]:
    """The databases and schemas that ``CREATE DATABASE``/``CREATE SCHEMA`` statements in ``text`` make."""
    names: list[str] = []
    if not _mentions(text, ("CREATE",)):
        return names
    for stmt in statements(text):
        kw = stmt.keywords if stmt.mentions(_CREATE) else []
        if len(kw) < 3 or kw[0] != "CREATE" or kw[1] not in ("DATABASE", "SCHEMA"):
            continue
        rest = [k for k in kw[2:] if k not in ("IF", "NOT", "EXISTS")]
        if rest and rest[0] not in _NAME_STOP:
            names.append(_original(stmt, rest[0]))
    return names


def data_wipes(text: str) -> list[SqlHit]:
    """TRUNCATE, DELETE without WHERE, DROP DATABASE and DROP SCHEMA … CASCADE in ``text``."""
    found: list[SqlHit] = []
    if not _mentions(text, ("DROP", "TRUNCATE", "DELETE")):
        return found
    for stmt in statements(text):
        hit = classify(stmt) if stmt.mentions(_WIPES) else None
        if hit is None:
            continue
        if hit.operation == "DROP SCHEMA" and not hit.cascade:
            continue
        if hit.operation.startswith("DROP") and hit.names and all(disposable_name(n) for n in hit.names):
            continue
        found.append(hit)
    return found


# --------------------------------------------------------------------------- migrations

_MIGRATION_DIRS = {"migrations", "migration", "migrate", "flyway", "liquibase", "changelog", "changesets"}
_DOWN_TOKENS = {"down", "rollback", "revert", "undo"}
_FLYWAY = deferred_re.compile(r"^[VUR]\d[\w.]*__")
_FLYWAY_UNDO = deferred_re.compile(r"^U\d[\w.]*__")
_NUMBERED = deferred_re.compile(r"^\d+[_-].+\.(up|down)\.sql$", re.IGNORECASE)
_SECTION = deferred_re.compile(r"^\s*--\s*\+(goose|migrate)\s+(up|down)\b", re.IGNORECASE)


def is_migration(path: str, text: str) -> bool:
    """A migration: under a migrations-like directory, named like Flyway/golang-migrate, or with
    goose / sql-migrate section markers."""
    p = PurePosixPath(path)
    if any(part.lower() in _MIGRATION_DIRS for part in p.parts[:-1]):
        return True
    if _FLYWAY.match(p.name) or _NUMBERED.match(p.name):
        return True
    return any(_SECTION.match(line) for line in text.splitlines())


def is_down_file(path: str) -> bool:
    """``0003_x.down.sql``, Flyway ``U3__x.sql``, ``rollback/…``, ``*_revert.sql``."""
    p = PurePosixPath(path)
    if _FLYWAY_UNDO.match(p.name):
        return True
    words = [t for part in p.parts for t in re.split(r"[^a-z]+", part.lower()) if t]
    return any(w in _DOWN_TOKENS for w in words)


def down_lines(text: str) -> set[int]:
    """Lines inside ``-- +goose Down`` / ``-- +migrate Down`` sections (up to the next Up)."""
    lines: set[int] = set()
    down = False
    for number, line in enumerate(text.splitlines(), start=1):
        m = _SECTION.match(line)
        if m:
            down = m.group(2).lower() == "down"
            continue
        if down:
            lines.add(number)
    return lines
