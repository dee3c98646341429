"""A domain or delegation whose nameservers all belong to one DNS provider (or are a single server)."""

from __future__ import annotations

from collections.abc import Iterator

from guardrails.rules.dns.incidents import DYN_2016, FACEBOOK_2021

from guardrails.documents import Block, TerraformDocument, TreeDocument
from guardrails.facts import dns, stacks
from guardrails.facts.terraform import Module, module_for
from guardrails.model import Category, Document, Finding, Kind, Severity, Span
from guardrails.rule import Bad, Good, Rule, RuleContext

# Registrar resources whose ``nameservers`` list is what the TLD delegates to.
REGISTRAR_LISTS = ("gandi_nameservers", "namecheap_domain_records", "porkbun_nameservers", "porkbun_domain_nameservers")
# NS record sets: resource type -> (attribute holding the servers, type attribute or None when fixed NS,
# the provider that serves the zone the record is written into).
NS_RECORD_SETS: dict[str, tuple[str, str | None, str]] = {
    "aws_route53_record": ("records", "type", "Amazon Route 53"),
    "google_dns_record_set": ("rrdatas", "type", "Google Cloud DNS"),
    "azurerm_dns_ns_record": ("records", None, "Azure DNS"),
}

_DYN = (
    'resource "aws_route53domains_registered_domain" "main" {\n  domain_name = "example.com"\n\n'
    '  name_server {\n    name = "ns1.p34.dynect.net"\n  }\n  name_server {\n    name = "ns2.p34.dynect.net"\n  }\n'
    "EXTRA}\n"
)


