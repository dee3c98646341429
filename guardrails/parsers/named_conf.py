"""Parser for BIND's ``named.conf`` and the files it includes (ISC's configuration grammar).

A tokenizer reads what BIND's lexer reads (``//``, ``#`` and ``/* */`` comments, quoted
strings with backslash escapes, ``{``, ``}`` and ``;``); a recursive descent reads
statements ``keyword [args] [{ statements }] ;``, the one shape every clause, option and
address-list element of the grammar takes (``controls``' ``inet ... allow { ... } keys { ... };``
interleaves words and blocks). What BIND refuses to load (an unterminated
string or comment, a missing ``;`` or brace) is a ParseError. ``include`` is recorded as a
statement, never followed here: the BIND facts resolve it inside the repository.
"""

from __future__ import annotations

from guardrails.documents import NamedConfDocument, NamedStatement, NamedWord
from guardrails.model import Kind, ParseError, Span
from guardrails.records import Frozen

_SPECIAL = frozenset('{};"')
_BLANK = frozenset(" \t\r\n\f\v")
# Deeper nesting than any configuration writes (address lists nest a few levels) is refused
# rather than recursed into.
_MAX_DEPTH = 64
# Statements whose block is text handed to a module as it is (BIND's ``bracketed_text``).
_TEXT_BLOCKS = frozenset({"dyndb", "plugin"})


class Token(Frozen):
    """``kind`` is ``word``, ``string``, or the punctuation itself (``{``, ``}``, ``;``)."""

    kind: str
    text: str
    span: Span


def tokens(text: str, limit: int | None = None) -> list[Token]:
    """The tokens of ``text`` (at most ``limit`` of them)."""
    out: list[Token] = []
    i, n = 0, len(text)
    line, line_start = 1, 0
    if text.startswith("\ufeff"):
        i = line_start = 1
    while i < n and (limit is None or len(out) < limit):
        char = text[i]
        if char == "\n":
            i += 1
            line, line_start = line + 1, i
            continue
        if char in _BLANK:
            i += 1
            continue
        column = i - line_start + 1
        if char == "#" or text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                raise ParseError("unterminated /* comment", line, column)
            line += text.count("\n", i, end)
            newline = text.rfind("\n", i, end)
            if newline >= 0:
                line_start = newline + 1
            i = end + 2
            continue
        if char in "{};":
            out.append(Token(char, char, Span(line, column, line, column + 1)))
            i += 1
            continue
        if char == '"':
            start_line, chars = line, []
            i += 1
            while True:
                if i >= n:
                    raise ParseError("unterminated quoted string", start_line, column)
                char = text[i]
                if char == "\\" and i + 1 < n:
                    chars.append(text[i + 1])
                    i += 2
                    continue
                if char == '"':
                    i += 1
                    break
                if char == "\n":
                    line, line_start = line + 1, i + 1
                chars.append(char)
                i += 1
            out.append(Token("string", "".join(chars), Span(start_line, column, line, i - line_start + 1)))
            continue
        start = i
        while i < n and text[i] not in _BLANK and text[i] not in _SPECIAL:
            i += 1
        out.append(Token("word", text[start:i], Span(line, column, line, i - line_start + 1)))
    return out


class _Parser:
    def __init__(self, found: list[Token]) -> None:
        self.tokens = found
        self.at = 0

    def statements(self, opened: Token | None, depth: int = 0, parent: str = "") -> list[NamedStatement]:
        if depth > _MAX_DEPTH and opened is not None:
            raise ParseError("braces nested too deeply", opened.span.line, opened.span.column)
        found: list[NamedStatement] = []
        while self.at < len(self.tokens):
            token = self.tokens[self.at]
            if token.kind == "}":
                if opened is None:
                    raise ParseError("'}' without a matching '{'", token.span.line, token.span.column)
                self.at += 1
                return found
            if token.kind == ";":
                self.at += 1  # an empty statement: BIND accepts a stray ';'
                continue
            found.append(self.statement(depth, parent))
        if opened is not None:
            raise ParseError("'{' is never closed", opened.span.line, opened.span.column)
        return found

    def skip_text(self, opened: Token) -> None:
        """A block of text for a module (``dyndb``'s and ``plugin``'s parameters), not statements."""
        depth = 1
        while self.at < len(self.tokens):
            kind = self.tokens[self.at].kind
            self.at += 1
            depth += (kind == "{") - (kind == "}")
            if depth == 0:
                return
        raise ParseError("'{' is never closed", opened.span.line, opened.span.column)

    def statement(self, depth: int, parent: str) -> NamedStatement:
        first = self.tokens[self.at]
        keyword = first.text if first.kind in ("word", "string") else ""
        if keyword:
            self.at += 1
        args: list[NamedWord] = []
        blocks: list[list[NamedStatement]] = []
        while self.at < len(self.tokens):
            token = self.tokens[self.at]
            if token.kind == ";":
                self.at += 1
                return NamedStatement(keyword, args, _join(first.span, token.span), blocks)
            if token.kind == "}" and parent == "keys" and keyword:
                return NamedStatement(keyword, args, first.span)  # ``keys { "name" };``: BIND's kludge
            if token.kind == "}":
                raise ParseError("missing ';' before '}'", token.span.line, token.span.column)
            self.at += 1
            if token.kind == "{" and keyword.lower() in _TEXT_BLOCKS:
                self.skip_text(token)
                blocks.append([])
            elif token.kind == "{":
                blocks.append(self.statements(token, depth + 1, keyword.lower()))
            else:
                args.append(NamedWord(token.text, token.span, token.kind == "string"))
        last = self.tokens[-1]
        raise ParseError("missing ';' at the end of the file", last.span.end_line, last.span.end_column)


def _join(start: Span, end: Span) -> Span:
    return Span(start.line, start.column, end.end_line, end.end_column)


def parse(path: str, text: str, kind: Kind) -> NamedConfDocument:
    statements = _Parser(tokens(text)).statements(None)
    return NamedConfDocument(path=path, kind=kind, text=text, statements=statements)
