"""DNSControl ``dnsconfig.js``: the domains it declares, with their providers and records."""

from __future__ import annotations

from dataclasses import dataclass, field

from guardrails.model import Document, Span


@dataclass
class DnsCall:
    """A call written in the file: ``TTL(60)``, ``A("@", "192.0.2.1", TTL(60))``. ``args`` are the
    literal strings and numbers (None for anything else), ``calls`` the nested calls."""

    name: str
    args: list[str | int | None]
    span: Span
    calls: list[DnsCall] = field(default_factory=list)

    def first(self, name: str) -> DnsCall | None:
        return next((c for c in self.calls if c.name == name), None)


@dataclass
class DnsProviderDecl:
    """``var X = NewDnsProvider("name", "TYPE")``: the variable, the name and the type ('' unknown)."""

    variable: str
    name: str
    provider_type: str
    span: Span


@dataclass
class DnsControlDocument(Document):
    providers: list[DnsProviderDecl] = field(default_factory=list)
    # ``D(...)``, ``D_EXTEND(...)`` and ``DEFAULTS(...)`` calls in source order, each with its
    # arguments as calls; a bare identifier argument is a call named ``$identifier`` (a provider
    # or registrar variable).
    domains: list[DnsCall] = field(default_factory=list)
