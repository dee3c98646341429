"""DNS zone files: directives and resource records."""

from __future__ import annotations

from typing import Any

from guardrails.model import Document, Kind, Span
from guardrails.records import Record


class ZoneRecord(Record):
    """A resource record with its owner name fully qualified and its effective TTL.

    ``ttl`` is the record's own TTL in seconds (None when it inherits); ``effective_ttl``
    applies ``$TTL`` or, failing that, the previous record's TTL (RFC 1035 / 2308).
    """

    __slots__ = ("effective_ttl", "name", "rclass", "rdata", "rtype", "span", "ttl", "ttl_span")

    def __init__(
        self,
        name: str,
        ttl: int | None,
        effective_ttl: int | None,
        rclass: str,
        rtype: str,
        rdata: list[str],
        span: Span,
        ttl_span: Span | None = None,
    ) -> None:
        self.name = name
        self.ttl = ttl
        self.effective_ttl = effective_ttl
        self.rclass = rclass
        self.rtype = rtype
        self.rdata = rdata
        self.span = span
        self.ttl_span = ttl_span


class ZoneDirective(Record):
    # ``value_span``: where ``value`` is written (a single argument)
    __slots__ = ("name", "seconds", "span", "value", "value_span")

    def __init__(
        self,
        name: str,
        value: str,
        span: Span,
        seconds: int | None = None,
        value_span: Span | None = None,
    ) -> None:
        self.name = name
        self.value = value
        self.span = span
        self.seconds = seconds
        self.value_span = value_span


class ZoneDocument(Document):
    __slots__ = ("directives", "origin", "records")

    def __init__(
        self,
        path: str,
        kind: Kind,
        text: str,
        origin: str = "",
        directives: list[ZoneDirective] | None = None,
        records: list[ZoneRecord] | None = None,
        **base: Any,
    ) -> None:
        super().__init__(path, kind, text, **base)
        self.origin = origin
        self.directives: list[ZoneDirective] = [] if directives is None else directives
        self.records: list[ZoneRecord] = [] if records is None else records
