"""A Terraform DNS record whose TTL is too short to ride out an authoritative DNS outage."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath

from guardrails.rules.dns.incidents import CLOUDFLARE_SERVFAIL_2021, FACEBOOK_2021

from guardrails.documents import TerraformDocument, TreeDocument
from guardrails.facts import dns, stacks
from guardrails.facts.terraform import Module, module_for, module_key
from guardrails.model import Category, Document, Edit, Finding, Kind, Safety, Severity, Span
from guardrails.project import Project
from guardrails.rule import Bad, Good, Place, Rule, RuleContext
from guardrails.terraform_fixes import add_attribute, set_value

_VARIABLES = 'variable "api_ttl" {\n  type    = number\n  default = 86400\n}\n'


class TerraformShortDnsTtl(Rule):
    id = "DT001"
    name = "terraform-short-dns-ttl"
    title = "Terraform DNS record with a TTL shorter than the minimum for its type"
    category = Category.SHORT_DNS_TTL
    severity = Severity.MEDIUM
    kinds = frozenset({Kind.TERRAFORM, Kind.TERRAFORM_JSON, Kind.TERRAFORM_PLAN, Kind.CLOUDFORMATION, Kind.PULUMI})
    incidents = (FACEBOOK_2021, CLOUDFLARE_SERVFAIL_2021)
    rationale = (
        "A resolver keeps an answer for its TTL, then asks the authoritative servers again. When those "
        "servers are unreachable (Facebook 2021: about six hours), every record whose TTL is shorter than the "
        "outage expires and resolvers answer SERVFAIL. RFC 1034 asks for TTLs 'on the order of days', research "
        "cited by RFC 9199 for at least an hour. Defaults: below 3600 s for every type, NS included; 60 s or less "
        "is high, 300 s or less medium, the rest low. Cloudflare's "
        "`ttl = 1` means automatic (300 s); digitalocean_record defaults to 1800 s. Failover, weighted, latency, "
        "geolocation, multivalue or health-checked records are short on purpose (AWS recommends 60 s or less "
        "for failover) and exempt; alias and Cloudflare-proxied records have no TTL of their own. "
        "The SOA record's own TTL bounds negative caching and is never judged. Outside the lesson: records that "
        "answer loopback or private addresses, records of private zones and names (or files) classified "
        "non-production (dev, staging, test...). A record at 60 s or less and an NS set below an hour are "
        "reported one by one; the other short records of one module (directory) are one finding, at the shortest, with "
        "every record in its related locations. CloudFormation's `AWS::Route53::RecordSet` and each entry of an "
        "`AWS::Route53::RecordSetGroup` are judged by the same policy (per template), `TTL` evaluated for "
        "production; alias records have no TTL."
    )
    remediation = (
        "Raise the TTL to at least the minimum for the record type (an hour; RFC 1034 asks for days). Lower it "
        "ahead of a planned change and raise it back afterwards (RFC 1034 §3.6); use a routing policy with "
        "health checks where fast failover is the goal."
    )
    options = dns.TTL_OPTIONS
    fix_safety = Safety.UNSAFE
    fix_note = (
        "sets `ttl` to the minimum for the record type, on the record (added when a provider default applies) or "
        "on the variable default, tfvars line or local it comes from when nothing else reads that; a group "
        "finding only when every record can be raised. Resolvers then cache the answers that much longer"
    )
    bad = (
        Bad(
            "dns.tf",
            'resource "aws_route53_record" "www" {\n  zone_id = aws_route53_zone.main.zone_id\n'
            '  name    = "www.example.com"\n  type    = "A"\n  ttl     = 300\n  records = ["192.0.2.10"]\n}\n',
            5,
            note="a plain A record cached for five minutes",
        ),
        Bad(
            "ns.tf",
            'resource "aws_route53_record" "eu_ns" {\n  zone_id = var.zone_id\n  name    = "eu.example.com"\n'
            '  type    = "NS"\n  ttl     = "30"\n  records = aws_route53_zone.eu.name_servers\n}\n',
            5,
            note="numeric string on an NS delegation (seen in a real monorepo)",
        ),
        Bad(
            "cf.tf",
            'resource "cloudflare_record" "api" {\n  zone_id = var.zone_id\n  name    = "api"\n  type    = "CNAME"\n'
            '  content = "lb.example.net"\n  ttl     = 1\n}\n',
            6,
            note="ttl = 1 is Cloudflare's automatic TTL: 300 s",
        ),
        Bad(
            "droplet.tf",
            'resource "digitalocean_record" "www" {\n  domain = digitalocean_domain.main.id\n  type   = "A"\n'
            '  name   = "www"\n  value  = "192.0.2.10"\n}\n',
            1,
            note="digitalocean_record defaults to 1800 s when ttl is absent",
        ),
        Bad(
            "dns.yaml",
            "Resources:\n  Www:\n    Type: AWS::Route53::RecordSet\n    Properties:\n"
            "      HostedZoneName: example.com.\n      Name: www.example.com.\n      Type: A\n      TTL: '60'\n"
            "      ResourceRecords: [192.0.2.10]\n",
            8,
            note="CloudFormation: TTL is a string there",
        ),
    )
    good = (
        Good(
            "soa.tf",
            'resource "aws_route53_record" "soa" {\n  zone_id = aws_route53_zone.main.zone_id\n'
            '  name    = aws_route53_zone.main.name\n  type    = "SOA"\n  ttl     = "60"\n'
            '  records = ["ns-1.awsdns-01.org. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400"]\n}\n',
            note="the SOA record's own TTL bounds negative caching, it is not a record TTL",
        ),
        Good(
            "private.tf",
            'resource "aws_route53_zone" "internal" {\n  name = "internal.example.com"\n  vpc {\n'
            '    vpc_id = aws_vpc.main.id\n  }\n}\n\nresource "aws_route53_record" "db" {\n'
            '  zone_id = aws_route53_zone.internal.zone_id\n  name    = "db"\n  type    = "A"\n  ttl     = 60\n'
            '  records = ["192.0.2.5"]\n}\n',
            note="a record of a private zone: nothing outside the VPC resolves it",
        ),
        Good(
            "staging.tf",
            'resource "aws_route53_record" "www" {\n  zone_id = var.zone_id\n  name    = "www.staging.example.com"\n'
            '  type    = "A"\n  ttl     = 60\n  records = ["192.0.2.10"]\n}\n',
            note="a staging name is outside the lesson",
        ),
        Good(
            "ns.tf",
            'resource "aws_route53_record" "eu" {\n  zone_id = var.zone_id\n  name    = "eu.example.com"\n'
            '  type    = "NS"\n  ttl     = 3600\n  records = ["ns1.example.net", "ns1.example.org"]\n}\n',
            note="an NS set at an hour is common practice",
        ),
        Good(
            "alias.tf",
            'resource "aws_route53_record" "apex" {\n  zone_id = var.zone_id\n  name    = "example.com"\n'
            '  type    = "A"\n  alias {\n    name                   = aws_lb.main.dns_name\n'
            "    zone_id                = aws_lb.main.zone_id\n    evaluate_target_health = true\n  }\n}\n",
            note="alias records have no TTL",
        ),
        Good(
            "main.tf",
            'resource "aws_route53_record" "api" {\n  zone_id = var.zone_id\n  name    = "api.example.com"\n'
            '  type    = "A"\n  ttl     = var.api_ttl\n  records = ["192.0.2.20"]\n}\n',
            note="TTL from a variable whose default is 86400",
            extra={"variables.tf": _VARIABLES},
        ),
        Good(
            "failover.tf",
            'resource "aws_route53_record" "primary" {\n  zone_id         = var.zone_id\n  name            = "app"\n'
            '  type            = "A"\n  ttl             = 60\n  records         = ["192.0.2.30"]\n'
            '  set_identifier  = "primary"\n  health_check_id = aws_route53_health_check.app.id\n'
            '  failover_routing_policy {\n    type = "PRIMARY"\n  }\n}\n',
            note="failover records are short on purpose",
        ),
        Good(
            "cf.tf",
            'resource "cloudflare_record" "www" {\n  zone_id = var.zone_id\n  name    = "www"\n  type    = "A"\n'
            '  content = "192.0.2.10"\n  proxied = true\n  ttl     = 1\n}\n',
            note="proxied records are answered by Cloudflare with its own fixed TTL",
        ),
    )

    def check(self, doc: Document, ctx: RuleContext) -> Iterator[Finding]:
        if isinstance(doc, TreeDocument):
            policy = dns.TtlPolicy.from_options(ctx.options)
            short = list(_template_records(doc, ctx, policy))
            yield from dns.ttl_findings(self, dns.ttl_reports(short, policy, f"template {doc.path}"), ctx)
        elif isinstance(doc, TerraformDocument):
            yield from self._terraform(doc, ctx)

    def _terraform(self, doc: TerraformDocument, ctx: RuleContext) -> Iterator[Finding]:
        here = doc.host.path
        mine = [report for report in self._module_reports(doc, ctx) if report.first.place.path == here]
        yield from dns.ttl_findings(self, mine, ctx)

    def _module_reports(self, doc: TerraformDocument, ctx: RuleContext) -> list[dns.TtlReport]:
        """The findings of ``doc``'s whole module (directory): its short records are grouped there."""
        key = ("dns-short-ttl", self.id, module_key(doc))
        if key not in ctx.project.cache:
            directory = str(PurePosixPath(doc.host.path).parent)
            policy = dns.TtlPolicy.from_options(ctx.options)
            module = module_for(doc, ctx.project)
            zones = dns.zones_for(doc, ctx.project, module)
            short = [
                item
                for sibling in dns.module_documents(doc, module)
                for item in _short_records(sibling, module, zones, policy, ctx.project)
            ]
            ctx.project.cache[key] = dns.ttl_reports(short, policy, f"module {directory}")
        return ctx.project.cache[key]


