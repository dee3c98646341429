"""A cloud firewall rule opens a datastore port to the whole internet."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from guardrails.documents import Block, TerraformDocument, TreeDocument
from guardrails.facts import stacks, terraform, tf_security_group
from guardrails.facts.datastores import DATASTORES_OPTION_HELP, NEWSBLUR, configured, signature_ports
from guardrails.facts.tf_network import (
    Permission,
    attr_strings,
    datastore_hits,
    describe_hits,
    network_for,
    nsg_guards_private_only,
    nsg_of,
    port_list,
    strings,
    value,
    world,
)
from guardrails.model import Category, Document, Finding, Kind, Severity, Span
from guardrails.rule import Bad, Good, Option, Rule, RuleContext

_AZURE_RULE_ATTRS = ("source_address_prefix", "source_address_prefixes")
_AWS_TYPES = (
    "aws_security_group",
    "aws_default_security_group",
    "aws_security_group_rule",
    "aws_vpc_security_group_ingress_rule",
)


class TerraformFirewallOpensDatastorePort(Rule):
    id = "ED008"
    name = "terraform-firewall-open-datastore-port"
    title = "Firewall rule opens a datastore port to 0.0.0.0/0"
    category = Category.EXPOSED_DATASTORE
    severity = Severity.HIGH
    kinds = frozenset({Kind.TERRAFORM, Kind.TERRAFORM_PLAN, Kind.CLOUDFORMATION, Kind.PULUMI})
    incidents = (NEWSBLUR,)
    rationale = (
        "An AWS security group (Terraform, or CloudFormation's `AWS::EC2::SecurityGroup` `SecurityGroupIngress` "
        "and `AWS::EC2::SecurityGroupIngress`), GCP firewall or Azure NSG rule from 0.0.0.0/0, ::/0, `*` or "
        "`Internet` on 5432, "
        "3306, 6379, 27017, 9200... puts the datastore in front of every scanner on the internet; a range or "
        "protocol -1 (all ports) that covers the port does the same, and so do the inputs of the "
        'terraform-aws-modules/security-group module (`ingress_with_cidr_blocks` with `rule = "postgresql-tcp"`, '
        "`ingress_rules` with `ingress_cidr_blocks`, its `//modules/redis` sub-modules). A CloudFormation group "
        "that only load balancers use is left out: a load balancer answers on its listener ports only, and so is "
        "an Azure NSG associated with nothing but subnets delegated to PostgreSQL or MySQL flexible servers, "
        "which have no public endpoint there. NewsBlur "
        "lost its database hours after 27017 became reachable. Checkov and Trivy only flag SSH/RDP and all-ports "
        "rules."
    )
    remediation = (
        "Allow the datastore port only from the application's security group (`referenced_security_group_id`, "
        "`source_security_group_id`), a private CIDR or a service tag such as `VirtualNetwork`; reach it from "
        "outside through a VPN or bastion."
    )
    options = {"datastores": Option([], DATASTORES_OPTION_HELP)}
    bad = (
        Bad(
            "sg.tf",
            'resource "aws_security_group" "db" {\n  name = "db"\n  ingress {\n    from_port   = 5432\n'
            '    to_port     = 5432\n    protocol    = "tcp"\n    cidr_blocks = ["0.0.0.0/0"]\n  }\n}\n',
            3,
        ),
        Bad(
            "fw.tf",
            'resource "google_compute_firewall" "mongo" {\n  name    = "mongo"\n  network = "default"\n'
            '  allow {\n    protocol = "tcp"\n    ports    = ["27000-28000"]\n  }\n'
            '  source_ranges = [var.anywhere]\n}\n\nvariable "anywhere" {\n  default = "0.0.0.0/0"\n}\n',
            6,
        ),
        Bad(
            "sg.yaml",
            "Resources:\n  DbGroup:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n"
            "      GroupDescription: db\n      SecurityGroupIngress:\n        - IpProtocol: tcp\n"
            "          FromPort: 6379\n          ToPort: 6379\n          CidrIp: 0.0.0.0/0\n",
            10,
            note="CloudFormation",
        ),
    )
    good = (
        Good(
            "sg.tf",
            'resource "aws_security_group" "web" {\n  ingress {\n    from_port   = 443\n    to_port     = 443\n'
            '    protocol    = "tcp"\n    cidr_blocks = ["0.0.0.0/0"]\n  }\n  ingress {\n    from_port   = 5432\n'
            '    to_port     = 5432\n    protocol    = "tcp"\n    cidr_blocks = ["10.0.0.0/16"]\n  }\n}\n',
            note="443 to the world, 5432 only from the VPC",
        ),
        Good(
            "sg.yaml",
            "Resources:\n  DbIngress:\n    Type: AWS::EC2::SecurityGroupIngress\n    Properties:\n"
            "      GroupId: !Ref DbGroup\n      IpProtocol: tcp\n      FromPort: 5432\n      ToPort: 5432\n"
            "      SourceSecurityGroupId: !Ref AppGroup\n",
            note="CloudFormation: only the application's group",
        ),
    )

    def check(self, doc: Document, ctx: RuleContext) -> Iterator[Finding]:
        ports = signature_ports(configured(ctx.options))
        if isinstance(doc, TerraformDocument):
            yield from self._terraform(doc, ports, ctx)
        elif isinstance(doc, TreeDocument):
            balancers = stacks.load_balancer_groups(doc, ctx.project)
            permissions = [p for p in stacks.permissions(doc, ctx.project) if p.group not in balancers]
            yield from self._permissions(doc, permissions, ports, ctx)

    def _terraform(self, doc: TerraformDocument, ports: dict[int, str], ctx: RuleContext) -> Iterator[Finding]:
        module = terraform.module_for(doc, ctx.project)
        if any(b.labels[0] in _AWS_TYPES for b in doc.resources()):
            yield from self._permissions(doc, network_for(doc, ctx.project).permissions_in(doc.path), ports, ctx)
        for opening in tf_security_group.openings(doc, ctx.project):
            yield from self._report(
                doc,
                opening.module,
                opening.span,
                opening.world,
                opening.via,
                opening.ports,
                ports,
                ctx,
                opening.anchor,
                opening.related,
            )
        for block in doc.resources():
            kind = block.labels[0]
            if kind == "google_compute_firewall":
                yield from self._google(doc, block, module, ports, ctx)
            elif kind in ("azurerm_network_security_rule", "azurerm_network_security_group"):
                nsg = nsg_of(block)
                if nsg is not None and nsg_guards_private_only(module, nsg):
                    continue  # it guards only subnets whose servers have no public endpoint
                for rule in block.children("security_rule") if kind == "azurerm_network_security_group" else [block]:
                    yield from self._azure(doc, block, rule, module, ports, ctx)

    def _permissions(
        self, doc: Document, permissions: Iterable[Permission], ports: dict[int, str], ctx: RuleContext
    ) -> Iterator[Finding]:
        """Security-group permissions (Terraform's or a template's: the same record) open to the world."""
        for permission in permissions:
            if permission.world and permission.ports is not None and permission.span is not None:
                yield from self._report(
                    doc,
                    permission.owner,
                    permission.span,
                    list(permission.world),
                    permission.via,
                    [permission.ports],
                    ports,
                    ctx,
                    permission.anchor,
                )

    def _report(
        self,
        doc: Document,
        address: str,
        span: Span,
        sources: list[str],
        via: str,
        spans: list[tuple[int, int]],
        ports: dict[int, str],
        ctx: RuleContext,
        anchor: str,
        related: list[dict[str, Any]] | None = None,
    ) -> Iterator[Finding]:
        hits = datastore_hits(spans, ports)
        if not sources or not hits:
            return
        yield self.finding(
            doc,
            span,
            f"{address} allows {', '.join(sorted(set(sources)))}{via} on {describe_hits(hits, spans)}",
            anchor=f"{address}.{anchor}",
            ctx=ctx,
            related=related,
        )

    def _google(
        self, doc: TerraformDocument, block: Block, module: terraform.Module, ports: dict[int, str], ctx: RuleContext
    ) -> Iterator[Finding]:
        direction = str(value(block, "direction", module) or "INGRESS").upper()
        if direction != "INGRESS" or value(block, "disabled", module) is True:
            return
        _, sources = attr_strings(block, "source_ranges", module)
        if not world(sources):
            return
        for index, allow in enumerate(block.children("allow")):
            protocol = str(value(allow, "protocol", module) or "").lower()
            if protocol not in ("tcp", "all", "6"):
                continue
            ports_attr, listed = attr_strings(allow, "ports", module)
            spans = [(0, 65535)] if ports_attr is None or protocol == "all" else port_list(listed.values)
            at = ports_attr.span if ports_attr is not None else allow.span
            yield from self._report(
                doc, block.address, at, world(sources), sources.via, spans, ports, ctx, f"allow[{index}]"
            )

    def _azure(
        self,
        doc: TerraformDocument,
        block: Block,
        rule: Block,
        module: terraform.Module,
        ports: dict[int, str],
        ctx: RuleContext,
    ) -> Iterator[Finding]:
        if str(value(rule, "direction", module) or "").lower() != "inbound":
            return
        if str(value(rule, "access", module) or "").lower() != "allow":
            return
        if str(value(rule, "protocol", module) or "").lower() not in ("tcp", "*"):
            return
        for name in _AZURE_RULE_ATTRS:
            attr = rule.get(name)
            if attr is None:
                continue
            sources = strings(attr.expr, module)
            if not world(sources):
                continue
            listed: list[str] = []
            for port_attr in ("destination_port_range", "destination_port_ranges"):
                listed.extend(strings(rule.get(port_attr).expr if rule.get(port_attr) else None, module).values)
            rule_name = value(rule, "name", module) or block.address
            yield from self._report(
                doc,
                block.address,
                attr.span,
                world(sources),
                sources.via,
                port_list(listed),
                ports,
                ctx,
                f"{rule_name}",
            )
