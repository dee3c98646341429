"""Parser for ``.env`` files in the docker-compose dialect.

Compose rejects a malformed env file outright, so a line we cannot read is a
``ParseError`` rather than something to skip: the file would not load anyway.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from guardrails.documents import DotenvDocument, EnvEntry
from guardrails.model import Kind, ParseError, Span

# Leading blanks, optional ``export``, the key, and an optional ``=`` with blanks around it.
_ASSIGN = re.compile(r"[ \t]*((?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.-]*))[ \t]*(=)?[ \t]*")
_BLANK_OR_COMMENT = re.compile(r"[ \t]*(?:#[^\n]*)?(?=\n|\Z)")
_DOUBLE_BODY = re.compile(r'[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\", "$": "$"}
_INLINE_COMMENT = re.compile(r"[ \t]#")


def _unescape(raw: str) -> str:
    """Compose expands only a few escapes in double quotes; others stay as written."""
    if "\\" not in raw:
        return raw
    return _ESCAPE.sub(lambda m: _ESCAPES.get(m.group(1), m.group(0)), raw)


class _Lines:
    """Offset to (line, column) translation for one text."""

    __slots__ = ("starts",)

    def __init__(self, text: str) -> None:
        self.starts = [0, *(m.end() for m in re.finditer("\n", text))]

    def pos(self, offset: int) -> tuple[int, int]:
        index = bisect_right(self.starts, offset) - 1
        return index + 1, offset - self.starts[index] + 1

    def span(self, start: int, end: int) -> Span:
        line, column = self.pos(start)
        end_line, end_column = self.pos(end)
        return Span(line, column, end_line, end_column)


def parse(path: str, text: str, kind: Kind) -> DotenvDocument:
    """Read ``KEY=value`` entries with their positions; raise ParseError on a bad line."""
    src = text.replace("\r\n", "\n")
    if src.startswith("\ufeff"):
        src = src[1:]
    lines = _Lines(src)
    entries: list[EnvEntry] = []
    n = len(src)
    pos = 0
    while pos < n:
        blank = _BLANK_OR_COMMENT.match(src, pos)
        if blank is not None:
            pos = blank.end() + 1
            continue
        m = _ASSIGN.match(src, pos)
        if m is None:
            offset = n - len(src[pos:].lstrip(" \t"))
            raise ParseError("expected KEY=value", *lines.pos(offset))
        if m.group(3) is None:
            rest = _BLANK_OR_COMMENT.match(src, m.end())
            if rest is None:
                raise ParseError(f"expected '=' after {m.group(2)!r}", *lines.pos(m.end()))
            # A bare ``KEY`` makes compose pass the variable through from its own
            # environment: valid, but there is no value in the file to record.
            pos = rest.end() + 1
            continue
        key = m.group(2)
        start = m.start(1)
        value_start = m.end()
        quote = src[value_start] if value_start < n else ""
        if quote == "'":
            close = src.find("'", value_start + 1)
            if close < 0:
                raise ParseError("unterminated single-quoted value", *lines.pos(value_start))
            value = src[value_start + 1 : close]
        elif quote == '"':
            body = _DOUBLE_BODY.match(src, value_start + 1)
            if body is None:
                raise ParseError("unterminated double-quoted value", *lines.pos(value_start))
            close = body.end() - 1
            value = _unescape(src[value_start + 1 : close])
        else:
            line_end = src.find("\n", value_start)
            if line_end < 0:
                line_end = n
            eq_end = m.end(3)
            raw = src[eq_end:line_end]
            comment = _INLINE_COMMENT.search(raw)
            if comment is not None:
                raw = raw[: comment.start()]
            value = raw.strip(" \t")
            value_start = eq_end + len(raw) - len(raw.lstrip(" \t"))
            value_end = value_start + len(value)
            entries.append(
                EnvEntry(key, value, lines.span(start, value_end), lines.span(value_start, value_end), quoted=False)
            )
            pos = line_end + 1
            continue
        tail = _BLANK_OR_COMMENT.match(src, close + 1)
        if tail is None:
            raise ParseError("unexpected text after quoted value", *lines.pos(close + 1))
        entries.append(
            EnvEntry(key, value, lines.span(start, close + 1), lines.span(value_start + 1, close), quoted=True)
        )
        pos = tail.end() + 1
    return DotenvDocument(path=path, kind=kind, text=text, entries=entries)
