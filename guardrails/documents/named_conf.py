"""BIND ``named.conf`` (and the files it includes): statements ``keyword [args] [{ ... }];``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from guardrails.model import Document, Kind, Span
from guardrails.records import Record


class NamedWord(Record):
    """A word or a quoted string (without its quotes) where it is written."""

    __slots__ = ("quoted", "span", "text")

    def __init__(self, text: str, span: Span, quoted: bool = False) -> None:
        self.text = text
        self.span = span
        self.quoted = quoted


class NamedStatement(Record):
    """``keyword args... { block };``. An element of an address list (``10.0.0.1;``) is a
    statement whose keyword is the element; a nested list (``{ a; b; };``) has keyword ''.
    ``args`` are its words in order and ``blocks`` its braces in order (``inet 127.0.0.1 allow
    { any; } keys { k; };`` has two)."""

    __slots__ = ("args", "blocks", "keyword", "span")

    def __init__(
        self, keyword: str, args: list[NamedWord], span: Span, blocks: list[list[NamedStatement]] | None = None
    ) -> None:
        self.keyword = keyword
        self.args = args
        self.span = span
        self.blocks: list[list[NamedStatement]] = [] if blocks is None else blocks

    @property
    def block(self) -> list[NamedStatement] | None:
        """The statement's first block (a zone's, the options'); None when it has no braces."""
        return self.blocks[0] if self.blocks else None

    def first(self, keyword: str) -> NamedStatement | None:
        """The first statement of the block with ``keyword`` (case-insensitive)."""
        return next(self.all(keyword), None)

    def all(self, keyword: str) -> Iterator[NamedStatement]:
        return (s for s in self.block or () if s.keyword.lower() == keyword)

    def value(self, keyword: str) -> NamedWord | None:
        """The first argument of ``keyword`` in the block: ``file "db.x";`` -> ``db.x``."""
        found = self.first(keyword)
        return found.args[0] if found is not None and found.args else None


class NamedConfDocument(Document):
    __slots__ = ("statements",)

    def __init__(
        self, path: str, kind: Kind, text: str, statements: list[NamedStatement] | None = None, **base: Any
    ) -> None:
        super().__init__(path, kind, text, **base)
        self.statements: list[NamedStatement] = [] if statements is None else statements

    def top(self, keyword: str) -> Iterator[NamedStatement]:
        """The top-level statements with ``keyword`` (case-insensitive)."""
        return (s for s in self.statements if s.keyword.lower() == keyword)