class TerraformSingleProviderNameservers(Rule):
    id = "DS001"
    name = "terraform-single-provider-nameservers"
    title = "Domain or NS delegation served by a single DNS provider"
    category = Category.DNS_SINGLE_POINT_OF_FAILURE
    severity = Severity.MEDIUM
    kinds = frozenset({Kind.TERRAFORM, Kind.TERRAFORM_JSON, Kind.CLOUDFORMATION, Kind.PULUMI})
    incidents = (DYN_2016, FACEBOOK_2021)
    rationale = (
        "In October 2016 a DDoS on Dyn made every domain that used Dyn as its only DNS provider unresolvable; "
        "in October 2021 all of Facebook's own nameservers withdrew at once. Four nameservers of one provider "
        "share its network, software and account: they fail together. Providers are recognised by hostname "
        "(awsdns-* on any TLD, ns-cloud-*.googledomains.com, *.ns.cloudflare.com, azure-dns.*, nsone.net, "
        "dynect.net, ...) or, for others, by registrable domain; `aws_route53_zone.x.name_servers` and the "
        "like are one provider's delegation set. Checked: `aws_route53domains_registered_domain` `name_server` "
        "blocks, `gandi_nameservers`, `namecheap_domain_records`, `porkbun_*nameservers` lists, and NS record "
        "sets (`aws_route53_record`, `google_dns_record_set`, `azurerm_dns_ns_record`). A sub-zone delegated to "
        "the one provider that already serves its parent (a Route 53 record set pointing at Route 53 servers) adds "
        "no point of failure of its own and is not reported: the domain is reported once, at the registrar or "
        "the apex NS set. A single nameserver is high severity; one provider medium. CloudFormation NS record "
        "sets (`AWS::Route53::RecordSet`, `AWS::Route53::RecordSetGroup`) are judged the same way; "
        "`!GetAtt Zone.NameServers` of a hosted zone is Route 53's delegation set. Pulumi YAML programs' NS "
        "`aws:route53:Record`s too (`${zone.nameServers}`; docs/pulumi.md)."
    )
    remediation = (
        "Serve the zone from two independent DNS providers (primary plus secondary, or multi-provider with the "
        "records kept in sync, e.g. by octoDNS) and list nameservers of both at the registrar and in the NS set."
    )
    bad = (
        Bad("registrar.tf", _DYN.replace("EXTRA", ""), 4, note="Dyn 2016: every nameserver is Dyn"),
        Bad(
            "zone.yaml",
            "Resources:\n  Team:\n    Type: AWS::Route53::RecordSet\n    Properties:\n"
            "      HostedZoneName: example.com.\n      Name: team.example.com.\n      Type: NS\n      TTL: '172800'\n"
            "      ResourceRecords:\n        - ns1.dnsimple.com.\n        - ns2.dnsimple.com\n",
            9,
            note="CloudFormation: a sub-zone delegated to another single provider",
        ),
        Bad(
            "delegation.tf",
            'resource "aws_route53_record" "shop" {\n  zone_id = aws_route53_zone.main.zone_id\n'
            '  name    = "shop.example.com"\n  type    = "NS"\n  ttl     = 172800\n'
            '  records = ["dns1.p01.nsone.net", "dns2.p01.nsone.net"]\n}\n',
            6,
            note="a Route 53 zone delegates a subzone to NS1 alone: a new single provider",
        ),
        Bad(
            "gandi.tf",
            'resource "gandi_nameservers" "example" {\n  domain      = "example.org"\n'
            '  nameservers = ["ns1.example.org"]\n}\n',
            3,
            note="a single nameserver",
        ),
    )
    good = (
        Good(
            "registrar.tf",
            _DYN.replace("EXTRA", '  name_server {\n    name = "ns-1051.awsdns-03.org"\n  }\n'),
            note="Dyn plus Route 53: two providers",
        ),
        Good(
            "delegation.tf",
            'resource "aws_route53_record" "dev" {\n  zone_id = aws_route53_zone.main.zone_id\n'
            '  name    = "dev.example.com"\n  type    = "NS"\n  ttl     = 172800\n'
            '  records = concat(aws_route53_zone.dev.name_servers, ["dns1.p01.nsone.net", "dns2.p01.nsone.net"])\n}\n',
            note="Route 53 and NS1",
        ),
        Good(
            "subzone.tf",
            'resource "aws_route53_record" "dev" {\n  zone_id = aws_route53_zone.main.zone_id\n'
            '  name    = "dev.example.com"\n  type    = "NS"\n  ttl     = 172800\n'
            "  records = aws_route53_zone.dev.name_servers\n}\n",
            note="a subzone delegated to the provider of its parent adds no new point of failure",
        ),
        Good(
            "unknown.tf",
            'resource "gandi_nameservers" "example" {\n  domain      = "example.org"\n'
            "  nameservers = var.nameservers\n}\n",
            note="a variable without a default cannot be judged",
        ),
    )

    def check(self, doc: Document, ctx: RuleContext) -> Iterator[Finding]:
        if isinstance(doc, TreeDocument):
            yield from self._template(doc, ctx)
        elif isinstance(doc, TerraformDocument):
            yield from self._terraform(doc, ctx)

    def _template(self, doc: TreeDocument, ctx: RuleContext) -> Iterator[Finding]:
        """NS record sets of a template: a Route 53 zone, so a delegation to Route 53 below the apex
        is its parent's provider again (see ``_same_as_parent``)."""
        source = stacks.reader(doc)
        evaluator = stacks.first_scenario(doc, ctx.project)
        for record in source.records(doc, ctx.project):
            listed = stacks.nameservers(record, evaluator) if record.type == "NS" else None
            if not listed:
                continue
            servers = [
                dns.NameServer(label, provider, many) if provider else dns.host_server(label)
                for label, provider, many in listed
            ]
            verdict = dns.judge_nameservers(servers)
            if verdict is None:
                continue
            apex = bool(record.zone) and record.name == record.zone
            if not verdict.single and verdict.culprit == NS_RECORD_SETS["aws_route53_record"][2] and not apex:
                continue
            span = record.records_key.span
            yield self.finding(
                doc,
                span,
                f"{record.label} (NS {record.name or '?'}) delegates to {verdict.reason}: when {verdict.culprit} is "
                "unreachable or under attack (Dyn 2016, Facebook 2021), the name stops resolving once caches expire",
                anchor=record.label,
                ctx=ctx,
                severity=Severity.HIGH if verdict.single else None,
            )

    def _terraform(self, doc: TerraformDocument, ctx: RuleContext) -> Iterator[Finding]:
        module = module_for(doc, ctx.project)
        for block in doc.resources():
            found = self._servers(block, module)
            if found is None:
                continue
            servers, span, what = found
            verdict = dns.judge_nameservers(servers) if servers else None
            if verdict is None or _same_as_parent(block, verdict, module, dns.zones_for(doc, ctx.project, module)):
                continue
            yield self.finding(
                doc,
                span,
                f"{block.address}{what} delegates to {verdict.reason}: when {verdict.culprit} is unreachable or "
                "under attack (Dyn 2016, Facebook 2021), the name stops resolving once caches expire",
                anchor=block.address,
                ctx=ctx,
                severity=Severity.HIGH if verdict.single else None,
            )

    def _servers(self, block: Block, module: Module) -> tuple[list[dns.NameServer], Span, str] | None:
        rtype = block.labels[0]
        if rtype == "aws_route53domains_registered_domain":
            return _registered_domain(block, module)
        if rtype in REGISTRAR_LISTS:
            attr = block.get("nameservers")
            servers = dns.nameservers_from_expr(attr.expr, module) if attr is not None else None
            domain = _literal(block, "domain", module)
            return (servers, attr.span, f" ({domain})" if domain else "") if servers and attr else None
        if rtype in NS_RECORD_SETS:
            attr_name, type_attr, _ = NS_RECORD_SETS[rtype]
            if type_attr is not None and (_literal(block, type_attr, module) or "").upper() != "NS":
                return None
            attr = block.get(attr_name)
            servers = dns.nameservers_from_expr(attr.expr, module) if attr is not None else None
            name = _literal(block, "name", module)
            return (servers, attr.span, f" (NS {name})" if name else " (NS)") if servers and attr else None
        return None


