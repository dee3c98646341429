"""SQL files: statements with their positions."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from guardrails.model import Document, Kind, Span
from guardrails.records import Record


class SqlStatement(Record):
    """One SQL statement. ``keywords`` are its upper-cased keywords and names, in order,
    with comments and string literals left out, so ``-- DROP DATABASE`` never matches.

    The parser may leave them unread: then ``code`` (the statement with comments blanked and
    strings emptied) is read by ``read`` when ``keywords`` or ``has_where`` is first asked
    for, since most statements of a dump are never asked (``mentions`` tells which could be)."""

    __slots__ = ("code", "lexed", "read", "span", "text")

    def __init__(
        self,
        text: str,
        keywords: list[str] | None,
        span: Span,
        has_where: bool = False,
        code: str = "",
        read: Callable[[str], tuple[list[str], bool]] | None = None,
    ) -> None:
        self.text = text
        self.span = span
        self.code = code
        self.read = read
        self.lexed = (keywords, has_where) if keywords is not None else None

    def _value(self) -> tuple[str, list[str], Span, bool]:
        return self.text, self.keywords, self.span, self.has_where

    def __eq__(self, other: object) -> bool:
        """Equal as the statements they are, read on first use or not."""
        if not isinstance(other, SqlStatement):
            return NotImplemented
        return self._value() == other._value()

    def __repr__(self) -> str:
        text, keywords, span, has_where = self._value()
        return f"SqlStatement(text={text!r}, keywords={keywords!r}, span={span!r}, has_where={has_where!r})"

    def _lexed(self) -> tuple[list[str], bool]:
        if self.lexed is None:
            self.lexed = self.read(self.code) if self.read is not None else ([], False)
        return self.lexed

    @property
    def keywords(self) -> list[str]:
        return self._lexed()[0]

    @property
    def has_where(self) -> bool:
        return self._lexed()[1]

    def mentions(self, words: frozenset[str]) -> bool:
        """Whether one of ``words`` (upper-case) could be among ``keywords``: a keyword is a word
        of the code, so this is true for every statement whose keywords hold one (and cheap)."""
        if self.lexed is not None:
            return not words.isdisjoint(self.lexed[0])
        return _words(words).search(self.code.upper()) is not None


@lru_cache(maxsize=16)
def _words(words: frozenset[str]) -> re.Pattern[str]:
    """``words`` where a lexer could read them as a keyword or name of their own: after no
    letter or ``_`` (those would make one longer name with them) and before no letter, digit or
    ``_``. Looser than the lexer (``a.drop``, ``#drop`` match), never stricter."""
    alternatives = "|".join(sorted(map(re.escape, words)))
    return re.compile(rf"(?<![A-Z_])(?:{alternatives})(?![A-Z0-9_])")


class SqlDocument(Document):
    __slots__ = ("statements",)

    def __init__(
        self,
        path: str,
        kind: Kind,
        text: str,
        statements: list[SqlStatement] | None = None,
        **base: Any,
    ) -> None:
        super().__init__(path, kind, text, **base)
        self.statements: list[SqlStatement] = [] if statements is None else statements
