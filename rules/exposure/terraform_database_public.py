"""A managed database is reachable from the internet."""

from __future__ import annotations

from collections.abc import Iterator

from guardrails.documents import Block, TerraformDocument, TreeDocument
from guardrails.facts import stacks, terraform
from guardrails.facts.datastores import NEWSBLUR
from guardrails.facts.network import ipv4_range_size, is_world
from guardrails.facts.stateful import Setting
from guardrails.facts.tf_network import (
    AZURE_FIREWALL_RULES,
    ModuleFirewallRule,
    attr_strings,
    database_reach,
    module_firewall_rules,
    network_for,
)
from guardrails.facts.tf_providers import provider_default
from guardrails.fixes import fix
from guardrails.model import Category, Document, Finding, Kind, Safety, Severity
from guardrails.rule import Bad, Good, Rule, RuleContext
from guardrails.terraform_fixes import set_setting

_PUBLICLY_ACCESSIBLE = ("aws_db_instance", "aws_rds_cluster_instance", "aws_redshift_cluster")
_HALF_OF_IPV4 = 2**31


class TerraformDatabasePubliclyAccessible(Rule):
    id = "ED009"
    name = "terraform-database-publicly-accessible"
    title = "Managed database reachable from the internet"
    category = Category.EXPOSED_DATASTORE
    severity = Severity.HIGH
    kinds = frozenset({Kind.TERRAFORM, Kind.TERRAFORM_PLAN, Kind.CLOUDFORMATION, Kind.PULUMI})
    incidents = (NEWSBLUR,)
    rationale = (
        "A managed database is on the internet when it has a public address AND its network rules let the "
        "internet in: `publicly_accessible = true` on an RDS instance, Aurora instance or Redshift cluster (unset, "
        "a Redshift cluster is public when the module pins the AWS provider below 6) whose "
        "security groups (the VPC default group when none is attached) admit 0.0.0.0/0 or ::/0 on the database "
        "port; Cloud SQL authorized_networks 0.0.0.0/0 on its public IPv4 (on by default); an Azure firewall rule "
        "0.0.0.0-255.255.255.255 on a server whose public network access is on (the default), written as the "
        "resource or as an entry of `Azure/postgresql/azurerm`'s `firewall_rules` (whose v3 turns public access "
        "off unless the call turns it on); an Alibaba Cloud RDS "
        "whitelist (`security_ips`) of 0.0.0.0/0 (high with a public connection, medium otherwise). A public address "
        "behind groups that admit only listed addresses or other groups is how a bastion in another account "
        "reaches the database, and is not reported; groups defined outside the module are reported at medium. "
        "The only thing left between the data and the internet is a password. CloudFormation's "
        "`PubliclyAccessible` on `AWS::RDS::DBInstance` and `AWS::Redshift::Cluster` is judged the same way, with "
        "the template's security groups (`VPCSecurityGroups`), for production (docs/cloudformation.md). "
        "Pulumi YAML programs the same way (`publiclyAccessible`, `vpcSecurityGroupIds`; docs/pulumi.md)."
    )
    remediation = (
        "Keep databases on private subnets (`publicly_accessible = false`, `ipv4_enabled = false` with "
        "private_network, `public_network_access_enabled = false` with a private endpoint) and reach them "
        "through the VPC, a VPN or a bastion; if public access is unavoidable, admit only specific client CIDRs "
        "or security groups on the database port."
    )
    fix_safety = Safety.UNSAFE
    fix_note = (
        "sets `publicly_accessible = false` on an RDS instance or cluster (or on the variable default, tfvars "
        "line or local it comes from when nothing else reads that): clients reaching it over the internet lose it"
    )
    bad = (
        Bad(
            "rds.tf",
            'resource "aws_db_instance" "main" {\n  engine                 = "postgres"\n'
            "  publicly_accessible    = var.public\n  vpc_security_group_ids = [aws_security_group.db.id]\n}\n\n"
            'resource "aws_security_group" "db" {\n  ingress {\n    from_port   = 0\n    to_port     = 65535\n'
            '    protocol    = "tcp"\n    cidr_blocks = ["0.0.0.0/0"]\n  }\n}\n\n'
            'variable "public" {\n  default = true\n}\n',
            3,
            note="the group admits every address on every TCP port, 5432 (the postgres default) included",
        ),
        Bad(
            "sql.tf",
            'resource "google_sql_database_instance" "main" {\n  database_version = "POSTGRES_15"\n  settings {\n'
            '    tier = "db-f1-micro"\n    ip_configuration {\n      authorized_networks {\n'
            '        name  = "all"\n        value = "0.0.0.0/0"\n      }\n    }\n  }\n}\n',
            8,
        ),
        Bad(
            "db.yaml",
            "Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      Engine: mysql\n"
            "      PubliclyAccessible: true\n      VPCSecurityGroups: [!GetAtt DbGroup.GroupId]\n  DbGroup:\n"
            "    Type: AWS::EC2::SecurityGroup\n    Properties:\n      SecurityGroupIngress:\n"
            "        - {IpProtocol: tcp, FromPort: 3306, ToPort: 3306, CidrIp: 0.0.0.0/0}\n",
            6,
            note="CloudFormation: the group admits the internet on 3306",
        ),
    )
    good = (
        Good(
            "rds.tf",
            'resource "aws_db_instance" "main" {\n  engine              = "postgres"\n'
            "  publicly_accessible = false\n}\n",
        ),
        Good(
            "rds.tf",
            'resource "aws_db_instance" "main" {\n  engine                 = "postgres"\n'
            "  publicly_accessible    = true\n  vpc_security_group_ids = [aws_security_group.db.id]\n}\n\n"
            'resource "aws_security_group" "db" {\n  ingress {\n    from_port   = 5432\n    to_port     = 5432\n'
            '    protocol    = "tcp"\n    cidr_blocks = ["203.0.113.7/32"]\n  }\n  ingress {\n    from_port   = 443\n'
            '    to_port     = 443\n    protocol    = "tcp"\n    cidr_blocks = ["0.0.0.0/0"]\n  }\n}\n',
            note="a public address, but 5432 admits one listed address (0.0.0.0/0 only on 443)",
        ),
        Good(
            "fw.tf",
            'resource "azurerm_mssql_firewall_rule" "azure" {\n  name             = "AllowAzure"\n'
            '  server_id        = azurerm_mssql_server.main.id\n  start_ip_address = "0.0.0.0"\n'
            '  end_ip_address   = "0.0.0.0"\n}\n',
            note="0.0.0.0-0.0.0.0 means Azure services, not the internet",
        ),
        Good(
            "db.yaml",
            "Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      Engine: postgres\n"
            "      PubliclyAccessible: true\n      VPCSecurityGroups: [!Ref DbGroup]\n  DbGroup:\n"
            "    Type: AWS::EC2::SecurityGroup\n    Properties:\n      SecurityGroupIngress:\n"
            "        - {IpProtocol: tcp, FromPort: 5432, ToPort: 5432, CidrIp: 10.0.0.0/8}\n",
            note="CloudFormation: a public address, but the group admits only an internal range",
        ),
    )

    def check(self, doc: Document, ctx: RuleContext) -> Iterator[Finding]:
        if isinstance(doc, TerraformDocument):
            yield from self._terraform(doc, ctx)
        elif isinstance(doc, TreeDocument):
            source = stacks.reader(doc)
            for public in stacks.public_databases(doc, ctx.project):
                if public.reach.open is False:
                    continue
                shown = source.written(public.node)
                which = "" if shown == "true" else f", which is true{public.value.via}"
                what = f"{public.resource.describe()} sets {source.PUBLICLY_ACCESSIBLE} = {shown}{which}"
                if public.reach.open:
                    message = f"{what} and {public.reach.reason}: the database is on the internet"
                else:
                    message = f"{what}, but {public.reach.reason}: check that none admits 0.0.0.0/0 or ::/0"
                yield self.finding(
                    doc,
                    public.node.span,
                    message,
                    anchor=f"{public.resource.logical_id}.{source.PUBLICLY_ACCESSIBLE}",
                    ctx=ctx,
                    severity=Severity.HIGH if public.reach.open else Severity.MEDIUM,
                )

    def _terraform(self, doc: TerraformDocument, ctx: RuleContext) -> Iterator[Finding]:
        for instance in terraform.resources(doc, ctx.project, *_PUBLICLY_ACCESSIBLE):
            yield from self._public_address(doc, instance, ctx)
        module = terraform.module_for(doc, ctx.project)
        for block in doc.resources():
            kind = block.labels[0]
            if kind == "google_sql_database_instance":
                yield from self._cloud_sql(doc, block, module, ctx)
            elif kind in AZURE_FIREWALL_RULES:
                yield from self._azure_rule(doc, block, module, ctx)
            elif kind == "alicloud_db_instance":
                yield from self._alicloud(doc, block, module, ctx)
        for rule in module_firewall_rules(doc, module):
            yield from self._azure_module_rule(doc, rule, module, ctx)

    def _public_address(
        self, doc: TerraformDocument, instance: terraform.Instance, ctx: RuleContext
    ) -> Iterator[Finding]:
        """A public address is exposure only when the security groups let the internet in. A
        database a module call creates is reported on the call's input (``terraform.placement``)."""
        block = instance.block
        attr, resolved = terraform.attribute_value(block, "publicly_accessible", instance.scope)
        if attr is None and not instance.called:
            default = provider_default(block.labels[0], "publicly_accessible", instance.scope.module)
            resolved = terraform.Resolved(default[0], True, [default[1]]) if default is not None else resolved
        if resolved.as_bool() is not True:
            return
        span = terraform.placement(instance, attr, resolved, ctx.project)
        if span is None:
            return
        reach = database_reach(instance, doc, ctx.project)
        if reach.open is False:
            return
        sets = "sets publicly_accessible = true" if attr is not None else "leaves publicly_accessible at true"
        what = f"{instance.address} {sets}{resolved.via}"
        setting = Setting(block, "publicly_accessible", attr, True, "", resolved, instance)
        remedy = fix("make the database private", Safety.UNSAFE, set_setting(doc, setting, False, ctx.project))
        if reach.open:
            message = f"{what} and {reach.reason}: the database is on the internet"
        else:
            message = f"{what}, but {reach.reason}: check that none admits 0.0.0.0/0 or ::/0"
        yield self.finding(
            doc,
            span,
            message,
            anchor=f"{instance.address}.publicly_accessible",
            ctx=ctx,
            severity=Severity.HIGH if reach.open else Severity.MEDIUM,
            related=instance.related(),
            fix=remedy,
        )

    def _cloud_sql(
        self, doc: TerraformDocument, block: Block, module: terraform.Module, ctx: RuleContext
    ) -> Iterator[Finding]:
        for settings in block.children("settings"):
            for ip in settings.children("ip_configuration"):
                _, enabled = terraform.attribute_value(ip, "ipv4_enabled", module)
                if enabled.as_bool() is False:
                    continue
                for network in ip.children("authorized_networks"):
                    attr, values = attr_strings(network, "value", module)
                    if attr is None or not any(is_world(v) for v in values.values):
                        continue
                    yield self.finding(
                        doc,
                        attr.span,
                        f"{block.address} authorizes 0.0.0.0/0{values.via} on its public IPv4 address "
                        "(ipv4_enabled defaults to true)",
                        anchor=f"{block.address}.authorized_networks.0.0.0.0/0",
                        ctx=ctx,
                    )

    def _azure_rule(
        self, doc: TerraformDocument, block: Block, module: terraform.Module, ctx: RuleContext
    ) -> Iterator[Finding]:
        """Azure denies by default: a server is open only through a rule admitting the internet,
        and only while its public network access is on (the default)."""
        start_attr, start = terraform.attribute_value(block, "start_ip_address", module)
        _, end = terraform.attribute_value(block, "end_ip_address", module)
        if start_attr is None or not start.known or not end.known:
            return
        size = ipv4_range_size(str(start.value), str(end.value))
        if size is None or size < _HALF_OF_IPV4:
            return
        server, server_block = network_for(doc, ctx.project).azure_server(block)
        severity = Severity.HIGH
        if server_block is None:
            severity = Severity.MEDIUM
            state = (
                f"; its server ({server or 'unset'}) is not defined in this module, so whether its public "
                "network access is on cannot be told here"
            )
        elif server_block.get("delegated_subnet_id") is not None:
            return
        else:
            attr, public = terraform.attribute_value(server_block, "public_network_access_enabled", module)
            if public.as_bool() is False:
                return
            if attr is None:
                state = (
                    f" of {server}, whose public network access is on (public_network_access_enabled defaults to true)"
                )
            elif public.known:
                state = f" of {server}, which sets public_network_access_enabled = true{public.via}"
            else:
                severity = Severity.MEDIUM
                state = f" of {server}, whose public_network_access_enabled ({attr.expr.text}) cannot be resolved here"
        yield self.finding(
            doc,
            start_attr.span,
            f"{block.address} allows {start.value}-{end.value}{start.via or end.via}: the database firewall "
            f"admits (nearly) every IPv4 address{state}",
            anchor=f"{block.address}.range",
            ctx=ctx,
            severity=severity,
        )

    def _azure_module_rule(
        self, doc: TerraformDocument, rule: ModuleFirewallRule, module: terraform.Module, ctx: RuleContext
    ) -> Iterator[Finding]:
        """A registry module's firewall rule: judged as the resource, its server being the module's."""
        start, end = module.resolve(rule.start.expr), module.resolve(rule.end.expr)
        size = ipv4_range_size(str(start.value), str(end.value)) if start.known and end.known else None
        if size is None or size < _HALF_OF_IPV4:
            return
        severity = Severity.HIGH
        attr = rule.public
        if attr is None and rule.table.public_default is False:
            return
        if attr is None:
            state = "and the module leaves public network access at the provider's default (on)"
        else:
            public = module.resolve(attr.expr)
            if public.as_bool() is False:
                return
            if public.known:
                state = f"and the call sets public_network_access_enabled = true{public.via}"
            else:
                severity = Severity.MEDIUM
                state = f"and whether public network access is on ({attr.expr.text}) cannot be resolved here"
        yield self.finding(
            doc,
            rule.start.span,
            f"{rule.server}: an entry of {rule.table.input} allows {start.value}-{end.value}{start.via or end.via}; "
            f"the database firewall admits (nearly) every IPv4 address, {state}",
            anchor=f"{rule.server}.{rule.table.input}.{start.value}-{end.value}",
            ctx=ctx,
            severity=severity,
        )

    def _alicloud(
        self, doc: TerraformDocument, block: Block, module: terraform.Module, ctx: RuleContext
    ) -> Iterator[Finding]:
        """An ApsaraDB RDS whitelist (``security_ips``) guards every endpoint of the instance; the
        internet reaches it when a public connection (``alicloud_db_connection``) exists."""
        for holder in [block, *block.children("db_instance_ip_array")]:
            attr, values = attr_strings(holder, "security_ips", module)
            items = [item.strip() for value in values.values for item in value.split(",")]
            world = sorted({item for item in items if is_world(item)})
            if attr is None or not world:
                continue
            network = network_for(doc, ctx.project)
            connections = [
                address
                for address, (other, _) in network.resources.items()
                if other.labels[0] == "alicloud_db_connection"
                and (ref := other.get("instance_id")) is not None
                and ref.expr.kind == "reference"
                and network.target(str(ref.expr.value)) == block.address
            ]
            where = (
                f" and {connections[0]} gives it a public address: the database is on the internet"
                if connections
                else "; no public connection (alicloud_db_connection) is defined in this module, so every "
                "address that reaches one of its endpoints is admitted"
            )
            yield self.finding(
                doc,
                attr.span,
                f"{block.address} security_ips admits {', '.join(world)}{values.via}{where}",
                anchor=f"{block.address}.security_ips",
                ctx=ctx,
                severity=Severity.HIGH if connections else Severity.MEDIUM,
            )
