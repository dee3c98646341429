"""A bucket (S3, Cloud Storage, Spaces) that Terraform empties before deleting it."""

from __future__ import annotations

from collections.abc import Iterator

from guardrails.facts.destructive_incidents import GITLAB_2017
from guardrails.facts.protection import describe, unsafe_settings
from guardrails.facts.stateful import EMPTIED_ON_DESTROY, is_true
from guardrails.model import Category, Document, Finding, Kind, Safety, Severity
from guardrails.rule import Bad, Good, Rule, RuleContext
from guardrails.terraform_fixes import setting_fix


class TerraformS3ForceDestroy(Rule):
    id = "DO055"
    name = "tf-s3-force-destroy"
    title = "Storage bucket with force_destroy = true"
    category = Category.DESTRUCTIVE_OPERATION
    severity = Severity.HIGH
    kinds = frozenset({Kind.TERRAFORM, Kind.TERRAFORM_JSON, Kind.TERRAFORM_PLAN, Kind.PULUMI})
    incidents = (GITLAB_2017,)
    rationale = (
        "S3, Cloud Storage and DigitalOcean Spaces refuse to delete a bucket that still holds objects; "
        "`force_destroy = true` (default false) on `aws_s3_bucket`, `google_storage_bucket` or "
        "`digitalocean_spaces_bucket` makes Terraform delete every object, every version included, first, so a "
        "destroy or a replacement "
        "(renaming the bucket) silently erases its content, backups included when the bucket holds them "
        "(GitLab's were on S3). Values are resolved through variables, locals and tfvars. Pulumi YAML "
        "programs (`aws:s3:Bucket`/`BucketV2`, `gcp:storage:Bucket`, `forceDestroy`) too, unless `options.protect` "
        "or `retainOnDelete` "
        "keeps Pulumi from deleting the bucket (docs/pulumi.md)."
    )
    remediation = (
        "Remove `force_destroy = true` from buckets holding data (or drive it from a variable whose "
        "production value is false); empty a bucket deliberately before retiring it."
    )
    fix_safety = Safety.SAFE
    fix_note = (
        "sets `force_destroy = false` on the bucket, or on the variable default, tfvars line or local it comes "
        "from when nothing else reads that"
    )
    bad = (
        Bad(
            "s3.tf",
            'resource "aws_s3_bucket" "backups" {\n  bucket        = "acme-db-backups"\n  force_destroy = true\n}\n',
            3,
        ),
        Bad(
            "gcs.tf",
            'resource "google_storage_bucket" "exports" {\n  name          = "acme-exports"\n  location      = "EU"\n'
            "  force_destroy = true\n}\n",
            4,
            note="the Google provider empties a Cloud Storage bucket the same way",
        ),
    )
    good = (
        Good(
            "s3.tf",
            'resource "aws_s3_bucket" "backups" {\n  bucket        = "acme-db-backups"\n'
            "  force_destroy = var.force_destroy\n}\n",
            extra={"variables.tf": 'variable "force_destroy" {\n  type    = bool\n  default = false\n}\n'},
            note="the usual module pattern: a variable that defaults to false",
        ),
        Good(
            "Pulumi.yaml",
            "name: logs\nruntime: yaml\nresources:\n  scratch:\n    type: aws:s3:BucketV2\n    properties:\n"
            "      forceDestroy: true\n    options:\n      retainOnDelete: true\n",
            note="Pulumi: retainOnDelete leaves the bucket and its objects in place when Pulumi deletes it",
        ),
    )

    def check(self, doc: Document, ctx: RuleContext) -> Iterator[Finding]:
        for found in unsafe_settings(doc, ctx.project, EMPTIED_ON_DESTROY, False, is_true):
            message = (
                f"{describe(found)}: {found.name} {found.where}; a destroy or a replacement deletes "
                "every object and version in the bucket"
            )
            remedy = setting_fix("turn force_destroy off", doc, found, False, ctx.project)
            yield self.finding(
                doc, found.span, message, anchor=found.anchor, ctx=ctx, related=found.related, fix=remedy
            )
