"""A stateful resource whose lifecycle guard is written out, and switched off."""

from __future__ import annotations

from collections.abc import Iterator

from guardrails.documents import TerraformDocument, TreeDocument
from guardrails.facts.destructive_incidents import GITLAB_2017
from guardrails.facts.stateful import describe, is_read_replica, stateful
from guardrails.facts.terraform import module_for
from guardrails.fixes import fix, replace
from guardrails.model import Category, Document, Finding, Kind, Safety, Severity
from guardrails.rule import Bad, Good, Rule, RuleContext
from guardrails.terraform_fixes import hcl_value


class TerraformPreventDestroyDisabled(Rule):
    id = "DO056"
    name = "tf-prevent-destroy-false"
    title = "Stateful resource with lifecycle prevent_destroy = false"
    category = Category.DESTRUCTIVE_OPERATION
    severity = Severity.HIGH
    kinds = frozenset({Kind.TERRAFORM, Kind.TERRAFORM_JSON, Kind.CLOUDFORMATION})
    incidents = (GITLAB_2017,)
    rationale = (
        "`lifecycle { prevent_destroy = true }` makes any plan that would destroy the resource fail. Writing "
        "`prevent_destroy = false` on a database, bucket, disk, table or file system is the guard switched off "
        "by hand, usually to let a replacement or a destroy through, and then forgotten. Terraform accepts "
        "literal values only here, so only the literal `false` is reported; an absent lifecycle block is "
        "left to the resource-specific rules, and a read replica (its source keeps the data) is not reported. "
        "In CloudFormation the guard is `DeletionPolicy`: `Delete` deletes the data with the stack or when the "
        "resource leaves the template. Written out, it is reported unless the resource's deletion protection is "
        "on (then the deletion fails); absent, it is reported (at medium) where the default is Delete and the type "
        "has no deletion protection of its own (EFS, EBS, FSx, OpenSearch, Redshift...). RDS defaults to "
        "Snapshot; DynamoDB, DocumentDB and Neptune without protection are DO050/DO053's; S3 buckets and backup "
        "vaults are left out, because CloudFormation cannot delete them while they hold data. A `!If` is "
        "evaluated for production (see docs/cloudformation.md)."
    )
    remediation = (
        "Set `prevent_destroy = true` (or remove the line and rely on provider deletion protection); when a "
        "stateful resource must go, do it in a dedicated change after taking a backup. In CloudFormation, set "
        "`DeletionPolicy: Retain` (or `Snapshot`) and `UpdateReplacePolicy: Retain` on resources that hold data."
    )
    fix_safety = Safety.SAFE
    fix_note = "sets `prevent_destroy = true` in the resource's lifecycle block"
    bad = (
        Bad(
            "main.tf",
            'resource "aws_ebs_volume" "data" {\n  availability_zone = "eu-west-1a"\n  size              = 500\n'
            "  lifecycle {\n    prevent_destroy = false\n  }\n}\n",
            5,
        ),
        Bad(
            "stack.yaml",
            "Resources:\n  Files:\n    Type: AWS::EFS::FileSystem\n    DeletionPolicy: Delete\n"
            "    Properties:\n      Encrypted: true\n",
            4,
            note="CloudFormation: deleted with the stack",
        ),
    )
    good = (
        Good(
            "main.tf",
            'resource "aws_instance" "web" {\n  ami = "ami-123"\n  lifecycle {\n    prevent_destroy = false\n  }\n}\n',
            note="a stateless instance",
        ),
        Good(
            "main.tf",
            'resource "aws_efs_file_system" "shared" {\n  lifecycle {\n    prevent_destroy = true\n  }\n}\n',
        ),
        Good(
            "main.tf",
            'resource "aws_db_instance" "ro" {\n  replicate_source_db = aws_db_instance.main.identifier\n'
            "  lifecycle {\n    prevent_destroy = false\n  }\n}\n",
            note="a read replica",
        ),
        Good(
            "stack.yaml",
            "Resources:\n  Files:\n    Type: AWS::EFS::FileSystem\n    DeletionPolicy: Retain\n"
            "    UpdateReplacePolicy: Retain\n",
            note="CloudFormation keeps the file system when the stack goes",
        ),
    )

    def check(self, doc: Document, ctx: RuleContext) -> Iterator[Finding]:
        if isinstance(doc, TerraformDocument):
            yield from self._terraform(doc, ctx)
        elif isinstance(doc, TreeDocument):
            from guardrails.facts import cloudformation  # templates only: its tables cost start-up time

            for found in cloudformation.deleted_with_stack(doc, ctx.project):
                message = (
                    f"{found.describe()}: DeletionPolicy {found.where}; deleting the stack, or removing the "
                    "resource from the template, deletes its data"
                )
                severity = Severity.MEDIUM if found.absent else None
                yield self.finding(doc, found.span, message, anchor=found.anchor, ctx=ctx, severity=severity)

    def _terraform(self, doc: TerraformDocument, ctx: RuleContext) -> Iterator[Finding]:
        module = module_for(doc, ctx.project)
        for block in doc.resources():
            lifecycle = block.child("lifecycle")
            attr = lifecycle.get("prevent_destroy") if lifecycle is not None else None
            if attr is None or stateful(block.labels[0]) is None or attr.expr.literal() is not False:
                continue
            if is_read_replica(block, module):
                continue
            message = f"{describe(block)}: lifecycle prevent_destroy = false; nothing stops a plan that destroys it"
            remedy = fix("prevent destroy", Safety.SAFE, [replace(doc, attr.expr.span, hcl_value(True))])
            anchor = f"{block.address}.lifecycle.prevent_destroy"
            yield self.finding(doc, attr.span, message, anchor=anchor, ctx=ctx, fix=remedy)
