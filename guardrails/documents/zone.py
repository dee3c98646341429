"""DNS zone files: directives and resource records."""

from __future__ import annotations

from dataclasses import dataclass, field

from guardrails.model import Document, Span


@dataclass
class ZoneRecord:
    """A resource record with its owner name fully qualified and its effective TTL.

    ``ttl`` is the record's own TTL in seconds (None when it inherits); ``effective_ttl``
    applies ``$TTL`` or, failing that, the previous record's TTL (RFC 1035 / 2308).
    """

    name: str
    ttl: int | None
    effective_ttl: int | None
    rclass: str
    rtype: str
    rdata: list[str]
    span: Span
    ttl_span: Span | None = None


@dataclass
class ZoneDirective:
    name: str
    value: str
    span: Span
    seconds: int | None = None
    value_span: Span | None = None  # where ``value`` is written (a single argument)


@dataclass
class ZoneDocument(Document):
    origin: str = ""
    directives: list[ZoneDirective] = field(default_factory=list)
    records: list[ZoneRecord] = field(default_factory=list)
