"""An AWS database that Terraform (or anyone with API access) can delete in one step."""

from __future__ import annotations

from collections.abc import Iterator

from guardrails.facts.destructive_incidents import DIGITALOCEAN_2017, GITLAB_2017
from guardrails.facts.protection import describe, unsafe_settings
from guardrails.facts.stateful import is_true
from guardrails.model import Category, Document, Finding, Kind, Safety, Severity
from guardrails.rule import Bad, Good, Rule, RuleContext
from guardrails.terraform_fixes import setting_fix

_TYPES = ("aws_db_instance", "aws_rds_cluster", "aws_docdb_cluster", "aws_neptune_cluster")


def _plan(after: str, unknown: str = "{}") -> str:
    """``terraform show -json`` of a plan that creates one database in a module."""
    return (
        '{\n  "format_version": "1.2",\n  "terraform_version": "1.9.5",\n  "resource_changes": [\n    {\n'
        '      "address": "module.db.aws_rds_cluster.this[0]",\n      "module_address": "module.db",\n'
        '      "mode": "managed",\n      "type": "aws_rds_cluster",\n      "name": "this",\n      "index": 0,\n'
        f'      "change": {{\n        "actions": ["create"],\n        "after": {after},\n'
        f'        "after_unknown": {unknown}\n      }}\n    }}\n  ]\n}}\n'
    )


