"""Makefiles: recipe lines and variables."""

from __future__ import annotations

from dataclasses import dataclass, field

from guardrails.model import Document, Span


@dataclass
class RecipeLine:
    target: str
    text: str
    span: Span


@dataclass
class MakefileDocument(Document):
    recipes: list[RecipeLine] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)
