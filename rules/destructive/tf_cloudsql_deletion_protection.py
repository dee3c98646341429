"""A Cloud SQL instance with both of its deletion protections off."""

from __future__ import annotations

from collections.abc import Iterator

from guardrails.facts.destructive_incidents import DIGITALOCEAN_2017
from guardrails.facts.protection import also_unsafe, describe, unsafe_settings
from guardrails.facts.stateful import is_false
from guardrails.model import Category, Document, Finding, Kind, Safety, Severity
from guardrails.rule import Bad, Good, Rule, RuleContext
from guardrails.terraform_fixes import setting_fix

_API_FLAG = "settings.deletion_protection_enabled"


class TerraformCloudSqlDeletionProtection(Rule):
    id = "DO054"
    name = "tf-cloudsql-deletion-protection-off"
    title = "Cloud SQL instance with deletion protection turned off"
    category = Category.DESTRUCTIVE_OPERATION
    severity = Severity.HIGH
    kinds = frozenset({Kind.TERRAFORM, Kind.TERRAFORM_JSON, Kind.TERRAFORM_PLAN, Kind.PULUMI})
    incidents = (DIGITALOCEAN_2017,)
    rationale = (
        "`google_sql_database_instance` has two guards: `deletion_protection` (Terraform-only, default true) "
        "makes Terraform refuse to destroy or replace the instance; `settings.deletion_protection_enabled` "
        "(API-level, default false) makes Google refuse the deletion from any client. All data and backups go "
        "with the instance. Reported: `deletion_protection` resolved to false while the API-level flag is not "
        "true, i.e. nothing stops the deletion. Not reported: the API flag alone being off while Terraform's "
        "default protection stays on (that would flag almost every instance), an API flag from an "
        "unresolvable expression, or a read replica (`master_instance_name` naming a source, a "
        '`replica_configuration` block, `instance_type = "READ_REPLICA_INSTANCE"`), whose master holds the data '
        "and the backups. `master_instance_name = var.x` with a null default is a primary and is judged. "
        "Pulumi YAML programs' `gcp:sql:DatabaseInstance` (`deletionProtection`, "
        "`settings.deletionProtectionEnabled`) are read the same way (docs/pulumi.md)."
    )
    remediation = (
        "Leave `deletion_protection` at its default (true) and set `settings { deletion_protection_enabled = "
        "true }` on production instances; turn them off only in a dedicated, reviewed change before a deletion."
    )
    fix_safety = Safety.SAFE
    fix_note = (
        "sets `deletion_protection = true` on the instance, or on the variable default, tfvars line or local "
        "it comes from when nothing else reads that"
    )
    bad = (
        Bad(
            "sql.tf",
            'resource "google_sql_database_instance" "main" {\n  database_version    = "POSTGRES_15"\n'
            '  deletion_protection = false\n  settings {\n    tier = "db-f1-micro"\n  }\n}\n',
            3,
        ),
        Bad(
            "sql.tf",
            'resource "google_sql_database_instance" "main" {\n  master_instance_name = var.master_instance_name\n'
            '  deletion_protection  = false\n  settings {\n    tier = "db-f1-micro"\n  }\n}\n',
            3,
            extra={"variables.tf": 'variable "master_instance_name" {\n  type    = string\n  default = null\n}\n'},
            note="the master's name defaults to null: a primary",
        ),
    )
    good = (
        Good(
            "sql.tf",
            'resource "google_sql_database_instance" "main" {\n  database_version = "POSTGRES_15"\n'
            '  settings {\n    tier = "db-f1-micro"\n  }\n}\n',
            note="Terraform's deletion_protection defaults to true",
        ),
        Good(
            "sql.tf",
            'resource "google_sql_database_instance" "main" {\n  deletion_protection = false\n  settings {\n'
            '    tier                        = "db-f1-micro"\n    deletion_protection_enabled = true\n  }\n}\n',
            note="the API-level flag still refuses the deletion",
        ),
        Good(
            "replica.tf",
            'resource "google_sql_database_instance" "replica" {\n'
            "  master_instance_name = google_sql_database_instance.main.name\n  deletion_protection  = false\n"
            '  settings {\n    tier = "db-f1-micro"\n  }\n}\n',
            note="a read replica: the master holds the data",
        ),
    )

    def check(self, doc: Document, ctx: RuleContext) -> Iterator[Finding]:
        paths = {"google_sql_database_instance": "deletion_protection"}
        for found in unsafe_settings(doc, ctx.project, paths, True, is_false):
            api = also_unsafe(doc, ctx.project, found, _API_FLAG, False, is_false)
            if api is None:
                continue
            message = (
                f"{describe(found)}: {found.name} {found.where} and "
                f"{api.name} {api.where}; a destroy or a forced replacement deletes the instance, its data "
                "and its backups"
            )
            remedy = setting_fix("turn Terraform deletion protection on", doc, found, True, ctx.project)
            yield self.finding(
                doc, found.span, message, anchor=found.anchor, ctx=ctx, related=found.related, fix=remedy
            )