def _short_records(
    doc: TerraformDocument, module: Module, zones: dict[str, dns.Zone], policy: dns.TtlPolicy, project: Project
) -> Iterator[dns.ShortTtl]:
    for record in dns.terraform_records(doc, module):
        if record.exemption == "proxied" or (record.exemption and policy.exempt_routing):
            continue
        if record.name and policy.exempt_name(record.name):
            continue
        zone = dns.record_zone(record.block, module, zones)
        fqdn = dns.record_fqdn(record.name, zone) if record.name else ""
        private = "a private zone" if zone is not None and zone.private else ""
        private = private or ("private addresses" if record.private_answers else "")
        if policy.outside((fqdn,), doc.path, private, zone=zone.name if zone is not None else ""):
            continue
        worst: tuple[dns.TtlVerdict, dns.RecordTtl] | None = None
        for ttl in record.ttls:
            verdict = policy.evaluate(ttl.rtype, ttl.ttl)
            if verdict is not None and (worst is None or verdict.ttl < worst[0].ttl):
                worst = (verdict, ttl)
        if worst is None:
            continue
        verdict, ttl = worst
        span = record.ttl_attr.span if record.ttl_attr is not None else Span.point(record.block.span.line)
        raised = _raise_ttl(doc, record, ttl, verdict.threshold, project) if len(record.ttls) == 1 else None
        name = f"{fqdn or record.name}, " if record.name else ""
        instance = f" (instance {ttl.instance!r})" if ttl.instance else ""
        note = f"; {ttl.note}" if ttl.note else ""
        yield dns.ShortTtl(
            Place.of(doc, span),
            verdict,
            f"{record.block.address}{instance} ({name}{verdict.rtype})",
            f"{ttl.written} gives a TTL of {dns.human(verdict.ttl)}{ttl.via}{note}",
            record.block.address,
            tuple(raised or ()),
        )


