""".env files: entries with the spans of their keys and values."""

from __future__ import annotations

from typing import Any

from guardrails.model import Document, Kind, Span
from guardrails.records import Record


class EnvEntry(Record):
    __slots__ = ("key", "quoted", "span", "value", "value_span")

    def __init__(self, key: str, value: str, span: Span, value_span: Span, quoted: bool = False) -> None:
        self.key = key
        self.value = value
        self.span = span
        self.value_span = value_span
        self.quoted = quoted


class DotenvDocument(Document):
    __slots__ = ("entries",)

    def __init__(
        self,
        path: str,
        kind: Kind,
        text: str,
        entries: list[EnvEntry] | None = None,
        **base: Any,
    ) -> None:
        super().__init__(path, kind, text, **base)
        self.entries: list[EnvEntry] = [] if entries is None else entries

    def as_dict(self) -> dict[str, str]:
        return {e.key: e.value for e in self.entries}
