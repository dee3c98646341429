"""A zone file whose apex NS records name a single server or servers of one provider."""

from __future__ import annotations

from collections.abc import Iterator

from guardrails.rules.dns.incidents import DYN_2016, FACEBOOK_2021

from guardrails.documents import ZoneDocument
from guardrails.facts import dns
from guardrails.model import Category, Finding, Kind, Severity
from guardrails.rule import Bad, Good, Rule, RuleContext

_HEAD = (
    "$ORIGIN example.com.\n$TTL 86400\n"
    "@ IN SOA ns1.example.com. hostmaster.example.com. ( 2024010101 7200 3600 1209600 3600 )\n"
)


class ZoneSingleProviderNameservers(Rule):
    id = "DS002"
    name = "zone-single-provider-nameservers"
    title = "Zone served by nameservers of a single provider"
    category = Category.DNS_SINGLE_POINT_OF_FAILURE
    severity = Severity.MEDIUM
    kinds = frozenset({Kind.ZONE})
    incidents = (FACEBOOK_2021, DYN_2016)
    rationale = (
        "The apex NS records list the servers that answer for the zone. When all of them belong to one "
        "operator they fail together: Facebook's own a-d.ns.facebook.com withdrew at once in 2021, and Dyn's "
        "customers went dark together in 2016. Operators are recognised by hostname (Route 53 awsdns-* on any "
        "TLD, Google ns-cloud-*, Cloudflare, Azure DNS, NS1, Dyn, ...) and otherwise by registrable domain, so "
        "ns1/ns2.example.com count as one self-hosted operator. Only the apex is checked; delegations of "
        "subzones are the child zone's own NS set. A single nameserver is high severity."
    )
    remediation = (
        "Add nameservers of a second, independent provider (a secondary fed by zone transfer, or a second "
        "primary kept in sync) to the apex NS set and to the registrar's delegation."
    )
    bad = (
        Bad(
            "db.example.com",
            _HEAD + "@ IN NS ns-1051.awsdns-03.org.\n@ IN NS ns-702.awsdns-23.net.\nwww IN A 192.0.2.10\n",
            4,
            note="two Route 53 servers on different TLDs are still one provider",
        ),
        Bad("db.example.com", _HEAD + "@ IN NS ns1\nwww IN A 192.0.2.10\n", 4, note="one relative nameserver"),
    )
    good = (
        Good(
            "db.example.com",
            _HEAD
            + "@ IN NS ns-1051.awsdns-03.org.\n@ IN NS dns1.p01.nsone.net.\ndev IN NS ns-cloud-a1.googledomains.com.\n",
            note="Route 53 and NS1 at the apex; the subzone delegation is not the apex",
        ),
    )

    def check(self, doc: ZoneDocument, ctx: RuleContext) -> Iterator[Finding]:  # type: ignore[override]
        origin = dns.zone_origin(doc)
        apex = [r for r in doc.records if r.rtype.upper() == "NS" and dns.zone_owner(r.name, origin) == origin]
        if not apex:
            return
        servers = [dns.host_server(dns.zone_owner(r.rdata[0], origin)) for r in apex if r.rdata]
        verdict = dns.judge_nameservers(servers)
        if verdict is None:
            return
        yield self.finding(
            doc,
            apex[0].span,
            f"zone {origin or doc.path} is served by {verdict.reason}: when {verdict.culprit} is unreachable "
            "or under attack (Facebook 2021, Dyn 2016), the zone stops resolving once caches expire",
            anchor=f"NS@{origin}",
            ctx=ctx,
            severity=Severity.HIGH if verdict.single else None,
        )
