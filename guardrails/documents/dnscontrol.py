"""DNSControl ``dnsconfig.js``: the domains it declares, with their providers and records."""

from __future__ import annotations

from typing import Any

from guardrails.model import Document, Kind, Span
from guardrails.records import Record


class DnsCall(Record):
    """A call written in the file: ``TTL(60)``, ``A("@", "192.0.2.1", TTL(60))``. ``args`` are the
    literal strings, numbers and booleans (None for anything else), ``calls`` the nested calls."""

    __slots__ = ("args", "calls", "name", "span")

    def __init__(
        self,
        name: str,
        args: list[str | int | bool | None],
        span: Span,
        calls: list[DnsCall] | None = None,
    ) -> None:
        self.name = name
        self.args = args
        self.span = span
        self.calls: list[DnsCall] = [] if calls is None else calls

    def first(self, name: str) -> DnsCall | None:
        return next((c for c in self.calls if c.name == name), None)


class DnsProviderDecl(Record):
    """``var X = NewDnsProvider("name", "TYPE")``: the variable, the name and the type ('' unknown)."""

    __slots__ = ("name", "provider_type", "span", "variable")

    def __init__(self, variable: str, name: str, provider_type: str, span: Span) -> None:
        self.variable = variable
        self.name = name
        self.provider_type = provider_type
        self.span = span


class DnsControlDocument(Document):
    # ``domains``: ``D(...)``, ``D_EXTEND(...)``, ``DEFAULTS(...)``, ``require(...)`` and
    # ``require_glob(...)`` calls in source order, each with its
    # arguments as calls; a bare identifier argument is a call named ``$identifier`` (a provider
    # or registrar variable).
    __slots__ = ("domains", "providers")

    def __init__(
        self,
        path: str,
        kind: Kind,
        text: str,
        providers: list[DnsProviderDecl] | None = None,
        domains: list[DnsCall] | None = None,
        **base: Any,
    ) -> None:
        super().__init__(path, kind, text, **base)
        self.providers: list[DnsProviderDecl] = [] if providers is None else providers
        self.domains: list[DnsCall] = [] if domains is None else domains
