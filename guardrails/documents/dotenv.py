""".env files: entries with the spans of their keys and values."""

from __future__ import annotations

from dataclasses import dataclass, field

from guardrails.model import Document, Span


@dataclass
class EnvEntry:
    key: str
    value: str
    span: Span
    value_span: Span
    quoted: bool = False


@dataclass
class DotenvDocument(Document):
    entries: list[EnvEntry] = field(default_factory=list)

    def as_dict(self) -> dict[str, str]:
        return {e.key: e.value for e in self.entries}
