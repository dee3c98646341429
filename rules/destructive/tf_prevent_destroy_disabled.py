"""A stateful resource whose lifecycle guard is written out, and switched off."""

from __future__ import annotations

from collections.abc import Iterator

from guardrails.documents import TerraformDocument
from guardrails.facts.stateful import GITLAB_2017, describe, is_read_replica, stateful
from guardrails.facts.terraform import module_for
from guardrails.fixes import fix, replace
from guardrails.model import Category, Finding, Kind, Safety, Severity
from guardrails.rule import Bad, Good, Rule, RuleContext
from guardrails.terraform_fixes import hcl_value


class TerraformPreventDestroyDisabled(Rule):
    id = "DO056"
    name = "tf-prevent-destroy-false"
    title = "Stateful resource with lifecycle prevent_destroy = false"
    category = Category.DESTRUCTIVE_OPERATION
    severity = Severity.HIGH
    kinds = frozenset({Kind.TERRAFORM, Kind.TERRAFORM_JSON})
    incidents = (GITLAB_2017,)
    rationale = (
        "`lifecycle { prevent_destroy = true }` makes any plan that would destroy the resource fail. Writing "
        "`prevent_destroy = false` on a database, bucket, disk, table or file system is the guard switched off "
        "by hand, usually to let a replacement or a destroy through, and then forgotten. Terraform accepts "
        "literal values only here, so only the literal `false` is reported; an absent lifecycle block is "
        "left to the resource-specific rules, and a read replica (its source keeps the data) is not reported."
    )
    remediation = (
        "Set `prevent_destroy = true` (or remove the line and rely on provider deletion protection); when a "
        "stateful resource must go, do it in a dedicated change after taking a backup."
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
    )

    def check(self, doc: TerraformDocument, ctx: RuleContext) -> Iterator[Finding]:  # type: ignore[override]
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
