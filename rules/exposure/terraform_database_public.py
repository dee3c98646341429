"""A managed database is reachable from the internet."""

from __future__ import annotations

from collections.abc import Iterator

from guardrails.documents import Block, TerraformDocument
from guardrails.facts import terraform
from guardrails.facts.datastores import NEWSBLUR
from guardrails.facts.network import ipv4_range_size, is_world
from guardrails.facts.tf_network import attr_strings
from guardrails.model import Category, Finding, Kind, Severity
from guardrails.rule import Bad, Good, Rule, RuleContext

_PUBLICLY_ACCESSIBLE = ("aws_db_instance", "aws_rds_cluster_instance", "aws_redshift_cluster")
_AZURE_FIREWALL_RULES = (
    "azurerm_mssql_firewall_rule",
    "azurerm_sql_firewall_rule",
    "azurerm_mysql_firewall_rule",
    "azurerm_mysql_flexible_server_firewall_rule",
    "azurerm_postgresql_firewall_rule",
    "azurerm_postgresql_flexible_server_firewall_rule",
    "azurerm_mariadb_firewall_rule",
)
# Database servers whose public_network_access_enabled defaults to true.
_AZURE_SERVERS = (
    "azurerm_mssql_server",
    "azurerm_postgresql_flexible_server",
    "azurerm_postgresql_server",
    "azurerm_mysql_server",
    "azurerm_mariadb_server",
)
_HALF_OF_IPV4 = 2**31


class TerraformDatabasePubliclyAccessible(Rule):
    id = "ED009"
    name = "terraform-database-publicly-accessible"
    title = "Managed database reachable from the internet"
    category = Category.EXPOSED_DATASTORE
    severity = Severity.HIGH
    kinds = frozenset({Kind.TERRAFORM})
    incidents = (NEWSBLUR,)
    rationale = (
        "`publicly_accessible = true` gives an RDS instance or Redshift cluster a public address, Cloud SQL "
        "authorized_networks 0.0.0.0/0 with its public IPv4 (on by default) admits every address, an Azure "
        "firewall rule 0.0.0.0-255.255.255.255 does the same, and Azure database servers accept public "
        "connections unless public_network_access_enabled is false. The only thing left between the data and "
        "the internet is a password."
    )
    remediation = (
        "Keep databases on private subnets (`publicly_accessible = false`, `ipv4_enabled = false` with "
        "private_network, `public_network_access_enabled = false` with a private endpoint) and reach them "
        "through the VPC, a VPN or a bastion; list only specific client CIDRs if public access is unavoidable."
    )
    bad = (
        Bad(
            "rds.tf",
            'resource "aws_db_instance" "main" {\n  engine              = "postgres"\n'
            '  publicly_accessible = var.public\n}\n\nvariable "public" {\n  default = true\n}\n',
            3,
        ),
        Bad(
            "sql.tf",
            'resource "google_sql_database_instance" "main" {\n  database_version = "POSTGRES_15"\n  settings {\n'
            '    tier = "db-f1-micro"\n    ip_configuration {\n      authorized_networks {\n'
            '        name  = "all"\n        value = "0.0.0.0/0"\n      }\n    }\n  }\n}\n',
            8,
        ),
    )
    good = (
        Good(
            "rds.tf",
            'resource "aws_db_instance" "main" {\n  engine              = "postgres"\n'
            "  publicly_accessible = false\n}\n",
        ),
        Good(
            "fw.tf",
            'resource "azurerm_mssql_firewall_rule" "azure" {\n  name             = "AllowAzure"\n'
            '  server_id        = azurerm_mssql_server.main.id\n  start_ip_address = "0.0.0.0"\n'
            '  end_ip_address   = "0.0.0.0"\n}\n',
            note="0.0.0.0-0.0.0.0 means Azure services, not the internet",
        ),
    )

    def check(self, doc: TerraformDocument, ctx: RuleContext) -> Iterator[Finding]:  # type: ignore[override]
        for instance in terraform.resources(doc, ctx.project, *_PUBLICLY_ACCESSIBLE):
            attr, resolved = terraform.attribute_value(instance.block, "publicly_accessible", instance.scope)
            span = terraform.placement(instance, attr, resolved, ctx.project) if attr is not None else None
            if span is not None and resolved.as_bool() is True:
                yield self.finding(
                    doc,
                    span,
                    f"{instance.address} sets publicly_accessible = true{resolved.via}: it gets a public address",
                    anchor=f"{instance.address}.publicly_accessible",
                    ctx=ctx,
                    related=instance.related(),
                )
        module = terraform.module_for(doc, ctx.project)
        for block in doc.resources():
            kind = block.labels[0]
            if kind == "google_sql_database_instance":
                yield from self._cloud_sql(doc, block, module, ctx)
            elif kind in _AZURE_FIREWALL_RULES:
                yield from self._azure_rule(doc, block, module, ctx)
            elif kind in _AZURE_SERVERS:
                yield from self._azure_server(doc, block, module, ctx)

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
        start_attr, start = terraform.attribute_value(block, "start_ip_address", module)
        _, end = terraform.attribute_value(block, "end_ip_address", module)
        if start_attr is None or not start.known or not end.known:
            return
        size = ipv4_range_size(str(start.value), str(end.value))
        if size is None or size < _HALF_OF_IPV4:
            return
        yield self.finding(
            doc,
            start_attr.span,
            f"{block.address} allows {start.value}-{end.value}{start.via or end.via}: the database firewall "
            "admits (nearly) every IPv4 address",
            anchor=f"{block.address}.range",
            ctx=ctx,
        )

    def _azure_server(
        self, doc: TerraformDocument, block: Block, module: terraform.Module, ctx: RuleContext
    ) -> Iterator[Finding]:
        if block.get("delegated_subnet_id") is not None:
            return
        attr, resolved = terraform.attribute_value(block, "public_network_access_enabled", module)
        if attr is not None and resolved.as_bool() is not True:
            return
        where = "sets public_network_access_enabled = true" if attr is not None else "leaves "
        if attr is None:
            where += "public_network_access_enabled unset (default true)"
        yield self.finding(
            doc,
            attr.span if attr is not None else block.span,
            f"{block.address} {where}{resolved.via}: the server accepts connections from the internet, "
            "limited only by its firewall rules",
            anchor=f"{block.address}.public_network_access_enabled",
            ctx=ctx,
            severity=Severity.MEDIUM,
        )
