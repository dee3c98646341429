"""resolv.conf: its entries."""

from __future__ import annotations

from typing import Any

from guardrails.model import Document, Kind, Span
from guardrails.records import Record


class ResolvEntry(Record):
    __slots__ = ("keyword", "span", "values")

    def __init__(self, keyword: str, values: list[str], span: Span) -> None:
        self.keyword = keyword
        self.values = values
        self.span = span


class ResolvDocument(Document):
    __slots__ = ("entries",)

    def __init__(
        self,
        path: str,
        kind: Kind,
        text: str,
        entries: list[ResolvEntry] | None = None,
        **base: Any,
    ) -> None:
        super().__init__(path, kind, text, **base)
        self.entries: list[ResolvEntry] = [] if entries is None else entries

    @property
    def nameservers(self) -> list[ResolvEntry]:
        return [e for e in self.entries if e.keyword == "nameserver"]
