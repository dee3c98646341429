"""A status page served from the product's own DNS zone: it goes dark with the product."""

from __future__ import annotations

from collections.abc import Iterator

from guardrails.rules.dns.incidents import AWS_S3_2017, SLACK_2021, SLACK_STATUS_2021

from guardrails.documents import TerraformDocument, TreeDocument, ZoneDocument
from guardrails.facts import dns, stacks
from guardrails.facts.terraform import module_for
from guardrails.model import Category, Document, Finding, Kind, Severity
from guardrails.rule import Bad, Good, Rule, RuleContext

_ZONE = 'resource "aws_route53_zone" "main" {\n  name = "example.com"\nEXTRA}\n\n'
_STATUS = (
    'resource "aws_route53_record" "status" {\n  zone_id = aws_route53_zone.main.zone_id\n  name    = "status"\n'
    '  type    = "CNAME"\n  ttl     = 3600\n  records = ["example.statuspage.io"]\n}\n'
)


class StatusPageOnProductDns(Rule):
    id = "DS004"
    name = "status-page-on-product-dns"
    title = "Status page hostname served from the product's own DNS zone"
    category = Category.DNS_SINGLE_POINT_OF_FAILURE
    severity = Severity.MEDIUM
    kinds = frozenset({Kind.TERRAFORM, Kind.TERRAFORM_JSON, Kind.ZONE, Kind.CLOUDFORMATION, Kind.PULUMI})
    incidents = (SLACK_2021, SLACK_STATUS_2021, AWS_S3_2017)
    rationale = (
        "A status page exists for the moment the product is down. `status.example.com` is resolved through the "
        "`example.com` zone and its nameservers, so a DNS failure of the product (Slack's DNSSEC rollout in "
        "2021) takes the status page down too, exactly when customers look for it; AWS's 2017 dashboard "
        "shared the S3 it reported on. Reported: a record whose first label is `status` (or `statuspage`, "
        "`status-page`) in a public zone declared in the same Terraform module or zone file, unless the zone "
        "itself is a dedicated status domain (its first label contains 'status', e.g. example-status.com). "
        "CloudFormation's Route 53 record sets are read the same way (the zone from `HostedZoneName`, or a "
        "hosted zone of the template)."
    )
    remediation = (
        "Serve the status page from a separate domain (`examplestatus.com`, not `status.example.com`) hosted "
        "by a different DNS provider, ideally bought from a different registrar, and link to it from the product."
    )
    bad = (
        Bad("dns.tf", _ZONE.replace("EXTRA", "") + _STATUS, 7, note="status.example.com in the product zone"),
        Bad(
            "dns.yaml",
            "Resources:\n  Status:\n    Type: AWS::Route53::RecordSet\n    Properties:\n"
            "      HostedZoneName: example.com.\n      Name: status.example.com.\n      Type: CNAME\n"
            "      TTL: '3600'\n      ResourceRecords: [example.statuspage.io]\n",
            6,
            note="CloudFormation",
        ),
        Bad(
            "db.example.com",
            "$ORIGIN example.com.\n$TTL 86400\n"
            "@ IN SOA ns1.example.com. hostmaster.example.com. ( 2024010101 7200 3600 1209600 3600 )\n"
            "@ IN NS ns1.example.com.\n@ IN NS ns2.example.net.\nstatus IN CNAME example.statuspage.io.\n",
            6,
        ),
    )
    good = (
        Good(
            "dns.tf",
            _ZONE.replace("EXTRA", "").replace("example.com", "example-status.com") + _STATUS,
            note="a dedicated status domain",
        ),
        Good(
            "dns.tf",
            _ZONE.replace("EXTRA", "  vpc {\n    vpc_id = aws_vpc.main.id\n  }\n") + _STATUS,
            note="a private zone: an internal status endpoint, not a public status page",
        ),
        Good(
            "dns.tf",
            _ZONE.replace("EXTRA", "") + _STATUS.replace('"status"', '"statsd"'),
            note="statsd is not a status page",
        ),
        Good(
            "dns.yaml",
            "Resources:\n  Status:\n    Type: AWS::Route53::RecordSet\n    Properties:\n"
            "      HostedZoneName: examplestatus.com.\n      Name: status.examplestatus.com.\n      Type: CNAME\n"
            "      TTL: '3600'\n      ResourceRecords: [example.statuspage.io]\n",
            note="CloudFormation: a dedicated status domain",
        ),
    )

    def check(self, doc: Document, ctx: RuleContext) -> Iterator[Finding]:
        if isinstance(doc, ZoneDocument):
            yield from self._zone(doc, ctx)
        elif isinstance(doc, TerraformDocument):
            yield from self._terraform(doc, ctx)
        elif isinstance(doc, TreeDocument):
            yield from self._template(doc, ctx)

    def _template(self, doc: TreeDocument, ctx: RuleContext) -> Iterator[Finding]:
        for record in stacks.reader(doc).records(doc, ctx.project):
            name = record.name_key
            if name is None or not record.name or record.private_zone or not dns.status_host(record.name):
                continue
            zone = record.zone or (record.name.split(".", 1)[1] if record.name.count(".") >= 2 else "")
            if not zone or dns.dedicated_status_domain(zone):
                continue
            yield self.finding(
                doc,
                name.span,
                f"{record.label} puts the status page {record.name} in the product zone {zone}: when {zone}'s DNS "
                "fails, the status page fails with it",
                anchor=record.label,
                ctx=ctx,
            )

    def _terraform(self, doc: TerraformDocument, ctx: RuleContext) -> Iterator[Finding]:
        module = module_for(doc, ctx.project)
        zones = dns.zones_for(doc, ctx.project, module)
        for block in doc.resources(*dns.RECORD_RESOURCES):
            spec = dns.RECORD_RESOURCES[block.labels[0]]
            name_attr = block.get(spec.name_attr)
            name = module.resolve(name_attr.expr) if name_attr is not None else None
            if name_attr is None or name is None or not name.known or not isinstance(name.value, str):
                continue
            zone = dns.record_zone(block, module, zones)
            fqdn = dns.record_fqdn(name.value, zone)
            if zone is None and fqdn.count(".") < 2:
                continue
            zone_name = zone.name if zone is not None else fqdn.split(".", 1)[1]
            if (
                (zone is not None and zone.private)
                or not dns.status_host(fqdn)
                or dns.dedicated_status_domain(zone_name)
            ):
                continue
            declared = f" ({zone.address})" if zone is not None and zone.address else ""
            yield self.finding(
                doc,
                name_attr.span,
                f"{block.address} puts the status page {fqdn} in the product zone {zone_name}{declared}: when "
                f"{zone_name}'s DNS fails, the status page fails with it",
                anchor=block.address,
                ctx=ctx,
            )

    def _zone(self, doc: ZoneDocument, ctx: RuleContext) -> Iterator[Finding]:
        origin = dns.zone_origin(doc)
        if not origin or dns.dedicated_status_domain(origin):
            return
        seen: set[str] = set()
        for record in doc.records:
            owner = dns.zone_owner(record.name, origin)
            if owner in seen or not owner.endswith("." + origin) or not dns.status_host(owner):
                continue
            seen.add(owner)
            yield self.finding(
                doc,
                record.span,
                f"the status page {owner} is served from the product zone {origin}: when {origin}'s nameservers "
                "fail, the status page fails with it",
                anchor=owner,
                ctx=ctx,
            )
