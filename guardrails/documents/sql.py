"""SQL files: statements with their positions."""

from __future__ import annotations

from dataclasses import dataclass, field

from guardrails.model import Document, Span


@dataclass
class SqlStatement:
    """One SQL statement. ``keywords`` are its upper-cased keywords and names, in order,
    with comments and string literals left out, so ``-- DROP DATABASE`` never matches."""

    text: str
    keywords: list[str]
    span: Span
    has_where: bool = False


@dataclass
class SqlDocument(Document):
    statements: list[SqlStatement] = field(default_factory=list)
