"""SQL scripts as statements with their keywords, for the destructive-operation rules.

sqlparse splits and classifies tokens, but it has no positions and does not know
client syntax (psql meta-commands, MySQL ``DELIMITER``, T-SQL ``GO``, ``COPY ...
FROM stdin`` data) nor nested comments. So a small scanner runs first: it finds
comments, string literals and client commands exactly, and hands sqlparse a
*masked* copy of the text of the same length, where comments are blanks and every
string literal is a quoted run of blanks. Offsets in the masked text are offsets
in the source, and nothing inside a comment or a string can look like SQL.

Plain ``'...'`` strings treat a backslash as an escape (MySQL, and what sqlparse
does); when that leaves the string unterminated, the standard SQL reading (no
backslash escapes, PostgreSQL's default) is tried before giving up.

sqlparse's lexer is pure Python (a 1.4 MB dump: 4 s), and most statements of a dump
are never asked about. So the scanner also records each ``;`` it meets, and a run of
masked text up to the next one that sqlparse would split there too (``_plain``) is a
statement whose keywords are lexed on first use (``SqlStatement.mentions`` lets a rule
skip the rest); sqlparse splits whatever else (blocks, ``GO``, open parentheses).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from typing import Any

from guardrails import deferred_re
from guardrails.documents import SqlDocument, SqlStatement
from guardrails.model import Kind, ParseError, Span
from guardrails.parsers._gc import without_cyclic_gc

# A client command or hash comment at the start of a line.
_LINE_COMMAND = deferred_re.compile(
    r"""[ \t]*(?:
        (?P<meta>\\)
       |(?P<hash>\#)
       |(?P<delimiter>DELIMITER)[ \t]+(?P<delim>\S+)[ \t]*(?=\n|\Z)
       |(?P<go>GO)(?:[ \t]+\d+)?[ \t]*(?:--[^\n]*)?(?=\n|\Z)
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_STRING_BACKSLASH = deferred_re.compile(r"'[^'\\]*(?:(?:\\.|'')[^'\\]*)*'", re.DOTALL)
_STRING_STANDARD = deferred_re.compile(r"'[^']*(?:''[^']*)*'")
_QUOTED_IDENT = deferred_re.compile(r'"[^"]*(?:""[^"]*)*"')
_QUOTED_IDENT_BACKSLASH = deferred_re.compile(r'"[^"\\]*(?:(?:\\.|"")[^"\\]*)*"', re.DOTALL)
_BACKTICK_IDENT = deferred_re.compile(r"`[^`]*(?:``[^`]*)*`")
_DOLLAR_TAG = deferred_re.compile(r"\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$")
_EXEC_COMMENT = deferred_re.compile(r"/\*!\d*")
_COMMENT_MARK = deferred_re.compile(r"/\*|\*/")
# Comments before ``COPY``: each alternative matches one way only (a ``--`` comment runs to its
# newline, a block comment to its first ``*/``). With ``--[^\n]*`` alone a line of dashes split
# into ``--`` pieces in exponentially many ways, and a Navicat dump hung the scan.
_COPY_STDIN = deferred_re.compile(
    r"(?:\s|--[^\n]*(?:\n|\Z)|/\*(?:[^*]|\*(?!/))*\*/)*COPY\b.*\bFROM\s+STDIN\b", re.IGNORECASE | re.DOTALL
)
_META_COPY_STDIN = deferred_re.compile(r"copy\b.*\bfrom\s+stdin\b", re.IGNORECASE)
_COPY_END = deferred_re.compile(r"^\\\.[ \t]*$", re.MULTILINE)
_IDENT_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$")
_BASE_SPECIALS = "'\"`$\n/-;*"


def _specials(delimiter: str) -> re.Pattern[str]:
    """Characters the scanner must stop at, including the current delimiter's first."""
    chars = sorted(set(_BASE_SPECIALS + delimiter[0]))
    return re.compile("[" + "".join(re.escape(c) for c in chars) + "]")


class _Lines:
    __slots__ = ("starts",)

    def __init__(self, text: str) -> None:
        self.starts = [0, *(m.end() for m in re.finditer("\n", text))]

    def pos(self, offset: int) -> tuple[int, int]:
        index = bisect_right(self.starts, offset) - 1
        return index + 1, offset - self.starts[index] + 1


class _Scan:
    """Result of the pre-scan: the masked text and the pieces sqlparse should read.

    A piece is (start, end, split): ``split`` pieces may hold several ``;``-separated
    statements; the others are exactly one statement (custom ``DELIMITER`` mode).
    """

    def __init__(self, text: str, lines: _Lines) -> None:
        self.text = text
        self.lines = lines
        self.masks: list[tuple[int, int, bool]] = []  # (start, end, is_string)
        self.pieces: list[tuple[int, int, bool]] = []
        self.semicolons: list[int] = []  # offsets of the ``;`` outside strings, comments and quoted names
        self._run()

    def _error(self, message: str, offset: int) -> ParseError:
        return ParseError(message, *self.lines.pos(offset))

    def _run(self) -> None:
        text = self.text
        n = len(text)
        delimiter = ";"
        specials = _specials(delimiter)
        seg_start = 0  # start of the current piece
        stmt_start = 0  # start of the current statement (default delimiter only)
        exec_comment = -1  # offset of an open MySQL /*! ... */ whose body is code
        pos = 0
        at_line_start = True
        masks = self.masks
        pieces = self.pieces
        while True:
            if at_line_start:
                at_line_start = False
                cmd = _LINE_COMMAND.match(text, pos)
                if cmd is not None:
                    eol = text.find("\n", pos)
                    eol = n if eol < 0 else eol
                    if cmd.group("hash") is not None:
                        masks.append((cmd.start("hash"), eol, False))
                    else:
                        pieces.append((seg_start, pos, delimiter == ";"))
                        seg_start = stmt_start = eol
                        if cmd.group("delim") is not None:
                            delimiter = cmd.group("delim")
                            specials = _specials(delimiter)
                        elif cmd.group("meta") is not None and _META_COPY_STDIN.match(text, cmd.end(), eol):
                            eol = seg_start = stmt_start = self._copy_data_end(eol)
                    pos = eol
            m = specials.search(text, pos)
            if m is None:
                break
            i = m.start()
            ch = text[i]
            if delimiter != ";" and text.startswith(delimiter, i):
                pieces.append((seg_start, i, False))
                seg_start = pos = i + len(delimiter)
            elif ch == "\n":
                pos = i + 1
                at_line_start = True
            elif ch == "'":
                pos = self._string(i)
            elif ch == '"':
                end = _QUOTED_IDENT.match(text, i) or _QUOTED_IDENT_BACKSLASH.match(text, i)
                if end is None:
                    raise self._error("unterminated quoted identifier", i)
                pos = end.end()
            elif ch == "`":
                end = _BACKTICK_IDENT.match(text, i)
                if end is None:
                    raise self._error("unterminated quoted identifier", i)
                pos = end.end()
            elif ch == "$":
                pos = self._dollar(i)
            elif ch == "-":
                if text.startswith("--", i):
                    eol = text.find("\n", i)
                    pos = n if eol < 0 else eol
                    masks.append((i, pos, False))
                else:
                    pos = i + 1
            elif ch == "/":
                if text.startswith("/*!", i) and exec_comment < 0:
                    marker = _EXEC_COMMENT.match(text, i)
                    assert marker is not None
                    masks.append((i, marker.end(), False))
                    exec_comment = i
                    pos = marker.end()
                elif text.startswith("/*", i):
                    pos = self._block_comment(i)
                else:
                    pos = i + 1
            elif ch == "*":
                if exec_comment >= 0 and text.startswith("*/", i):
                    masks.append((i, i + 2, False))
                    exec_comment = -1
                    pos = i + 2
                else:
                    pos = i + 1
            else:  # ";"
                pos = i + 1
                if delimiter == ";":
                    self.semicolons.append(i)
                    if _COPY_STDIN.match(text, stmt_start, i):
                        eol = text.find("\n", i)
                        pieces.append((seg_start, pos, True))
                        seg_start = pos = self._copy_data_end(n if eol < 0 else eol)
                    stmt_start = pos
        if exec_comment >= 0:
            raise self._error("unterminated block comment", exec_comment)
        pieces.append((seg_start, n, delimiter == ";"))

    def _copy_data_end(self, eol: int) -> int:
        """After ``COPY ... FROM stdin`` psql reads data lines up to a line ``\\.``."""
        marker = _COPY_END.search(self.text, eol)
        return len(self.text) if marker is None else marker.end()

    def _string(self, i: int) -> int:
        """Mask the string literal whose quote is at ``i``; return the offset after it."""
        text = self.text
        start = i
        escapes = False
        if i >= 1 and text[i - 1] in "EeNnBbXx" and (i < 2 or text[i - 2] not in _IDENT_CHARS):
            start = i - 1
            escapes = text[i - 1] in "Ee"
        elif i >= 2 and text[i - 2 : i] in ("U&", "u&") and (i < 3 or text[i - 3] not in _IDENT_CHARS):
            start = i - 2
        m = _STRING_BACKSLASH.match(text, i)
        if m is None and not escapes:
            m = _STRING_STANDARD.match(text, i)
        if m is None:
            raise self._error("unterminated string literal", start)
        self.masks.append((start, m.end(), True))
        return m.end()

    def _dollar(self, i: int) -> int:
        """Mask a ``$tag$ ... $tag$`` body; ``$1`` and ``a$b`` are not quotes."""
        text = self.text
        if i and text[i - 1] in _IDENT_CHARS:
            return i + 1
        m = _DOLLAR_TAG.match(text, i)
        if m is None:
            return i + 1
        tag = m.group()
        close = text.find(tag, m.end())
        if close < 0:
            raise self._error("unterminated dollar-quoted string", i)
        end = close + len(tag)
        self.masks.append((i, end, True))
        return end

    def _block_comment(self, i: int) -> int:
        """Mask a block comment, honouring nesting (PostgreSQL, SQL Server)."""
        depth = 1
        pos = i + 2
        while depth:
            m = _COMMENT_MARK.search(self.text, pos)
            if m is None:
                raise self._error("unterminated block comment", i)
            depth += 1 if m.group() == "/*" else -1
            pos = m.end()
        self.masks.append((i, pos, False))
        return pos

    def masked(self) -> str:
        """The text with comments blanked and string literals emptied to ``'   '``."""
        parts: list[str] = []
        last = 0
        text = self.text
        for start, end, is_string in self.masks:
            parts.append(text[last:start])
            parts.append("'" + " " * (end - start - 2) + "'" if is_string else " " * (end - start))
            last = end
        parts.append(text[last:])
        return "".join(parts)


def _statement(
    src: str, masked: str, start: int, end: int, tokens: Iterable[tuple[Any, str]] | None, lines: _Lines
) -> SqlStatement | None:
    """One statement from its token stream, or to be lexed on first use when ``tokens`` is
    None; None when it holds nothing but ``;``."""
    body = masked[start:end]
    stripped = body.strip()
    if not stripped or stripped == ";":
        return None
    first = start + len(body) - len(body.lstrip())
    last = start + len(body.rstrip())
    line, column = lines.pos(first)
    end_line, end_column = lines.pos(last)
    span = Span(line, column, end_line, end_column)
    if tokens is None:
        return SqlStatement(src[first:last], None, span, code=masked[first:last], read=_read)
    keywords, has_where = _keywords(tokens)
    return SqlStatement(src[first:last], keywords, span, has_where)


def _read(code: str) -> tuple[list[str], bool]:
    from sqlparse import lexer

    return _keywords(lexer.tokenize(code))


def _keywords(tokens: Iterable[tuple[Any, str]]) -> tuple[list[str], bool]:
    """The keywords and names of a statement's tokens, and whether it has a WHERE of its own."""
    from sqlparse import tokens as T  # noqa: N812 - sqlparse's own idiom

    keywords: list[str] = []
    depth = 0
    has_where = False
    for ttype, value in tokens:
        if ttype in T.Keyword:
            words = value.upper().split()
            keywords.extend(words)
            if depth == 0 and words == ["WHERE"]:
                has_where = True
        elif ttype in T.Name:
            if ttype is T.Name.Placeholder:
                continue
            if len(value) >= 2 and value[0] in "`[" and value[-1] in "`]":
                value = value[1:-1].replace("``", "`")
            keywords.append(value.upper())
        elif ttype is T.String.Symbol:
            keywords.append(value[1:-1].replace('""', '"').upper())
        elif ttype is T.Punctuation:
            if value == "(":
                depth += 1
            elif value == ")":
                depth -= 1
    return keywords, has_where


# Words that make sqlparse's splitter keep a ``;`` inside the statement (a ``BEGIN … END`` or
# ``DECLARE`` block) or split elsewhere (``GO``), matched loosely (as ``SqlStatement.mentions``).
_BLOCK_WORD = deferred_re.compile(r"(?<![A-Z_])(?:BEGIN|DECLARE|END|GO)(?![A-Z0-9_])")
_QUOTED_NAME = deferred_re.compile(r'"[^"]*"|`[^`]*`')


def _plain(chunk: str) -> bool:
    """Whether sqlparse would split this masked text, which runs up to its first ``;``, as one
    statement ending there: no block or ``GO`` word, no more ``(`` than ``)`` (an open
    parenthesis keeps the ``;`` in), and nothing the two scanners might read differently
    (``[name]``, a ``# `` comment, ``$``, a backslash in a quoted name). Anything else is
    left to sqlparse."""
    if "[" in chunk or "#" in chunk or "$" in chunk or ('"' in chunk and "\\" in chunk):
        return False
    if _BLOCK_WORD.search(chunk.upper()) is not None:
        return False
    bare = _QUOTED_NAME.sub("", chunk) if '"' in chunk or "`" in chunk else chunk
    return bare.count("(") <= bare.count(")")


def _split(src: str, masked: str, start: int, end: int, semicolons: list[int], lines: _Lines) -> list[SqlStatement]:
    """The statements of a ``;``-separated piece, split where sqlparse splits them: a run up to
    the next ``;`` that ``_plain`` vouches for is one statement, lexed on first use; from any
    other, sqlparse splits off the next statement (reading no further than it)."""
    found: list[SqlStatement] = []
    pos = start
    index = bisect_left(semicolons, start)
    while pos < end:
        while index < len(semicolons) and semicolons[index] < pos:
            index += 1
        stop = semicolons[index] + 1 if index < len(semicolons) and semicolons[index] < end else end
        if _plain(masked[pos:stop]):
            statement = _statement(src, masked, pos, stop, None, lines)
            pos = stop
        else:
            from sqlparse.engine import FilterStack

            first = next(iter(FilterStack().run(masked[pos:end])), None)
            if first is None:
                break
            length = len(str(first))
            tokens = ((t.ttype, t.value) for t in first.tokens)
            statement = _statement(src, masked, pos, pos + length, tokens, lines)
            pos += length
        if statement is not None:
            found.append(statement)
    return found


@without_cyclic_gc
def parse(path: str, text: str, kind: Kind) -> SqlDocument:
    """Statements in source order; ParseError for an unterminated string or comment."""
    src = text.replace("\r\n", "\n")
    if src.startswith("\ufeff"):
        src = src[1:]
    lines = _Lines(src)
    scan = _Scan(src, lines)
    masked = scan.masked()
    statements: list[SqlStatement] = []
    for start, end, split in scan.pieces:
        piece = masked[start:end]
        if not piece.strip():
            continue
        if split:
            statements.extend(_split(src, masked, start, end, scan.semicolons, lines))
            continue
        from sqlparse import lexer

        found = _statement(src, masked, start, end, lexer.tokenize(piece), lines)
        if found is not None:
            statements.append(found)
    return SqlDocument(path=path, kind=kind, text=text, statements=statements)
