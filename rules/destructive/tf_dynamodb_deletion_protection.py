"""A DynamoDB table that one API call (or one destroy) deletes."""

from __future__ import annotations

from collections.abc import Iterator

from guardrails.facts.destructive_incidents import DIGITALOCEAN_2017
from guardrails.facts.protection import describe, unsafe_settings
from guardrails.facts.stateful import is_true
from guardrails.model import Category, Document, Finding, Kind, Safety, Severity
from guardrails.rule import Bad, Good, Rule, RuleContext
from guardrails.terraform_fixes import setting_fix


class TerraformDynamoDbDeletionProtection(Rule):
    id = "DO053"
    name = "tf-dynamodb-deletion-protection-off"
    title = "DynamoDB table without deletion protection"
    category = Category.DESTRUCTIVE_OPERATION
    severity = Severity.HIGH
    kinds = frozenset({Kind.TERRAFORM, Kind.TERRAFORM_JSON, Kind.TERRAFORM_PLAN, Kind.CLOUDFORMATION, Kind.PULUMI})
    incidents = (DIGITALOCEAN_2017,)
    rationale = (
        "`aws_dynamodb_table.deletion_protection_enabled` defaults to false: `terraform destroy`, a forced "
        "replacement (renaming the table, changing its key schema) or any client with the credentials deletes "
        "the table and its items. Peers have no rule for it. Values are resolved through variables, locals "
        "and tfvars; an unresolvable value is not reported. CloudFormation's `DeletionProtectionEnabled` on "
        "`AWS::DynamoDB::Table` is judged the same way, for production (docs/cloudformation.md)."
        " Pulumi YAML programs (`aws:dynamodb:Table`, `deletionProtectionEnabled`) too, unless `options.protect` "
        "or `retainOnDelete` keeps Pulumi from deleting the table (docs/pulumi.md)."
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
        Bad(
            "table.yaml",
            "Transform: AWS::Serverless-2016-10-31\nResources:\n  Orders:\n    Type: AWS::DynamoDB::Table\n"
            "    DeletionPolicy: Retain\n    Properties:\n      BillingMode: PAY_PER_REQUEST\n",
            3,
            note="a SAM template: Retain keeps it from the stack, not from any API client",
        ),
    )
    good = (
        Good(
            "dynamo.tf",
            'resource "aws_dynamodb_table" "orders" {\n  name                        = "orders"\n'
            '  deletion_protection_enabled = "true"\n}\n',
            note="the string form is converted as Terraform does",
        ),
        Good(
            "table.yaml",
            "Resources:\n  Orders:\n    Type: AWS::DynamoDB::Table\n    Condition: IsProd\n"
            "    Properties:\n      DeletionProtectionEnabled: true\n",
        ),
    )

    def check(self, doc: Document, ctx: RuleContext) -> Iterator[Finding]:
        paths = {"aws_dynamodb_table": "deletion_protection_enabled"}
        for found in unsafe_settings(doc, ctx.project, paths, False, lambda v: not is_true(v)):
            message = (
                f"{describe(found)}: {found.name} {found.where}; a destroy, a forced "
                "replacement or any API client with these credentials deletes the table and its items"
            )
            remedy = setting_fix("turn deletion protection on", doc, found, True, ctx.project)
            yield self.finding(
                doc, found.span, message, anchor=found.anchor, ctx=ctx, related=found.related, fix=remedy
            )