def _same_as_parent(block: Block, verdict: dns.NsVerdict, module: Module, zones: dict[str, dns.Zone]) -> bool:
    """A sub-zone delegated to nameservers of the one provider that already serves its parent zone
    adds no point of failure of its own: the parent fails with that provider too, and the domain is
    reported where its own NS set is (the registrar, the apex NS set)."""
    known = NS_RECORD_SETS.get(block.labels[0])
    if known is None or verdict.single or verdict.culprit != known[2]:
        return False
    zone = dns.record_zone(block, module, zones)
    name = _literal(block, "name", module)
    return not (zone is not None and zone.name and name is not None and dns.record_fqdn(name, zone) == zone.name)


def _registered_domain(block: Block, module: Module) -> tuple[list[dns.NameServer], Span, str] | None:
    servers: list[dns.NameServer] = []
    first: Span | None = None
    for child in block.blocks:
        if child.type == "name_server":
            attr = child.get("name")
            found = dns.nameservers_from_expr(attr.expr, module) if attr is not None else None
        elif child.type == "dynamic" and child.labels[:1] == ["name_server"]:
            found = _dynamic_servers(child, module)
        else:
            continue
        if found is None:
            return None
        servers.extend(found)
        first = first or Span.point(child.span.line, child.span.column)
    attr = block.get("name_server")  # .tf.json writes the blocks as a list of objects
    if first is None and attr is not None:
        names = module.resolve(attr.expr).value
        if isinstance(names, list) and all(isinstance(n, dict) and isinstance(n.get("name"), str) for n in names):
            servers = [dns.host_server(n["name"]) for n in names]
            first = attr.span
    domain = _literal(block, "domain_name", module)
    return (servers, first, f" ({domain})" if domain else "") if first is not None and servers else None


def _dynamic_servers(block: Block, module: Module) -> list[dns.NameServer] | None:
    content, for_each = block.child("content"), block.get("for_each")
    name = content.get("name") if content is not None else None
    if name is None or for_each is None or str(name.expr.value) != "name_server.value":
        return None
    return dns.nameservers_from_expr(for_each.expr, module)


def _literal(block: Block, name: str, module: Module) -> str | None:
    attr = block.get(name)
    value = module.resolve(attr.expr) if attr is not None else None
    return value.value if value is not None and value.known and isinstance(value.value, str) else None