class TerraformDatabaseDeletionProtection(Rule):
    id = "DO050"
    name = "tf-database-deletion-protection-off"
    title = "AWS database without deletion protection"
    category = Category.DESTRUCTIVE_OPERATION
    severity = Severity.HIGH
    kinds = frozenset({Kind.TERRAFORM, Kind.TERRAFORM_JSON, Kind.TERRAFORM_PLAN, Kind.CLOUDFORMATION, Kind.PULUMI})
    incidents = (DIGITALOCEAN_2017, GITLAB_2017)
    rationale = (
        "`deletion_protection` defaults to false on `aws_db_instance`, `aws_rds_cluster`, `aws_docdb_cluster` "
        "and `aws_neptune_cluster`: a `terraform destroy`, a replacement forced by a changed argument, a "
        "removed block or a test process holding production credentials (DigitalOcean 2017) deletes the "
        "database, and its automated backups go with it. With the flag on, the API refuses the deletion "
        "until someone turns it off on purpose. Values are resolved through variable defaults, locals and "
        "tfvars (a production-named .tfvars wins); an unresolvable value is not reported. Read replicas "
        "(`replicate_source_db`, `replication_source_identifier` naming a source) hold a copy and are not "
        "reported; a source from a variable whose default is null is a primary, and is. CloudFormation templates "
        "(`AWS::RDS::DBInstance`, `AWS::RDS::DBCluster`, `AWS::DocDB::DBCluster`, `AWS::Neptune::DBCluster`, "
        "`DeletionProtection`) are judged for production: a production parameter file beside the template, else "
        "the production value a condition names, else the defaults (docs/cloudformation.md). Pulumi YAML programs "
        "(`aws:rds:Instance`, `deletionProtection`) are judged for their production stack file, else the config "
        "defaults; a resource with `options.protect` or `retainOnDelete` is one Pulumi will not delete "
        "(docs/pulumi.md). A `terraform show -json` plan is judged on the state it plans, like every Terraform "
        "rule (docs/terraform.md, Plans)."
    )
    remediation = (
        "Set `deletion_protection = true` on production databases (or from a variable whose production "
        "value is true). To delete one deliberately, apply `deletion_protection = false` first, in its own "
        "reviewed change."
    )
    fix_safety = Safety.SAFE
    fix_note = (
        "sets `deletion_protection = true` on the resource (inserted when absent), or on the variable default, "
        "tfvars line or local it comes from when nothing else reads that"
    )
    bad = (
        Bad(
            "main.tf",
            'resource "aws_db_instance" "main" {\n  engine         = "postgres"\n  instance_class = "db.t3.micro"\n}\n',
            1,
            note="absent: the default is false",
        ),
        Bad(
            "db.tf",
            'resource "aws_rds_cluster" "app" {\n  engine              = "aurora-postgresql"\n'
            "  deletion_protection = var.protect\n}\n",
            3,
            extra={"variables.tf": 'variable "protect" {\n  type    = bool\n  default = false\n}\n'},
            note="from a variable whose default is false: reported on the attribute, naming the variable",
        ),
        Bad(
            "main.tf",
            'resource "aws_db_instance" "main" {\n  replicate_source_db = var.replicate_source_db\n}\n',
            1,
            extra={"variables.tf": 'variable "replicate_source_db" {\n  type    = string\n  default = null\n}\n'},
            note="a module input that is null by default: a primary unless the caller names a source",
        ),
        Bad(
            "db.yaml",
            "Parameters:\n  Protect:\n    Type: String\n    Default: 'true'\nResources:\n  Db:\n"
            "    Type: AWS::RDS::DBInstance\n    Properties:\n      Engine: postgres\n"
            "      DeletionProtection: !Ref Protect\n",
            10,
            extra={"prod.json": '[{"ParameterKey": "Protect", "ParameterValue": "false"}]\n'},
            note="CloudFormation: the default is safe, the production parameter file beside the template is not",
        ),
        Bad(
            "Pulumi.yaml",
            "name: shop\nruntime: yaml\nconfig:\n  protect:\n    type: boolean\n    default: true\nresources:\n"
            "  db:\n    type: aws:rds:Instance\n    properties:\n      engine: postgres\n"
            "      deletionProtection: ${protect}\n",
            12,
            extra={"Pulumi.prod.yaml": "config:\n  shop:protect: false\n"},
            note="Pulumi: the default is safe, the production stack's config is not",
        ),
        Bad(
            "tfplan.json",
            _plan('{"engine": "aurora-postgresql", "deletion_protection": false}'),
            14,
            note="a plan's end state: the module's cluster, named by its instance address",
        ),
    )
    good = (
        Good(
            "tfplan.json",
            _plan('{"engine": "aurora-postgresql"}', '{"deletion_protection": true}'),
            note="a plan: a value known only after the apply is not guessed",
        ),
        Good(
            "db.tf",
            'resource "aws_db_instance" "main" {\n  engine              = "mysql"\n'
            "  deletion_protection = var.protect\n}\n",
            extra={"variables.tf": 'variable "protect" {\n  default = true\n}\n'},
            note="variable default true",
        ),
        Good(
            "db.tf",
            'resource "aws_docdb_cluster" "docs" {\n  deletion_protection = var.protect\n}\n'
            'variable "protect" {\n  type = bool\n}\n',
            note="no default and no tfvars: unknown until plan time, not reported",
        ),
        Good(
            "replica.tf",
            'resource "aws_db_instance" "replica" {\n  replicate_source_db = aws_db_instance.main.identifier\n'
            '  instance_class      = "db.t3.micro"\n}\n',
            note="a read replica holds a copy",
        ),
        Good(
            "db.yaml",
            "Parameters:\n  Env:\n    Type: String\n    Default: dev\nConditions:\n"
            "  IsProd: !Equals [!Ref Env, prod]\nResources:\n  Db:\n    Type: AWS::RDS::DBCluster\n"
            "    Properties:\n      Engine: aurora-postgresql\n      DeletionProtection: !If [IsProd, true, false]\n",
            note="CloudFormation: the condition picks true in production",
        ),
        Good(
            "Pulumi.yaml",
            "name: shop\nruntime: yaml\nresources:\n  db:\n    type: aws:rds:Instance\n    properties:\n"
            "      engine: postgres\n    options:\n      protect: true\n",
            note="Pulumi: a protected resource is one `pulumi destroy` and replacements refuse to delete",
        ),
    )

    def check(self, doc: Document, ctx: RuleContext) -> Iterator[Finding]:
        paths = dict.fromkeys(_TYPES, "deletion_protection")
        for found in unsafe_settings(doc, ctx.project, paths, False, lambda v: not is_true(v)):
            message = (
                f"{describe(found)}: {found.name} {found.where}; a destroy, a forced replacement "
                "or any API client with these credentials can delete the database and its automated backups"
            )
            remedy = setting_fix("turn deletion protection on", doc, found, True, ctx.project)
            yield self.finding(
                doc, found.span, message, anchor=found.anchor, ctx=ctx, related=found.related, fix=remedy
            )
