"""Makefiles: recipe lines and variables."""

from __future__ import annotations

from typing import Any

from guardrails.model import Document, Kind, Span
from guardrails.records import Record


class RecipeLine(Record):
    __slots__ = ("span", "target", "text")

    def __init__(self, target: str, text: str, span: Span) -> None:
        self.target = target
        self.text = text
        self.span = span


class MakefileDocument(Document):
    __slots__ = ("recipes", "variables")

    def __init__(
        self,
        path: str,
        kind: Kind,
        text: str,
        recipes: list[RecipeLine] | None = None,
        variables: dict[str, str] | None = None,
        **base: Any,
    ) -> None:
        super().__init__(path, kind, text, **base)
        self.recipes: list[RecipeLine] = [] if recipes is None else recipes
        self.variables: dict[str, str] = {} if variables is None else variables
