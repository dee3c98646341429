"""A BIND zone file whose default or per-record TTLs are too short to ride out an outage."""

from __future__ import annotations

from collections.abc import Iterator
from typing import cast

from guardrails.rules.dns.incidents import CLOUDFLARE_SERVFAIL_2021, FACEBOOK_2021

from guardrails.documents import (
    DnsControlDocument,
    NamedConfDocument,
    TreeDocument,
    ZoneDirective,
    ZoneDocument,
    ZoneRecord,
)
from guardrails.facts import bind, dns, dnscontrol, octodns
from guardrails.fixes import fix, replace
from guardrails.model import Category, Finding, Kind, Safety, Severity
from guardrails.rule import Bad, Good, Place, Rule, RuleContext

_SOA = "@ IN SOA ns1.example.com. hostmaster.example.com. ( 2024010101 7200 3600 1209600 {minimum} )\n"


class ZoneFileShortTtl(Rule):
    id = "DT002"
    name = "zone-file-short-ttl"
    title = "Zone file with a default or record TTL shorter than the minimum for its type"
    category = Category.SHORT_DNS_TTL
    severity = Severity.MEDIUM
    kinds = frozenset({Kind.ZONE, Kind.NAMED_CONF, Kind.OCTODNS_ZONE, Kind.OCTODNS_CONFIG, Kind.DNSCONTROL})
    incidents = (FACEBOOK_2021, CLOUDFLARE_SERVFAIL_2021)
    rationale = (
        "Resolvers keep an answer for its TTL and no longer. When the authoritative servers disappear "
        "(Facebook 2021), every record whose TTL is shorter than the outage expires and resolvers answer "
        "SERVFAIL. In a zone file the default comes from `$TTL`; without `$TTL`, BIND falls back to the SOA "
        "minimum field for records that set no TTL, so a short SOA minimum is then a short default TTL (with "
        "`$TTL` present it only sets negative caching, which is not checked). Units (`1h`, `1d`, `1w`) are read "
        "as BIND does. Thresholds and severity bands are the shared DNS TTL options; ACME challenge records "
        "are exempt, and so is a whole zone whose origin is classified non-production. "
        "The SOA record's own TTL bounds negative caching and is never judged. Outside the lesson: records that "
        "answer loopback or private addresses, records of private zones and names (or files) classified "
        "non-production (dev, staging, test...). A record at 60 s or less and an NS set below an hour are "
        "reported one by one; the other short records of one zone are one finding, at the shortest, with "
        "every record in its related locations. octoDNS zone files (a YAML mapping of record names to records, "
        "named after the zone) are judged the same way on each record's `ttl:`, as its targets serve it "
        "(octodns-cloudflare raises it to `min_ttl`, 120 s by default, and sends proxied records at 300 s), "
        "and a YAML provider's "
        "`default_ttl` in the octoDNS config like `$TTL` (a record without `ttl:` gets it, an hour unless set); "
        "`dynamic:` records are routing policies. DNSControl's dnsconfig.js too: each `TTL()`, `DefaultTTL()` "
        "(DNSControl gives 300 s when a domain sets none) and `NAMESERVER_TTL()` (the apex NS records). A "
        "name's top-level domain (`.dev`, `.qa`) is a registry, never read as an environment. "
        "BIND's named.conf names the zone a file of any name "
        "holds (its primary zones' `file`); a secondary's file is a transferred copy and is not judged. Locally served "
        "zones (RFC 6303 private and loopback reverse zones, `localhost`) and zones served by `localhost` alone "
        "(sinkholes) are never delegated from the internet."
    )
    remediation = (
        "Set `$TTL` to an hour or more (RFC 1912 suggests days) and keep NS records at an hour or more; lower a "
        "record's TTL only ahead of a planned change, and raise it back afterwards."
    )
    options = dns.TTL_OPTIONS
    fix_safety = Safety.UNSAFE
    fix_note = (
        "raises a short `$TTL` or a record's own TTL to the minimum for its type (a group of records only when "
        "every one has its own TTL); resolvers then cache the answers that much longer. None for the SOA minimum"
    )
    bad = (
        Bad(
            "db.example.com",
            "$TTL 300\n" + _SOA.format(minimum="3600") + "@ IN NS ns1.example.com.\n@ IN NS ns1.example.net.\n"
            "www IN A 192.0.2.10\n",
            1,
            note="a five-minute default for the whole zone (reported once, on $TTL)",
        ),
        Bad(
            "example.com.zone",
            "$TTL 1d\n"
            + _SOA.format(minimum="1h")
            + "@ 5m IN NS ns1.example.com.\n@ 5m IN NS ns1.example.net.\napi 1m IN A 192.0.2.20\n",
            3,
            4,
            5,
            note="unit suffixes: NS at 5m (below an hour, reported per record) and an A record at 1m (on its own)",
        ),
        Bad(
            "config/example.com.yaml",
            "'':\n  type: A\n  ttl: 60\n  values: [192.0.2.10]\nwww:\n  type: CNAME\n  value: example.com.\n",
            3,
            note="octoDNS zone file: a one-minute TTL on the apex",
        ),
        Bad(
            "dnsconfig.js",
            'var R = NewRegistrar("none");\nvar P = NewDnsProvider("r53", "ROUTE53");\n'
            'D("example.com", R, DnsProvider(P),\n  A("@", "192.0.2.1")\n);\n',
            3,
            note="DNSControl: no DefaultTTL, so every record gets 300 s",
        ),
    )
    good = (
        Good(
            "config/example.com.yaml",
            "'':\n  type: A\n  values: [192.0.2.10]\ninternal:\n  type: A\n  ttl: 60\n  value: 10.0.0.5\n",
            note="octoDNS: the default TTL, and a short TTL on a private answer",
        ),
        Good(
            "db.example.org",
            "$ORIGIN example.org.\n$TTL 1d\n@ 60 IN SOA ns1.example.com. hostmaster.example.org. ( 1 2h 15m 2w 1h )\n"
            "@ 3600 IN NS ns1.example.com.\n@ 3600 IN NS ns1.example.net.\nlocalhost 60 IN A 127.0.0.1\n"
            "staging 60 IN A 192.0.2.10\n",
            note="SOA at 60 s, NS at an hour, a loopback answer and a staging name: none is the lesson",
        ),
        Good(
            "db.example.net",
            "$TTL 300\n" + _SOA.format(minimum="3600") + "@ IN NS ns1.example.com.\nwww IN A 192.0.2.10\n",
            note="a secondary's copy: named.conf says BIND transfers it from the primary, where it is judged",
            extra={
                "named.conf": 'zone "example.net" { type slave; file "db.example.net"; masters { 192.0.2.1; }; };\n'
            },
        ),
        Good(
            "db.example.com",
            "$TTL 86400\n" + _SOA.format(minimum="300") + "@ IN NS ns1.example.com.\n@ IN NS ns1.example.net.\n"
            'www IN A 192.0.2.10\n_acme-challenge 60 IN TXT "token"\n',
            note="SOA minimum 300 is only negative caching when $TTL is set; ACME challenges are transient",
        ),
    )

    def check(self, doc: ZoneDocument, ctx: RuleContext) -> Iterator[Finding]:  # type: ignore[override]
        policy = dns.TtlPolicy.from_options(ctx.options)
        if doc.kind is Kind.OCTODNS_ZONE:
            yield from self._octodns(cast("TreeDocument", doc), policy, ctx)
            return
        if doc.kind is Kind.OCTODNS_CONFIG:
            yield from self._octodns_defaults(cast("TreeDocument", doc), policy, ctx)
            return
        if doc.kind is Kind.DNSCONTROL:
            yield from self._dnscontrol(cast("DnsControlDocument", doc), policy, ctx)
            return
        for zone in bind.zone_documents(cast("ZoneDocument | NamedConfDocument", doc), ctx.project):
            yield from self._zone(zone, policy, ctx)

    def _zone(self, doc: ZoneDocument, policy: dns.TtlPolicy, ctx: RuleContext) -> Iterator[Finding]:
        """A BIND zone file: its ``$TTL``s, the SOA minimum without one, and each record's TTL."""
        origin = dns.zone_origin(doc)
        if policy.outside((origin,), doc.path, private=dns.never_delegated(doc, origin), zone=origin):
            return  # a staging or development zone, a private reverse zone, a sinkhole
        directives = sorted((d for d in doc.directives if _is_ttl(d)), key=lambda d: d.span.line)
        reported_defaults: set[int] = set()
        for directive in directives:
            seconds = directive.seconds if directive.seconds is not None else dns.parse_bind_ttl(directive.value)
            verdict = policy.evaluate("*", seconds) if seconds is not None else None
            if verdict is None:
                continue
            reported_defaults.add(directive.span.line)
            raised = replace(doc, directive.value_span, str(verdict.threshold)) if directive.value_span else None
            yield self.finding(
                doc,
                directive.span,
                f"$TTL {directive.value.strip()} makes {dns.human(verdict.ttl)} the default TTL of every record "
                f"that sets none, below the {dns.human(verdict.threshold)} minimum; resolvers drop those records "
                "that long after the zone's nameservers become unreachable",
                anchor=f"$TTL@{_origin(doc)}",
                ctx=ctx,
                severity=verdict.severity,
                fix=fix("raise the default TTL to the minimum", Safety.UNSAFE, [raised] if raised else None),
            )
        soa_default = None if directives else _soa_minimum(doc)
        if soa_default is not None and any(r.ttl is None and r.rtype != "SOA" for r in doc.records):
            record, minimum = soa_default
            verdict = policy.evaluate("*", minimum)
            if verdict is not None:
                yield self.finding(
                    doc,
                    record.span,
                    f"no $TTL: records without their own TTL fall back to the SOA minimum {dns.human(minimum)}, "
                    f"below the {dns.human(verdict.threshold)} minimum",
                    anchor=f"SOA@{_origin(doc)}",
                    ctx=ctx,
                    severity=verdict.severity,
                )
        short = list(_short_records(doc, origin, directives, reported_defaults, policy))
        yield from dns.ttl_findings(self, dns.ttl_reports(short, policy, f"zone {_origin(doc)}"), ctx)

    def _octodns(self, doc: TreeDocument, policy: dns.TtlPolicy, ctx: RuleContext) -> Iterator[Finding]:
        """An octoDNS zone file: each record's ``ttl:`` (a record without one gets YamlProvider's
        default of an hour); ``dynamic:`` records are routing policies."""
        origin = octodns.zone_name(doc.path, doc.roots[0])
        if policy.outside((origin,), doc.path, zone=origin):
            return
        short: list[dns.ShortTtl] = []
        floors = octodns.ttl_floors(ctx.project, origin, doc.path) if origin else []
        for record in octodns.records(doc.roots[0]):
            served = octodns.served_ttl(record, floors)
            if served is None or record.ttl_node is None or policy.exempt_name(record.name):
                continue
            seconds, raised_by = served
            if record.dynamic and policy.exempt_routing:
                continue
            owner = ".".join(part for part in (record.name, origin) if part)
            answers = record.values if record.rtype in ("A", "AAAA") else ()
            private = "private addresses" if dns.private_answers(answers) else ""
            if policy.outside((owner,), private=private, zone=origin):
                continue
            verdict = policy.evaluate(record.rtype, seconds)
            if verdict is not None:
                given = f"ttl: {record.ttl} gives a TTL of {dns.human(seconds)}"
                if raised_by is not None:
                    given = (
                        f"ttl: {record.ttl} is pushed to {raised_by.operator} (target {raised_by.provider}), "
                        f"which serves it with a TTL of {dns.human(seconds)}"
                    )
                short.append(
                    dns.ShortTtl(
                        Place.of(doc, record.ttl_node.span),
                        verdict,
                        f"{owner or doc.path} {verdict.rtype}",
                        given,
                        f"{record.name or '@'}/{verdict.rtype}",
                    )
                )
        yield from dns.ttl_findings(self, dns.ttl_reports(short, policy, f"zone {origin or doc.path}"), ctx)

    def _octodns_defaults(self, doc: TreeDocument, policy: dns.TtlPolicy, ctx: RuleContext) -> Iterator[Finding]:
        """A YAML provider's ``default_ttl``: octoDNS's ``$TTL``."""
        if policy.outside((), doc.path):
            return
        for name, seconds, node in octodns.default_ttls(doc.roots[0]):
            verdict = policy.evaluate("*", seconds)
            if verdict is not None:
                yield self.finding(
                    doc,
                    node.span,
                    f"default_ttl: {seconds} of provider {name} makes {dns.human(seconds)} the TTL of every record "
                    f"without its own in the zones it reads, below the {dns.human(verdict.threshold)} minimum; "
                    "resolvers drop those records that long after the zone's nameservers become unreachable",
                    anchor=f"default_ttl@{name}",
                    ctx=ctx,
                    severity=verdict.severity,
                )

    def _dnscontrol(self, doc: DnsControlDocument, policy: dns.TtlPolicy, ctx: RuleContext) -> Iterator[Finding]:
        """Each ``D()`` of a dnsconfig.js and the files it requires: its ``DefaultTTL`` (300 s when
        neither it nor a ``DEFAULTS()`` run before it sets one) and each ``TTL()``."""
        configuration = dnscontrol.program(doc, ctx.project)
        for domain in configuration.domains:
            written = domain.written
            origin = dnscontrol.domain_name(written.call)
            if not origin or policy.outside((origin,), written.doc.path, zone=origin):
                continue
            inside = [r for r in dnscontrol.records(written.call) if not self._outside_dnscontrol(r, origin, policy)]
            if domain.default_known:
                yield from self._dnscontrol_default(configuration, domain, origin, inside, policy, ctx)
            yield from self._dnscontrol_nameservers(domain.ns_ttl, origin, policy, ctx)
            short = []
            for record in inside:
                served = None if record.ttl is None else dnscontrol.served_ttl(configuration, written.call, record.ttl)
                found = policy.evaluate(record.rtype, served.seconds) if served is not None else None
                if served is not None and found is not None and record.ttl_span is not None:
                    owner = dns.zone_owner(record.name, origin)
                    short.append(
                        dns.ShortTtl(
                            Place.of(written.doc, record.ttl_span),
                            found,
                            f"{owner} {found.rtype}",
                            f"TTL({record.ttl}) gives {dns.human(found.ttl)}"
                            + (f" ({served.by} serves it so)" if served.by else ""),
                            f"{origin}/{record.name}/{found.rtype}",
                        )
                    )
            yield from dns.ttl_findings(self, dns.ttl_reports(short, policy, f"domain {origin}"), ctx)

    def _dnscontrol_default(
        self,
        configuration: dnscontrol.Program,
        domain: dnscontrol.Domain,
        origin: str,
        inside: list[dnscontrol.Record],
        policy: dns.TtlPolicy,
        ctx: RuleContext,
    ) -> Iterator[Finding]:
        """The default TTL of a domain, as its providers serve it, when a record relies on it."""
        written, given_default = domain.written, domain.default
        default = dnscontrol.seconds(given_default.call) if given_default is not None else dnscontrol.DEFAULT_TTL
        served = dnscontrol.served_ttl(configuration, written.call, default) if default is not None else None
        verdict = policy.evaluate("*", served.seconds) if served is not None else None
        if served is None or verdict is None or not any(r.ttl is None and r.rtype != "SOA" for r in inside):
            return
        given = (
            f"DefaultTTL gives {dns.human(verdict.ttl)}"
            if given_default is not None
            else f"no DefaultTTL: DNSControl gives {dns.human(verdict.ttl)}"
        )
        if served.by:
            given += f" ({served.by} serves DefaultTTL({default}) so)"
        at = given_default if given_default is not None else written
        yield self.finding(
            at.doc,
            at.call.span,
            f"{given} to every record of {origin} without its own TTL(), below the "
            f"{dns.human(verdict.threshold)} minimum; resolvers drop those records that long after the "
            "domain's nameservers become unreachable",
            anchor=f"DefaultTTL@{origin}",
            ctx=ctx,
            severity=verdict.severity,
        )

    def _dnscontrol_nameservers(
        self, ns_ttl: dnscontrol.Written | None, origin: str, policy: dns.TtlPolicy, ctx: RuleContext
    ) -> Iterator[Finding]:
        """A ``NAMESERVER_TTL()`` below the minimum: the TTL of the domain's apex NS records.
        Without one, what a provider keeps for them is its own: not judged."""
        ttl = dnscontrol.seconds(ns_ttl.call) if ns_ttl is not None else None
        verdict = policy.evaluate("NS", ttl) if ttl is not None else None
        if ns_ttl is None or verdict is None:
            return
        yield self.finding(
            ns_ttl.doc,
            ns_ttl.call.span,
            f"NAMESERVER_TTL gives {dns.human(verdict.ttl)} to the apex NS records of {origin}, below the "
            f"{dns.human(verdict.threshold)} minimum; resolvers forget where the domain is served that long "
            "after its nameservers become unreachable",
            anchor=f"NAMESERVER_TTL@{origin}",
            ctx=ctx,
            severity=verdict.severity,
        )

    @staticmethod
    def _outside_dnscontrol(record: dnscontrol.Record, origin: str, policy: dns.TtlPolicy) -> bool:
        if policy.exempt_name(record.name):
            return True
        answers = [record.value] if record.rtype in ("A", "AAAA") else []
        private = "private addresses" if dns.private_answers(answers) else ""
        return bool(policy.outside((dns.zone_owner(record.name, origin),), private=private, zone=origin))


