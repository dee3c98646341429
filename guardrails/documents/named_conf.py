"""BIND ``named.conf`` (and the files it includes): statements ``keyword [args] [{ ... }];``."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from guardrails.model import Document, Span


@dataclass
class NamedWord:
    """A word or a quoted string (without its quotes) where it is written."""

    text: str
    span: Span
    quoted: bool = False


@dataclass
class NamedStatement:
    """``keyword args... { block };``. An element of an address list (``10.0.0.1;``) is a
    statement whose keyword is the element; a nested list (``{ a; b; };``) has keyword ''.
    ``args`` are its words in order and ``blocks`` its braces in order (``inet 127.0.0.1 allow
    { any; } keys { k; };`` has two)."""

    keyword: str
    args: list[NamedWord]
    span: Span
    blocks: list[list[NamedStatement]] = field(default_factory=list)

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


@dataclass
class NamedConfDocument(Document):
    statements: list[NamedStatement] = field(default_factory=list)

    def top(self, keyword: str) -> Iterator[NamedStatement]:
        """The top-level statements with ``keyword`` (case-insensitive)."""
        return (s for s in self.statements if s.keyword.lower() == keyword)
