"""Parsers for datastore server configuration files: redis.conf (and sentinel.conf),
postgresql.conf, pg_hba.conf and MySQL/MariaDB option files (my.cnf).

Each follows its server's own reader: what the server rejects at start-up (unbalanced
quotes in redis.conf, an option before any ``[group]`` in my.cnf, an unknown connection
type in pg_hba.conf) is a ParseError, what it ignores is ignored.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from guardrails.documents import ConfDocument, ConfEntry
from guardrails.model import Kind, ParseError, Span


def parse(path: str, text: str, kind: Kind) -> ConfDocument:
    readers = {
        Kind.REDIS_CONF: _redis,
        Kind.POSTGRESQL_CONF: _postgresql,
        Kind.PG_HBA: _pg_hba,
        Kind.MYSQL_CNF: _mysql,
    }
    return ConfDocument(path=path, kind=kind, text=text, entries=list(readers[kind](text)))


def lines(text: str) -> Iterator[tuple[int, str]]:
    """(1-based number, line) without line ends or a leading byte-order mark."""
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        yield number, line[1:] if number == 1 and line.startswith("\ufeff") else line


def _span(number: int, line: str) -> Span:
    """The line's text without its surrounding blanks."""
    start = len(line) - len(line.lstrip())
    return Span(number, start + 1, number, len(line.rstrip()) + 1)


# --------------------------------------------------------------------------- redis.conf

_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "a": "\a"}


def _escape(line: str, i: int, quote: str) -> tuple[str, int] | None:
    """The escape at ``line[i]`` inside ``quote``s (its text and length), as sdssplitargs reads it:
    ``\\xHH`` and C escapes between double quotes, only ``\\'`` between single ones."""
    if line[i] != "\\" or i + 1 >= len(line):
        return None
    if quote == "'":
        return ("'", 2) if line[i + 1] == "'" else None
    if line[i + 1] == "x" and i + 3 < len(line) and _is_hex(line[i + 2 : i + 4]):
        return chr(int(line[i + 2 : i + 4], 16)), 4
    return _ESCAPES.get(line[i + 1], line[i + 1]), 2


def _redis(text: str) -> Iterator[ConfEntry]:
    """Redis reads a line as ``sdssplitargs`` words; a ``#`` opens a comment only as the
    line's first character (``requirepass a#b`` is a password with a ``#`` in it)."""
    for number, line in lines(text):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        words = _split_args(stripped, number, len(line) - len(line.lstrip()) + 1)
        yield ConfEntry("", words[0].lower(), words[1:], _span(number, line))


def _split_args(line: str, number: int, column: int) -> list[str]:
    """Redis's ``sdssplitargs``: blank-separated words, ``"..."`` with C escapes and ``\\xHH``,
    ``'...'`` with ``\\'`` only; a closing quote must end the word."""
    words: list[str] = []
    i, n = 0, len(line)
    while i < n:
        while i < n and line[i] in " \t\n\r\v\f":
            i += 1
        if i >= n:
            break
        word: list[str] = []
        quote = ""
        while i < n:
            char = line[i]
            if quote:
                escaped = _escape(line, i, quote)
                if escaped is not None:
                    word.append(escaped[0])
                    i += escaped[1]
                    continue
                if char == quote:
                    quote = ""
                    i += 1
                    if i < n and line[i] not in " \t\n\r\v\f":
                        raise ParseError("closing quote must be followed by a space", number, column + i)
                    break
                word.append(char)
            elif char in " \t\n\r\v\f":
                break
            elif char in "\"'" and not word:
                quote = char
            else:
                word.append(char)
            i += 1
        if quote:
            raise ParseError("unbalanced quotes", number, column)
        words.append("".join(word))
    return words


def _is_hex(text: str) -> bool:
    return len(text) == 2 and all(c in "0123456789abcdefABCDEF" for c in text)


# --------------------------------------------------------------------------- postgresql.conf

_GUC = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_$.]*)\s*(=?)\s*")
_QUOTED = re.compile(r"'((?:[^'\\\n]|''|\\.)*)'")
_UNQUOTED = re.compile(r"[^\s#']+")


def _postgresql(text: str) -> Iterator[ConfEntry]:
    """``name [=] value`` per line, ``#`` comments, values quoted with ``'`` (``''`` and
    backslash escapes inside); names are case-insensitive."""
    for number, line in lines(text):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _GUC.match(line)
        if match is None:
            raise ParseError("syntax error: a setting name was expected", number, len(line) - len(line.lstrip()) + 1)
        name, position = match.group(1).lower(), match.end()
        quoted = _QUOTED.match(line, position)
        bare = _UNQUOTED.match(line, position)
        if quoted is not None:
            value, position = _unquote_guc(quoted.group(1)), quoted.end()
        elif bare is not None:
            value, position = bare.group(), bare.end()
        else:
            raise ParseError(f"syntax error: {name} has no value", number, position + 1)
        rest = line[position:].strip()
        if rest and not rest.startswith("#"):
            raise ParseError(f"syntax error after the value of {name}", number, position + 1)
        end = len(line[:position].rstrip()) + 1
        yield ConfEntry("", name, [value], Span(number, match.start(1) + 1, number, end))


