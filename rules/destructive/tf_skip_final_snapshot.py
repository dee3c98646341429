"""A database whose deletion leaves no final snapshot behind."""

from __future__ import annotations

import re
from collections.abc import Iterator

from guardrails.documents import TerraformDocument
from guardrails.facts.destructive_incidents import GITLAB_2017
from guardrails.facts.protection import describe, unsafe_settings
from guardrails.facts.stateful import Setting, is_true
from guardrails.fixes import fix
from guardrails.model import Category, Document, Edit, Finding, Kind, Safety, Severity
from guardrails.rule import Bad, Good, Rule, RuleContext
from guardrails.terraform_fixes import add_attribute, hcl_value, set_setting

_TYPES = ("aws_db_instance", "aws_rds_cluster", "aws_docdb_cluster", "aws_neptune_cluster", "aws_redshift_cluster")


class TerraformSkipFinalSnapshot(Rule):
    id = "DO051"
    name = "tf-skip-final-snapshot"
    title = "Database deleted without a final snapshot (skip_final_snapshot = true)"
    category = Category.DESTRUCTIVE_OPERATION
    severity = Severity.HIGH
    kinds = frozenset({Kind.TERRAFORM, Kind.TERRAFORM_JSON, Kind.TERRAFORM_PLAN, Kind.PULUMI})
    incidents = (GITLAB_2017,)
    rationale = (
        "When an RDS, Aurora, DocumentDB, Neptune or Redshift cluster is deleted, its automated backups are "
        "deleted with it; the final snapshot is the only copy left. `skip_final_snapshot = true` throws that "
        "copy away: one destroy, or one argument change that forces a replacement, and the data is gone, "
        "as GitLab found in 2017 when the backups it counted on did not exist. The default (false) keeps "
        "the snapshot. Peers do not check this (16 literal occurrences in six public repositories went "
        "unflagged). Values are resolved through variables, locals and tfvars (Pulumi YAML programs: the production "
        "stack's config, `skipFinalSnapshot`, docs/pulumi.md); read replicas (a source named in "
        "`replicate_source_db` or `replication_source_identifier`) are skipped."
    )
    remediation = (
        "Remove `skip_final_snapshot = true` (or set it to false) and give a `final_snapshot_identifier`; "
        "keep `true` only in throw-away environments, driven by a variable whose production value is false."
    )
    fix_safety = Safety.SAFE
    fix_note = (
        "sets `skip_final_snapshot = false` (on the resource, or on the variable default, tfvars line or local it "
        'comes from when nothing else reads that) and adds `final_snapshot_identifier = "<resource name>-final"` '
        "to the resource when it has none; none for a resource with count or for_each, or made by a module call, "
        "that has no identifier (one name for many snapshots would collide)"
    )
    bad = (
        Bad(
            "main.tf",
            'resource "aws_db_instance" "main" {\n  engine              = "postgres"\n'
            "  deletion_protection = true\n  skip_final_snapshot = true\n}\n",
            4,
        ),
        Bad(
            "redshift.tf",
            'resource "aws_redshift_cluster" "dw" {\n  cluster_identifier  = "dw"\n'
            "  skip_final_snapshot = local.ephemeral\n}\nlocals {\n  ephemeral = true\n}\n",
            3,
            note="through a local",
        ),
    )
    good = (
        Good(
            "main.tf",
            'resource "aws_rds_cluster" "app" {\n  skip_final_snapshot       = var.skip_snapshot\n'
            '  final_snapshot_identifier = "app-final"\n}\n',
            extra={
                "variables.tf": 'variable "skip_snapshot" {\n  default = true\n}\n',
                "prod.tfvars": "skip_snapshot = false\n",
            },
            note="the default skips, but the production tfvars keeps the snapshot",
        ),
        Good(
            "main.tf",
            'resource "aws_db_instance" "replica" {\n  replicate_source_db = "main"\n  skip_final_snapshot = true\n}\n',
            note="read replicas have no final snapshot of their own",
        ),
    )

    def check(self, doc: Document, ctx: RuleContext) -> Iterator[Finding]:
        paths = dict.fromkeys(_TYPES, "skip_final_snapshot")
        for found in unsafe_settings(doc, ctx.project, paths, False, is_true):
            message = (
                f"{describe(found)}: {found.name} {found.where}; deleting it also deletes its "
                "automated backups and leaves no final snapshot"
            )
            terraform = isinstance(doc, TerraformDocument) and isinstance(found, Setting)
            edits = _keep_snapshot(doc, found, ctx) if terraform else None  # type: ignore[arg-type]
            remedy = fix("keep a final snapshot", Safety.SAFE, edits)
            yield self.finding(
                doc, found.span, message, anchor=found.anchor, ctx=ctx, related=found.related, fix=remedy
            )


def _keep_snapshot(doc: TerraformDocument, found: Setting, ctx: RuleContext) -> list[Edit] | None:
    """skip_final_snapshot off, and a snapshot name when the resource has none: the provider
    refuses to delete without one once the snapshot is no longer skipped."""
    edits = set_setting(doc, found, False, ctx.project)
    resource = found.resource
    if edits is None or "final_snapshot_identifier" in resource.attributes:
        return edits
    if found.instance is None or found.instance.called or "count" in resource.attributes:
        return None
    if "for_each" in resource.attributes:
        return None
    name = "-".join(part for part in re.split(r"[^a-z0-9]+", resource.labels[-1].lower()) if part)
    snapshot = f"{name if name[:1].isalpha() else 'db-' + name}-final"
    added = add_attribute(doc, resource, "final_snapshot_identifier", hcl_value(snapshot))
    return edits + added if added is not None else None
