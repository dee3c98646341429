"""A database whose automated backups are turned off."""

from __future__ import annotations

from collections.abc import Iterator

from guardrails.facts.destructive_incidents import GITLAB_2017
from guardrails.facts.protection import describe, unsafe_settings
from guardrails.facts.stateful import is_false, is_zero
from guardrails.model import Category, Document, Finding, Kind, Safety, Severity
from guardrails.rule import Bad, Good, Rule, RuleContext
from guardrails.terraform_fixes import setting_fix

#: Where a retention of 0 turns automated backups off. Aurora, DocumentDB and Neptune
#: clusters accept 1-35 only, so 0 cannot be written there. ElastiCache
#: (``snapshot_retention_limit``) is left out on purpose: 0 is its default, and a
#: cache's content is usually rebuilt rather than restored.
_PATHS = {
    "aws_db_instance": "backup_retention_period",
    "aws_redshift_cluster": "automated_snapshot_retention_period",
}
#: Where ``enabled = false`` turns them off. Absent, Cloud SQL takes no automated backups
#: either, but an instance without the block is too often a test one to report.
_SWITCHES = {"google_sql_database_instance": "settings.backup_configuration.enabled"}
#: What the fix sets: the retention the remediation asks for.
_RETENTION_DAYS = 7


class TerraformBackupsDisabled(Rule):
    id = "DO052"
    name = "tf-database-backups-disabled"
    title = "Database automated backups disabled (retention period 0)"
    category = Category.DESTRUCTIVE_OPERATION
    severity = Severity.HIGH
    kinds = frozenset({Kind.TERRAFORM, Kind.TERRAFORM_JSON, Kind.TERRAFORM_PLAN, Kind.CLOUDFORMATION, Kind.PULUMI})
    incidents = (GITLAB_2017,)
    rationale = (
        "`backup_retention_period = 0` on `aws_db_instance` (and `automated_snapshot_retention_period = 0` on "
        "`aws_redshift_cluster`), or `backup_configuration { enabled = false }` on a Cloud SQL instance, turns "
        "automated backups and point-in-time recovery off. GitLab's 2017 "
        "outage turned into data loss because the backups everyone assumed existed did not. Values are "
        "resolved through variables, locals, tfvars and module calls; read replicas (`replicate_source_db` naming a "
        "source), whose source keeps the backups, are skipped; `replicate_source_db = var.x` with a null default "
        "is a primary. CloudFormation's `BackupRetentionPeriod` (RDS) and `AutomatedSnapshotRetentionPeriod` "
        "(Redshift) are judged the same way, for production (docs/cloudformation.md)."
        " Pulumi YAML programs (`aws:rds:Instance`, the attribute in camelCase) are judged for their production "
        "stack (docs/pulumi.md)."
    )
    remediation = (
        "Keep a retention period of at least 7 days in production (`backup_retention_period = 7`), and test "
        "restores; use 0 only for disposable environments, through a variable whose production value is not 0."
    )
    fix_safety = Safety.SAFE
    fix_note = (
        f"sets the retention period from 0 to {_RETENTION_DAYS} days (Cloud SQL: `enabled = true`), on the "
        "resource or on the variable default, tfvars line or local it comes from when nothing else reads that"
    )
    bad = (
        Bad("main.tf", 'resource "aws_db_instance" "main" {\n  backup_retention_period = 0\n}\n', 2),
        Bad(
            "main.tf",
            'resource "aws_redshift_cluster" "dw" {\n  automated_snapshot_retention_period = var.retention\n}\n',
            2,
            extra={"variables.tf": 'variable "retention" {\n  default = "0"\n}\n'},
            note="a numeric string from a variable default",
        ),
        Bad(
            "sql.tf",
            'resource "google_sql_database_instance" "main" {\n  settings {\n    tier = "db-f1-micro"\n'
            "    backup_configuration {\n      enabled = false\n    }\n  }\n}\n",
            5,
            note="Cloud SQL backups switched off",
        ),
        Bad(
            "db.json",
            '{"AWSTemplateFormatVersion": "2010-09-09",\n "Resources": {"Db": {"Type": "AWS::RDS::DBInstance",\n'
            '  "Properties": {"Engine": "mysql", "DeletionProtection": true,\n   "BackupRetentionPeriod": "0"}}}}\n',
            4,
            note="a JSON CloudFormation template",
        ),
    )
    good = (
        Good("main.tf", 'resource "aws_db_instance" "main" {\n  backup_retention_period = 7\n}\n'),
        Good(
            "sql.tf",
            'resource "google_sql_database_instance" "ro" {\n'
            "  master_instance_name = google_sql_database_instance.main.name\n"
            "  settings {\n    backup_configuration {\n      enabled = false\n    }\n  }\n}\n",
            note="a Cloud SQL read replica keeps no backups of its own",
        ),
        Good(
            "main.tf",
            'resource "aws_db_instance" "ro" {\n  replicate_source_db     = aws_db_instance.main.arn\n'
            "  backup_retention_period = 0\n}\n",
            note="a read replica",
        ),
        Good(
            "main.tf",
            'resource "aws_elasticache_replication_group" "cache" {\n  snapshot_retention_limit = 0\n}\n',
            note="a cache, out of scope",
        ),
        Good(
            "db.yaml",
            "Resources:\n  Replica:\n    Type: AWS::RDS::DBInstance\n    Properties:\n"
            "      SourceDBInstanceIdentifier: !Ref Primary\n      BackupRetentionPeriod: 0\n"
            "  Primary:\n    Type: AWS::RDS::DBInstance\n    DeletionPolicy: Snapshot\n    Properties:\n"
            "      DeletionProtection: true\n",
            note="a CloudFormation read replica",
        ),
    )

    def check(self, doc: Document, ctx: RuleContext) -> Iterator[Finding]:
        found_settings = [
            *((s, _RETENTION_DAYS) for s in unsafe_settings(doc, ctx.project, _PATHS, None, is_zero)),
            *((s, True) for s in unsafe_settings(doc, ctx.project, _SWITCHES, None, is_false)),
        ]
        for found, value in found_settings:
            message = (
                f"{describe(found)}: {found.name} {found.where}; automated backups and point-in-time recovery are off"
            )
            remedy = setting_fix("turn automated backups on", doc, found, value, ctx.project)
            yield self.finding(
                doc, found.span, message, anchor=found.anchor, ctx=ctx, related=found.related, fix=remedy
            )
