"""The published-module tables against the modules' own files in the shared corpus: each
input's default and line in variables.tf, and that the input reaches the attribute the
table names (evaluated through the module's real code). Skipped without the corpus."""

from __future__ import annotations

import pytest

from guardrails.documents import TerraformDocument
from guardrails.facts.stateful import find_attribute
from guardrails.facts.terraform import resources
from guardrails.facts.tf_registry import PUBLISHED, PublishedModule, published
from guardrails.model import Kind
from guardrails.parsers.hcl import parse
from guardrails.pipeline import load
from guardrails.project import Project
from tests.conftest import require_shared

#: registry address -> (corpus repository, module directory inside it)
_ON_DISK = {
    "terraform-aws-modules/rds/aws": ("terraform-aws-rds", "."),
    "terraform-google-modules/sql-db/google//modules/mysql": ("terraform-google-sql-db", "modules/mysql"),
    "terraform-google-modules/sql-db/google//modules/postgresql": ("terraform-google-sql-db", "modules/postgresql"),
    "terraform-google-modules/sql-db/google//modules/safer_mysql": ("terraform-google-sql-db", "modules/safer_mysql"),
    "terraform-google-modules/sql-db/google//modules/mssql": ("terraform-google-sql-db", "modules/mssql"),
}


#: Tables of modules the corpus does not hold: each was checked, the same way as the test
#: below, against the module's files at the tag its ``reference`` names.
_CHECKED_AT_TAG = {
    "terraform-aws-modules/rds-aurora/aws",
    "terraform-aws-modules/s3-bucket/aws",
    "terraform-aws-modules/dynamodb-table/aws",
    "cloudposse/rds/aws",
    "cloudposse/rds-cluster/aws",
    "cloudposse/dynamodb/aws",
}


def test_every_table_is_checked_against_its_module() -> None:
    assert {m.source for m in PUBLISHED} == set(_ON_DISK) | _CHECKED_AT_TAG
    assert not set(_ON_DISK) & _CHECKED_AT_TAG


@pytest.mark.parametrize("table", [m for m in PUBLISHED if m.source in _ON_DISK], ids=lambda m: m.source)
def test_table_matches_the_published_module(table: PublishedModule) -> None:
    realworld = require_shared("corpus", "realworld")
    repository, directory = _ON_DISK[table.source]
    root = realworld / repository
    variables = load(root / directory / "variables.tf", "variables.tf", 1 << 22).document
    assert isinstance(variables, TerraformDocument)
    declared = {b.labels[0]: b for b in variables.blocks if b.type == "variable"}
    project = Project(root, root, 1 << 22)
    inputs = "\n".join(f'  {name} = "probe-{name}"' for name in table.inputs)
    caller = parse("probe/main.tf", f'module "m" {{\n  source = "../{directory}"\n{inputs}\n}}\n', Kind.TERRAFORM)
    instances = [i for i in resources(caller, project, table.resource) if i.address == f"module.m.{table.address}"]
    assert len(instances) == 1, table.address
    (instance,) = instances
    for name, item in table.inputs.items():
        default = declared[name].get("default")
        assert default is not None and default.expr.kind == "literal" and default.expr.value == item.default, name
        assert default.span.line == item.line, name
        attr, _ = find_attribute(instance.block, item.attribute)
        assert attr is not None, item.attribute
        assert instance.scope.resolve(attr.expr).value == f"probe-{name}", name


@pytest.mark.parametrize(
    ("source", "version", "found"),
    [
        ("terraform-aws-modules/rds/aws", None, True),
        ("registry.terraform.io/terraform-aws-modules/rds/aws", "~> 7.0", True),
        ("terraform-aws-modules/rds/aws", "~> 6.0", False),
        ("terraform-aws-modules/rds/aws", ">= 6.0, < 8.0", True),
        ("terraform-aws-modules/rds/aws", "< 7.0", False),
        ("GoogleCloudPlatform/sql-db/google//modules/postgresql", "28.1.1", True),
        ("terraform-google-modules/sql-db/google//modules/backup", None, False),
        ("terraform-aws-modules/rds-aurora/aws", "~> 9.0", False),
        ("cloudposse/rds-cluster/aws", "1.3.2", True),
        ("cloudposse/dynamodb/aws", "0.36.0", True),
        ("terraform-aws-modules/elasticache/aws", None, False),
    ],
)
def test_a_table_applies_to_the_major_version_it_was_read_from(source: str, version: str | None, found: bool) -> None:
    assert (published(source, version) is not None) is found
