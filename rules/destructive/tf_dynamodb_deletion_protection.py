"""A DynamoDB table that one API call (or one destroy) deletes."""

from __future__ import annotations

from collections.abc import Iterator

from guardrails.documents import TerraformDocument
from guardrails.facts.stateful import DIGITALOCEAN_2017, describe, is_true, unsafe_settings
from guardrails.fixes import fix
from guardrails.model import Category, Finding, Kind, Safety, Severity
from guardrails.rule import Bad, Good, Rule, RuleContext
from guardrails.terraform_fixes import set_setting


class TerraformDynamoDbDeletionProtection(Rule):
    id = "DO053"
    name = "tf-dynamodb-deletion-protection-off"
    title = "DynamoDB table without deletion protection"
    category = Category.DESTRUCTIVE_OPERATION
    severity = Severity.HIGH
    kinds = frozenset({Kind.TERRAFORM, Kind.TERRAFORM_JSON})
    incidents = (DIGITALOCEAN_2017,)
    rationale = (
        "`aws_dynamodb_table.deletion_protection_enabled` defaults to false: `terraform destroy`, a forced "
        "replacement (renaming the table, changing its key schema) or any client with the credentials deletes "
        "the table and its items. Peers have no rule for it. Values are resolved through variables, locals "
        "and tfvars; an unresolvable value is not reported."
    )
    remediation = (
        "Set `deletion_protection_enabled = true` (and enable `point_in_time_recovery`) on tables that hold "
        "data you cannot rebuild."
    )
    fix_safety = Safety.SAFE
    fix_note = (
        "sets `deletion_protection_enabled = true` on the table (inserted when absent), or on the variable "
        "default, tfvars line or local it comes from when nothing else reads that"
    )
    bad = (
        Bad(
            "dynamo.tf",
            'resource "aws_dynamodb_table" "orders" {\n  name     = "orders"\n  hash_key = "id"\n'
            '  attribute {\n    name = "id"\n    type = "S"\n  }\n}\n',
            1,
        ),
        Bad(
            "dynamo.tf",
            'resource "aws_dynamodb_table" "orders" {\n  name                        = "orders"\n'
            "  deletion_protection_enabled = false\n}\n",
            3,
        ),
    )
    good = (
        Good(
            "dynamo.tf",
            'resource "aws_dynamodb_table" "orders" {\n  name                        = "orders"\n'
            '  deletion_protection_enabled = "true"\n}\n',
            note="the string form is converted as Terraform does",
        ),
    )

    def check(self, doc: TerraformDocument, ctx: RuleContext) -> Iterator[Finding]:  # type: ignore[override]
        paths = {"aws_dynamodb_table": "deletion_protection_enabled"}
        for found in unsafe_settings(doc, ctx.project, paths, False, lambda v: not is_true(v)):
            message = (
                f"{describe(found)}: deletion_protection_enabled {found.where}; a destroy, a forced "
                "replacement or any API client with these credentials deletes the table and its items"
            )
            edits = set_setting(doc, found, True, ctx.project)
            remedy = fix("turn deletion protection on", Safety.SAFE, edits)
            yield self.finding(
                doc, found.span, message, anchor=found.anchor, ctx=ctx, related=found.related, fix=remedy
            )
