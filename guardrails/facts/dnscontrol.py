"""DNSControl ``dnsconfig.js``: who operates each DNS provider type, and what a domain's
records and TTLs are. Sources: DNSControl documentation, "Providers" (provider type
identifiers), ``DefaultTTL`` (300 seconds when a domain sets none), ``DnsProvider`` (a second
argument of 0 means the provider is not to serve the domain's nameservers) and ``TTL``.
"""

from __future__ import annotations

from collections.abc import Iterator

from guardrails.documents import DnsCall, DnsControlDocument
from guardrails.facts import dns
from guardrails.model import Span
from guardrails.records import Frozen

# The TTL of a record when neither it nor its domain sets one.
DEFAULT_TTL = 300

# Provider type -> operator. Self-hosted types are an operator per provider name.
OPERATORS: dict[str, str] = {
    "AKAMAIEDGEDNS": "Akamai Edge DNS",
    "ALIDNS": "Alibaba Cloud DNS",
    "AZURE_DNS": "Azure DNS",
    "BUNNY_DNS": "Bunny DNS",
    "CLOUDFLAREAPI": "Cloudflare",
    "CLOUDNS": "ClouDNS",
    "DESEC": "deSEC",
    "DIGITALOCEAN": "DigitalOcean",
    "DNSIMPLE": "DNSimple",
    "DNSMADEEASY": "DNS Made Easy",
    "EXOSCALE": "Exoscale",
    "GANDI_V5": "Gandi",
    "GCLOUD": "Google Cloud DNS",
    "GCORE": "G-Core Labs",
    "HEDNS": "Hurricane Electric",
    "HETZNER": "Hetzner",
    "HUAWEICLOUD": "Huawei Cloud DNS",
    "LINODE": "Linode",
    "NAMEDOTCOM": "Name.com",
    "NETLIFY": "Netlify",
    "NS1": "NS1",
    "ORACLE": "Oracle Cloud DNS",
    "OVH": "OVHcloud",
    "PORKBUN": "Porkbun",
    "ROUTE53": "Amazon Route 53",
    "TRANSIP": "TransIP",
    "VULTR": "Vultr",
}
SELF_HOSTED = frozenset({"BIND", "POWERDNS"})
# Record functions: the type each writes (the name is the type, but for these).
RECORD_TYPES: dict[str, str] = {
    **{t: t for t in ("A", "AAAA", "CAA", "CNAME", "DNAME", "DS", "HTTPS", "LOC", "MX", "NAPTR", "NS")},
    **{t: t for t in ("PTR", "SOA", "SRV", "SSHFP", "SVCB", "TLSA", "TXT", "ALIAS")},
    "CF_REDIRECT": "",
    "R53_ALIAS": "ALIAS",
}


class Record(Frozen):
    rtype: str
    name: str
    value: str
    ttl: int | None
    ttl_span: Span | None
    span: Span


def domains(doc: DnsControlDocument) -> Iterator[tuple[DnsCall, DnsCall | None]]:
    """Each ``D()`` with the ``DefaultTTL()`` that applies to it: its own, else that of the last
    ``DEFAULTS()`` before it (None: DNSControl's 300 s)."""
    inherited: DnsCall | None = None
    for call in doc.domains:
        if call.name == "DEFAULTS":
            inherited = call.first("DefaultTTL") or inherited
        elif call.name == "D":
            yield call, call.first("DefaultTTL") or inherited


def domain_name(domain: DnsCall) -> str:
    name = domain.args[0] if domain.args else None
    return dns.normalise_host(name) if isinstance(name, str) else ""


def seconds(call: DnsCall | None) -> int | None:
    """``TTL(60)``, ``DefaultTTL("1h")``: seconds, None when not a literal."""
    if call is None or not call.args:
        return None
    value = call.args[0]
    if isinstance(value, int):
        return value
    return dns.parse_bind_ttl(value) if isinstance(value, str) else None


def records(domain: DnsCall) -> Iterator[Record]:
    for call in domain.calls:
        rtype = RECORD_TYPES.get(call.name)
        if not rtype or not call.args or not isinstance(call.args[0], str):
            continue
        value = call.args[1] if len(call.args) > 1 and isinstance(call.args[1], str) else ""
        ttl = call.first("TTL")
        yield Record(rtype, call.args[0], value, seconds(ttl), ttl.span if ttl is not None else None, call.span)


def operators(doc: DnsControlDocument, domain: DnsCall) -> list[dns.NameServer] | None:
    """The operators serving ``domain`` (``DnsProvider(X)`` without a 0 nameserver count), or None
    when one is unknown (a type named only in creds.json, an argument that is not a variable)."""
    declared = {p.variable: p for p in doc.providers}
    found: list[dns.NameServer] = []
    for call in domain.calls:
        if call.name != "DnsProvider":
            continue
        if len(call.args) > 1 and call.args[1] == 0:
            continue
        variable = call.calls[0].name[1:] if call.calls and call.calls[0].name.startswith("$") else ""
        provider = declared.get(variable)
        if provider is None:
            return None
        if provider.provider_type in SELF_HOSTED:
            found.append(dns.NameServer(provider.name, f"self-hosted servers of {provider.name}", many=True))
        elif provider.provider_type in OPERATORS:
            found.append(dns.NameServer(provider.name, OPERATORS[provider.provider_type], many=True))
        elif provider.provider_type != "NONE":
            return None
    return found
