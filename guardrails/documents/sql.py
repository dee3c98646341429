"""SQL files: statements with their positions."""

from __future__ import annotations

from typing import Any

from guardrails.model import Document, Kind, Span
from guardrails.records import Record


class SqlStatement(Record):
    """One SQL statement. ``keywords`` are its upper-cased keywords and names, in order,
    with comments and string literals left out, so ``-- DROP DATABASE`` never matches."""

    __slots__ = ("has_where", "keywords", "span", "text")

    def __init__(self, text: str, keywords: list[str], span: Span, has_where: bool = False) -> None:
        self.text = text
        self.keywords = keywords
        self.span = span
        self.has_where = has_where


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