def _raise_ttl(
    doc: TerraformDocument, record: dns.TerraformRecord, ttl: dns.RecordTtl, minimum: int, project: Project
) -> list[Edit] | None:
    """``ttl = <minimum>``: on the record, where its value comes from, or added in place of a
    provider default."""
    if doc.kind is Kind.TERRAFORM_PLAN:
        return None  # generated from the configuration, which is what to fix
    if record.ttl_attr is None:
        return add_attribute(doc, record.block, "ttl", str(minimum))
    return set_value(doc.path, record.ttl_attr, ttl.resolved, minimum, project)


def _template_records(doc: TreeDocument, ctx: RuleContext, policy: dns.TtlPolicy) -> Iterator[dns.ShortTtl]:
    source = stacks.reader(doc)
    for record in source.records(doc, ctx.project):
        ttl = record.ttl.as_int()
        if record.alias or ttl is None or not record.type or (record.routing and policy.exempt_routing):
            continue
        if record.name and policy.exempt_name(record.name):
            continue
        private = "a private zone" if record.private_zone else ""
        private = private or ("private addresses" if dns.private_answers(record.answers) else "")
        if policy.outside((record.name,), doc.path, private):
            continue
        verdict = policy.evaluate(record.type, ttl)
        if verdict is None:
            continue
        node = record.ttl_node
        written = source.written(node) if node is not None else str(ttl)
        yield dns.ShortTtl(
            Place.of(doc, node.span if node is not None else record.node.span),
            verdict,
            f"{record.label} ({record.name + ', ' if record.name else ''}{record.type})",
            f"TTL: {written} gives a TTL of {dns.human(ttl)}{record.ttl.via}",
            record.label,
        )