def _short_records(
    doc: ZoneDocument, origin: str, directives: list[ZoneDirective], reported: set[int], policy: dns.TtlPolicy
) -> Iterator[dns.ShortTtl]:
    for record in doc.records:
        if record.rtype.upper() == "SOA" or policy.exempt_name(record.name):
            continue
        owner = dns.zone_owner(record.name, origin)
        answers = record.rdata if record.rtype.upper() in ("A", "AAAA") else []
        private = "private addresses" if dns.private_answers(answers) else ""
        if policy.outside((owner,), private=private, zone=origin):
            continue
        if record.ttl is not None:
            verdict = policy.evaluate(record.rtype, record.ttl)
            written = f"TTL {dns.human(record.ttl)}"
        else:
            governing = _governing(directives, record)
            if governing is None or governing.span.line in reported or record.effective_ttl is None:
                continue
            verdict = policy.evaluate(record.rtype, record.effective_ttl)
            written = f"TTL {dns.human(record.effective_ttl)} inherited from $TTL (line {governing.span.line})"
        if verdict is not None:
            own = record.ttl_span
            yield dns.ShortTtl(
                Place.of(doc, own or record.span),
                verdict,
                f"{owner} {verdict.rtype}",
                written,
                f"{record.name}/{verdict.rtype}",
                (replace(doc, own, str(verdict.threshold)),) if own is not None else (),
            )


def _is_ttl(directive: ZoneDirective) -> bool:
    return directive.name.upper().lstrip("$") == "TTL"


def _governing(directives: list[ZoneDirective], record: ZoneRecord) -> ZoneDirective | None:
    before = [d for d in directives if d.span.line < record.span.line]
    return before[-1] if before else None


def _soa_minimum(doc: ZoneDocument) -> tuple[ZoneRecord, int] | None:
    for record in doc.records:
        if record.rtype.upper() == "SOA" and record.ttl is None and len(record.rdata) >= 7:
            minimum = dns.parse_bind_ttl(record.rdata[6])
            return (record, minimum) if minimum is not None else None
    return None


def _origin(doc: ZoneDocument) -> str:
    return dns.zone_origin(doc) or doc.path
