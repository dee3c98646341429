"""Line-based server configuration files (redis.conf, postgresql.conf, pg_hba.conf, my.cnf,
resolved.conf, dnsmasq.conf, a CoreDNS Corefile): their settings in order, where each is."""

from __future__ import annotations

from typing import Any

from guardrails.model import Document, Kind, Span
from guardrails.records import Record


class ConfEntry(Record):
    """One setting: ``key`` with its ``values`` (words after the key, unquoted), inside ``section``.

    ``section`` is the INI group (``mysqld``, ``Resolve``), the Corefile server block's zones,
    or '' where the format has none. A key given without a value (``skip-grant-tables``) has
    no values; one given with an empty value (``DNS=``) has one empty value.
    """

    __slots__ = ("key", "section", "span", "values")

    def __init__(self, section: str, key: str, values: list[str], span: Span) -> None:
        self.section = section
        self.key = key
        self.values = values
        self.span = span


class ConfDocument(Document):
    __slots__ = ("entries",)

    def __init__(
        self,
        path: str,
        kind: Kind,
        text: str,
        entries: list[ConfEntry] | None = None,
        **base: Any,
    ) -> None:
        super().__init__(path, kind, text, **base)
        self.entries: list[ConfEntry] = [] if entries is None else entries

    def all(self, key: str, sections: tuple[str, ...] | None = None) -> list[ConfEntry]:
        """Every entry for ``key`` (in ``sections`` when given), in file order."""
        return [e for e in self.entries if e.key == key and (sections is None or e.section in sections)]

    def last(self, key: str, sections: tuple[str, ...] | None = None) -> ConfEntry | None:
        """The entry that wins where the last assignment wins (all of these formats)."""
        found = self.all(key, sections)
        return found[-1] if found else None
