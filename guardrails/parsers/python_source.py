"""The source text of CPython's syntax-tree nodes, read as libcst read it when it parsed
Python: columns in characters (CPython counts UTF-8 bytes), a node's code with the
parentheses that wrap it, string literals piece by piece with f-string text undecoded.
Findings keep the positions and words they had when libcst read every file."""

from __future__ import annotations

import ast
import io
import keyword
import re
import token
from bisect import bisect_left
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import tokenize

# Lines as CPython's tokenizer counts them (no form feed or separator character ends one).
_LINES = re.compile(r"[^\r\n]*(?:\r\n?|\n)|[^\r\n]+$")
# Tokens after which ``(`` opens a call's (or a definition's) arguments, not a group.
_CALLABLE_END = frozenset({token.NAME, token.NUMBER, token.STRING})
_KEYWORDS = frozenset(keyword.kwlist) - {"True", "False", "None"}  # these three end expressions
_SKIPPED = frozenset({token.NL, token.NEWLINE, token.COMMENT, token.INDENT, token.DEDENT})
HOLE = "__v__"  # what libcst's readers made of an f-string's replacement field


class Source:
    """One file's text, its lines and (read on first use) its tokens."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines: list[str] = _LINES.findall(text)
        self._tokens: list[tokenize.TokenInfo] | None = None
        self._starts: list[tuple[int, int]] = []
        self._match: dict[int, int] = {}

    def column(self, line: int, offset: int) -> int:
        """The 0-based character column of a UTF-8 byte ``offset`` on 1-based ``line``."""
        if line > len(self.lines):
            return offset
        text = self.lines[line - 1]
        return offset if text.isascii() else len(text.encode()[:offset].decode(errors="replace"))

    def start(self, node: ast.AST) -> tuple[int, int]:
        return node.lineno, self.column(node.lineno, node.col_offset)  # type: ignore[attr-defined]

    def end(self, node: ast.AST) -> tuple[int, int]:
        return node.end_lineno, self.column(node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]

    def between(self, start: tuple[int, int], end: tuple[int, int]) -> str:
        """The text from ``start`` to ``end`` (line, character column); the whole text when
        its lines are not where CPython counted them."""
        (first, head), (last, tail) = start, end
        if last > len(self.lines):
            return self.text
        if first == last:
            return self.lines[first - 1][head:tail]
        return self.lines[first - 1][head:] + "".join(self.lines[first : last - 1]) + self.lines[last - 1][:tail]

    def segment(self, node: ast.AST) -> str:
        return self.between(self.start(node), self.end(node))

    def code(self, node: ast.AST) -> str:
        """The node's code as libcst printed it: with the parentheses that group it."""
        start, end = self.start(node), self.end(node)
        tokens = self.tokens()
        if tokens:
            before = bisect_left(self._starts, start) - 1
            after = bisect_left(self._starts, end)
            while True:
                before = self._significant(before, -1)
                after = self._significant(after, 1)
                if before < 0 or after >= len(tokens) or self._match.get(before) != after:
                    break
                if self._callable_end(before - 1):
                    break
                start, end = tokens[before].start, tokens[after].end
                before, after = before - 1, after + 1
        return self.between(start, end)

    def strings(self, node: ast.AST) -> list[str] | None:
        """The string literals a str or f-string node is written as (one each for an implicit
        concatenation); None when its source is not where CPython placed it."""
        import tokenize  # only files with a call worth reading pay for it

        try:
            found = tokenize.generate_tokens(io.StringIO(f"({self.segment(node)})").readline)
            pieces = [t for t in found if t.type not in _SKIPPED and t.type != tokenize.ENDMARKER]
        except (tokenize.TokenError, SyntaxError):
            return None
        inner = pieces[1:-1]
        if not inner or any(t.type != tokenize.STRING for t in inner):
            return None
        return [t.string for t in inner]

    def tokens(self) -> list[tokenize.TokenInfo]:
        import tokenize

        if self._tokens is None:
            self._tokens = []
            try:
                self._tokens = list(tokenize.generate_tokens(io.StringIO(self.text).readline))
            except (tokenize.TokenError, SyntaxError):
                self._tokens = []
            self._starts = [t.start for t in self._tokens]
            stack: list[int] = []
            for index, each in enumerate(self._tokens):
                if each.type == token.OP and each.string in "([{":
                    stack.append(index)
                elif each.type == token.OP and each.string in ")]}" and stack:
                    opened = stack.pop()
                    if self._tokens[opened].string == "(" and each.string == ")":
                        self._match[opened] = index
        return self._tokens

    def _significant(self, index: int, step: int) -> int:
        tokens = self._tokens or []
        while 0 <= index < len(tokens) and tokens[index].type in _SKIPPED:
            index += step
        return index

    def _callable_end(self, index: int) -> bool:
        """Whether the token at or before ``index`` (comments and line breaks inside brackets
        aside) ends an expression, so that a ``(`` after it is a call's; a statement's end is none."""
        tokens = self._tokens or []
        while index >= 0 and tokens[index].type in (token.NL, token.COMMENT):
            index -= 1
        if index < 0:
            return False
        last = tokens[index]
        if last.type == token.OP:
            return last.string in ")]}"
        return last.type in _CALLABLE_END and last.string not in _KEYWORDS


def literal_text(literals: list[str], hole: str | None) -> str | None:
    """String literals joined as libcst's readers joined them: plain ones decoded, f-strings
    as written, each replacement field made ``hole`` (None: kept as written, braces and all).
    None when a plain literal is bytes."""
    pieces = []
    for literal in literals:
        body = literal.lstrip("rRbBuUfF")
        if "f" not in literal[: len(literal) - len(body)].lower():
            value = ast.literal_eval(literal)
            if not isinstance(value, str):
                return None
            pieces.append(value)
            continue
        quote = 3 if body[:3] in ('"""', "'''") else 1
        text = body[quote:-quote]
        pieces.append(text if hole is None else "".join(hole if field else part for field, part in _fields(text)))
    return "".join(pieces)


def _fields(body: str) -> list[tuple[bool, str]]:
    """An f-string's body as (is a replacement field, raw text) pieces; ``{{`` stays text."""
    pieces: list[tuple[bool, str]] = []
    text, index = [], 0
    while index < len(body):
        char = body[index]
        if body.startswith(("{{", "}}"), index):
            text.append(body[index : index + 2])
            index += 2
            continue
        if char != "{":
            text.append(char)
            index += 1
            continue
        if text:
            pieces.append((False, "".join(text)))
            text = []
        end = _field_end(body, index)
        pieces.append((True, body[index:end]))
        index = end
    if text:
        pieces.append((False, "".join(text)))
    return pieces


def _field_end(body: str, index: int) -> int:
    """Where the replacement field opened at ``index`` ends (after its ``}``)."""
    depth, quote = 0, ""
    while index < len(body):
        char = body[index]
        if quote:
            if body.startswith(quote, index):
                index += len(quote) - 1
                quote = ""
        elif char in "'\"":
            quote = char * 3 if body.startswith(char * 3, index) else char
            index += len(quote) - 1
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1
    return index