def _unquote_guc(body: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(body):
        if body[i] == "'" and body[i + 1 : i + 2] == "'":
            out.append("'")
            i += 2
        elif body[i] == "\\" and i + 1 < len(body):
            out.append(_ESCAPES.get(body[i + 1], body[i + 1]))
            i += 2
        else:
            out.append(body[i])
            i += 1
    return "".join(out)


# --------------------------------------------------------------------------- pg_hba.conf

HBA_TYPES = frozenset({"local", "host", "hostssl", "hostnossl", "hostgssenc", "hostnogssenc"})
_HBA_INCLUDES = frozenset({"include", "include_if_exists", "include_dir"})
_HBA_TOKEN = re.compile(r'(?:"[^"\n]*"|[^\s",#])+(?:,(?:"[^"\n]*"|[^\s",#])+)*')


def _pg_hba(text: str) -> Iterator[ConfEntry]:
    """One record per line (a trailing backslash continues it, PostgreSQL 16): the connection
    type as ``key``, then its fields as written (quotes kept, since ``"all"`` is a name and
    ``all`` a keyword); a field may be a comma-separated list."""
    pending: list[tuple[int, str]] = []
    for number, line in lines(text):
        body = _hba_code(line)
        if body.rstrip().endswith("\\"):
            pending.append((number, body.rstrip()[:-1]))
            continue
        first = pending[0][0] if pending else number
        joined = " ".join([part for _, part in pending] + [body])
        pending = []
        if not joined.strip():
            continue
        fields = _HBA_TOKEN.findall(joined)
        if not fields or "".join(fields).replace(",", "") == "":
            raise ParseError("unreadable record", first, 1)
        kind = fields[0].lower()
        span = _span(first, line) if first == number else _multi(first, number, line)
        if kind in _HBA_INCLUDES:
            yield ConfEntry("", kind, fields[1:], span)
            continue
        if kind not in HBA_TYPES:
            raise ParseError(f"invalid connection type {fields[0]!r}", first, len(line) - len(line.lstrip()) + 1)
        if len(fields) < (4 if kind == "local" else 5):
            raise ParseError(f"{kind} record with too few fields", first, 1)
        yield ConfEntry("", kind, fields[1:], span)
    if pending:
        raise ParseError("a record ends with a continuation backslash", pending[-1][0], 1)


def _hba_code(line: str) -> str:
    """The line without its comment: ``#`` outside double quotes."""
    quoted = False
    for i, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == "#" and not quoted:
            return line[:i]
    return line


def _multi(first: int, last: int, line: str) -> Span:
    return Span(first, 1, last, len(line.rstrip()) + 1)


# --------------------------------------------------------------------------- my.cnf

_GROUP = re.compile(r"\[\s*([^\]]*?)\s*\]\s*(?:[#;].*)?$")


def _mysql(text: str) -> Iterator[ConfEntry]:
    """MySQL and MariaDB option files: ``[group]`` headers, ``name`` or ``name = value``,
    ``!include``/``!includedir``, ``#`` and ``;`` comments. Names are normalised as the
    servers read them: ``_`` and ``-`` are the same, a ``loose-`` prefix only makes an
    unknown option a warning. An option before any group stops the server."""
    group: str | None = None
    for number, line in lines(text):
        stripped = line.strip()
        if not stripped or stripped[0] in "#;":
            continue
        if stripped.startswith("!"):
            directive, _, argument = stripped.partition(" ")
            if directive not in ("!include", "!includedir"):
                raise ParseError(f"unknown directive {directive}", number, 1)
            yield ConfEntry(group or "", directive, [argument.strip()], _span(number, line))
            continue
        if stripped.startswith("["):
            header = _GROUP.match(stripped)
            if header is None:
                raise ParseError("wrong group definition", number, len(line) - len(line.lstrip()) + 1)
            group = header.group(1).lower()
            continue
        if group is None:
            raise ParseError("option without a preceding [group]", number, len(line) - len(line.lstrip()) + 1)
        name, sep, value = stripped.partition("=")
        key = name.strip().lower().replace("_", "-")
        key = key.removeprefix("loose-")
        values = [_mysql_value(value)] if sep else []
        yield ConfEntry(group, key, values, _span(number, line))


def _mysql_value(raw: str) -> str:
    """A value without its quotes, or without a trailing ``#`` comment when unquoted."""
    value = raw.strip()
    if len(value) >= 2 and value[0] in "'\"" and value[0] in value[1:]:
        return value[1 : value.index(value[0], 1)]
    hash_at = re.search(r"\s#", value)
    return value[: hash_at.start()].rstrip() if hash_at else value
