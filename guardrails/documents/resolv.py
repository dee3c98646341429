"""resolv.conf: its entries."""

from __future__ import annotations

from dataclasses import dataclass, field

from guardrails.model import Document, Span


@dataclass
class ResolvEntry:
    keyword: str
    values: list[str]
    span: Span


@dataclass
class ResolvDocument(Document):
    entries: list[ResolvEntry] = field(default_factory=list)

    @property
    def nameservers(self) -> list[ResolvEntry]:
        return [e for e in self.entries if e.keyword == "nameserver"]
