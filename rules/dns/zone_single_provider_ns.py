"""A zone file whose apex NS records name a single server or servers of one provider."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import cast

from guardrails.rules.dns.incidents import DYN_2016, FACEBOOK_2021

from guardrails.documents import DnsControlDocument, NamedConfDocument, TreeDocument, ZoneDocument
from guardrails.facts import bind, dns, dnscontrol, octodns
from guardrails.model import Category, Finding, Kind, Severity
from guardrails.rule import Bad, Good, Rule, RuleContext

_HEAD = (
    "$ORIGIN example.com.\n$TTL 86400\n"
    "@ IN SOA ns1.example.com. hostmaster.example.com. ( 2024010101 7200 3600 1209600 3600 )\n"
)

_OCTO = (
    "providers:\n  config:\n    class: octodns.provider.yaml.YamlProvider\n  dump:\n"
    "    class: octodns.provider.yaml.YamlProvider\n  route53:\n    class: octodns_route53.Route53Provider\n"
    "  ns1:\n    class: octodns_ns1.Ns1Provider\nzones:\n  example.com.:\n    targets: {targets}\n"
    "    sources: [config]\n"
)


class ZoneSingleProviderNameservers(Rule):
    id = "DS002"
    name = "zone-single-provider-nameservers"
    title = "Zone served by nameservers of a single provider"
    category = Category.DNS_SINGLE_POINT_OF_FAILURE
    severity = Severity.MEDIUM
    kinds = frozenset({Kind.ZONE, Kind.NAMED_CONF, Kind.OCTODNS_CONFIG, Kind.OCTODNS_ZONE, Kind.DNSCONTROL})
    incidents = (FACEBOOK_2021, DYN_2016)
    rationale = (
        "The apex NS records list the servers that answer for the zone. When all of them belong to one "
        "operator they fail together: Facebook's own a-d.ns.facebook.com withdrew at once in 2021, and Dyn's "
        "customers went dark together in 2016. Operators are recognised by hostname (Route 53 awsdns-* on any "
        "TLD, Google ns-cloud-*, Cloudflare, Azure DNS, NS1, Dyn, ...) and otherwise by registrable domain, so "
        "ns1/ns2.example.com count as one self-hosted operator. Only the apex is checked; delegations of "
        "subzones are the child zone's own NS set. A single nameserver is high severity. octoDNS is read too: a "
        "zone of its config whose `targets` are all of one provider class (two Route 53 accounts are one "
        "provider; YAML dumps and plans are no provider, each self-hosted BIND or PowerDNS target an operator "
        "of its own; a target of unknown class leaves the zone unjudged), and the apex NS records of a zone file. "
        "So is DNSControl's dnsconfig.js, with the files it requires: a `D()` whose `DnsProvider()`s (without a "
        "nameserver count of 0) are all of one provider type, the type written in the declaration or in "
        "creds.json (its `TYPE`, nothing else of the file is read); a provider of unknown type leaves the domain "
        "unjudged. "
        'BIND\'s named.conf says which zone a file holds: `zone "example.com" { type primary; file "..."; }` '
        "makes a file of any name that zone; a secondary's file is a copy of the primary's and is not judged. "
        "Locally served zones (RFC 6303: private and loopback reverse zones, `localhost`) and zones whose only "
        "nameserver is `localhost` (sinkholes) are never delegated from the internet and are not judged, nor "
        "are root hints."
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
        Bad(
            "zones/example",
            "$TTL 1d\n@ IN SOA ns1 hostmaster ( 1 2h 15m 2w 1h )\n@ IN NS ns1\nwww IN A 192.0.2.10\n",
            3,
            note="a zone file of any name, read as example.com because named.conf's stanza says so",
            extra={"named.conf": 'zone "example.com" { type primary; file "zones/example"; };\n'},
        ),
        Bad(
            "octodns/config.yaml",
            _OCTO.format(targets="[route53, dump]"),
            12,
            note="octoDNS: the zone's only DNS provider is Route 53 (the YAML dump serves nothing)",
        ),
        Bad(
            "dnsconfig.js",
            'var R = NewRegistrar("none");\nvar CF = NewDnsProvider("cloudflare", "CLOUDFLAREAPI");\n'
            'D("example.com", R, DnsProvider(CF), DefaultTTL(86400), A("@", "192.0.2.1"));\n',
            3,
            note="DNSControl: one provider",
        ),
    )
    good = (
        Good(
            "octodns/config.yaml",
            _OCTO.format(targets="[route53, ns1]"),
            note="octoDNS: pushed to Route 53 and NS1",
        ),
        Good(
            "db.example.com",
            _HEAD
            + "@ IN NS ns-1051.awsdns-03.org.\n@ IN NS dns1.p01.nsone.net.\ndev IN NS ns-cloud-a1.googledomains.com.\n",
            note="Route 53 and NS1 at the apex; the subzone delegation is not the apex",
        ),
    )

    def check(self, doc: ZoneDocument, ctx: RuleContext) -> Iterator[Finding]:  # type: ignore[override]
        if doc.kind is Kind.OCTODNS_CONFIG:
            yield from self._octodns_config(cast("TreeDocument", doc), ctx)
            return
        if doc.kind is Kind.OCTODNS_ZONE:
            yield from self._octodns_zone(cast("TreeDocument", doc), ctx)
            return
        if doc.kind is Kind.DNSCONTROL:
            yield from self._dnscontrol(cast("DnsControlDocument", doc), ctx)
            return
        for zone in bind.zone_documents(cast("ZoneDocument | NamedConfDocument", doc), ctx.project):
            yield from self._zone(zone, ctx)

    def _zone(self, doc: ZoneDocument, ctx: RuleContext) -> Iterator[Finding]:
        """The apex NS records of a zone file (its origin from $ORIGIN, a named.conf stanza or its name)."""
        origin = dns.zone_origin(doc)
        apex = [r for r in doc.records if r.rtype.upper() == "NS" and dns.zone_owner(r.name, origin) == origin]
        if not apex or dns.never_delegated(doc, origin):
            return  # a private reverse zone, a sinkhole served by localhost
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

    def _octodns_config(self, doc: TreeDocument, ctx: RuleContext) -> Iterator[Finding]:
        """Each zone of an octoDNS config, judged by the operators of its ``targets`` (files and
        plans are no operator; targets of one provider class are one operator)."""
        for zone in octodns.config_zones(doc.roots[0]):
            servers = [dns.NameServer(t.name, t.operator, many=True) for t in zone.targets if t.operator]
            verdict = dns.judge_nameservers(servers)
            if verdict is None:
                continue
            yield self.finding(
                doc,
                zone.targets_key.span,
                f"octoDNS pushes zone {zone.name} to {verdict.reason}: when {verdict.culprit} is unreachable or "
                "under attack (Facebook 2021, Dyn 2016), the zone stops resolving once caches expire",
                anchor=f"targets@{zone.name}",
                ctx=ctx,
            )

    def _octodns_zone(self, doc: TreeDocument, ctx: RuleContext) -> Iterator[Finding]:
        """The apex NS records of an octoDNS zone file (record name '')."""
        origin = octodns.zone_name(doc.path, doc.roots[0])
        for record in octodns.records(doc.roots[0]):
            if record.name or record.rtype != "NS" or not record.values or any(map(_address, record.values)):
                continue  # an address is no nameserver name: who operates it is unknown
            verdict = dns.judge_nameservers([dns.host_server(v) for v in record.values])
            pushed = {t.operator for t in octodns.ttl_floors(ctx.project, origin, doc.path)} if origin else set()
            if verdict is not None and pushed == {verdict.culprit}:
                continue  # the config that pushes this file to that one operator is reported: one finding a zone
            if verdict is not None:
                yield self.finding(
                    doc,
                    record.node.span,
                    f"zone {origin or doc.path} is served by {verdict.reason}: when {verdict.culprit} is unreachable "
                    "or under attack (Facebook 2021, Dyn 2016), the zone stops resolving once caches expire",
                    anchor=f"NS@{origin}",
                    ctx=ctx,
                    severity=Severity.HIGH if verdict.single else None,
                )

    def _dnscontrol(self, doc: DnsControlDocument, ctx: RuleContext) -> Iterator[Finding]:
        """Each ``D()`` of a dnsconfig.js and the files it requires, judged by the operators of its
        ``DnsProvider()`` calls."""
        configuration = dnscontrol.program(doc, ctx.project)
        for domain in configuration.domains:
            servers = dnscontrol.operators(configuration, domain.written.call)
            verdict = dns.judge_nameservers(servers) if servers else None
            if verdict is None:
                continue
            name = dnscontrol.domain_name(domain.written.call)
            yield self.finding(
                domain.written.doc,
                domain.written.call.span,
                f"DNSControl serves {name} from {verdict.reason}: when {verdict.culprit} is unreachable or under "
                "attack (Facebook 2021, Dyn 2016), the domain stops resolving once caches expire",
                anchor=f"D@{name}",
                ctx=ctx,
            )


def _address(text: str) -> bool:
    try:
        ipaddress.ip_address(text.rstrip("."))
    except ValueError:
        return False
    return True
