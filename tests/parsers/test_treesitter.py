"""Shared tree-sitter plumbing."""

from __future__ import annotations

from guardrails.model import Span
from guardrails.parsers._treesitter import new_span


def test_new_span_is_the_span_its_constructor_makes() -> None:
    """new_span sets Span's slots itself: a field added to Span must be added there too."""
    assert list(Span._fields) == ["line", "column", "end_line", "end_column"]
    made = new_span(3, 7, 4, 1)
    assert made == Span(3, 7, 4, 1) and hash(made) == hash(Span(3, 7, 4, 1))
    assert made < Span(3, 8, 1, 1) and repr(made) == repr(Span(3, 7, 4, 1))
