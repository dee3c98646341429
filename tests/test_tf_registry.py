"""The published-module tables against the modules' own files in the shared corpus: each
input's default and line in variables.tf, and that the input reaches the attribute the
table names (evaluated through the module's real code). Skipped without the corpus."""

from __future__ import annotations

import pytest

from guardrails.documents import TerraformDocument
from guardrails.facts.stateful import find_attribute
from guardrails.facts.terraform import resources
from guardrails.facts.tf_registry import (
    DATASTORE_INGRESS,
    PUBLISHED,
    RULE_MAP_INGRESS,
    PublishedModule,
    firewall_rules_module,
    git_source,
    published,
    records_module,
)
from guardrails.model import Kind
from guardrails.parsers.hcl import parse
from guardrails.pipeline import load
from guardrails.project import Project
from tests.conftest import require_shared

#: registry address -> (corpus repository, module directory inside it, the major it holds)
_ON_DISK = {
    "terraform-aws-modules/rds/aws": ("terraform-aws-rds", ".", 7),
    "terraform-google-modules/sql-db/google//modules/mysql": ("terraform-google-sql-db", "modules/mysql", 28),
    "terraform-google-modules/sql-db/google//modules/postgresql": ("terraform-google-sql-db", "modules/postgresql", 28),
    "terraform-google-modules/sql-db/google//modules/safer_mysql": (
        "terraform-google-sql-db",
        "modules/safer_mysql",
        28,
    ),
    "terraform-google-modules/sql-db/google//modules/mssql": ("terraform-google-sql-db", "modules/mssql", 28),
}
_SQL_DB = [s for s in _ON_DISK if s.startswith("terraform-google-modules/sql-db/")]


#: Tables the corpus does not hold (another module, or another major of one it holds): each
#: was checked, the same way as the test below, against the module's files at the tag its
#: ``reference`` names, and its defaults and attributes at every other release of that major.
_CHECKED_AT_TAG = {
    ("terraform-aws-modules/rds/aws", 6),
    ("terraform-aws-modules/rds/aws", 5),
    ("terraform-aws-modules/rds/aws", 4),
    *((source, major) for source in _SQL_DB for major in range(20, 28)),
    ("terraform-aws-modules/rds-aurora/aws", 10),
    ("terraform-aws-modules/rds-aurora/aws", 9),
    ("terraform-aws-modules/rds-aurora/aws", 8),
    ("terraform-aws-modules/rds-aurora/aws", 7),
    ("terraform-aws-modules/s3-bucket/aws", 5),
    ("terraform-aws-modules/s3-bucket/aws", 4),
    ("terraform-aws-modules/s3-bucket/aws", 3),
    *(("terraform-google-modules/cloud-storage/google//modules/simple_bucket", major) for major in range(2, 13)),
    ("terraform-aws-modules/dynamodb-table/aws", 5),
    ("terraform-aws-modules/dynamodb-table/aws", 4),
    ("terraform-aws-modules/dynamodb-table/aws", 3),
    ("cloudposse/rds/aws", 1),
    ("cloudposse/rds-cluster/aws", 1),
    ("cloudposse/dynamodb/aws", 0),
    ("cloudposse/documentdb-cluster/aws", 0),
    ("cloudposse/documentdb-cluster/aws", 1),
    ("cloudposse/elasticache-redis/aws", 1),
    ("cloudposse/elasticache-redis/aws", 2),
    ("terraform-aws-modules/elasticache/aws", 1),
}


def test_every_datastore_ingress_input_is_in_its_module_table() -> None:
    """The security-group facts read these inputs' defaults from the tables: an input missing
    from its table would be unknown at every call that leaves it unset."""
    for source, ingress in DATASTORE_INGRESS.items():
        table = published(source, None)
        assert table is not None and {ingress.cidrs, ingress.port, *ingress.switches} <= set(table.inputs)
    for source, rules in RULE_MAP_INGRESS.items():
        table = published(source, None)
        assert table is not None and {rules.rules, rules.engine, *rules.switches} <= set(table.inputs)


def test_every_table_is_checked_against_its_module() -> None:
    on_disk = {(source, major) for source, (_, _, major) in _ON_DISK.items()}
    assert {(m.source, m.major) for m in PUBLISHED} == on_disk | _CHECKED_AT_TAG
    assert not on_disk & _CHECKED_AT_TAG


def _on_disk(table: PublishedModule) -> bool:
    return table.source in _ON_DISK and table.major == _ON_DISK[table.source][2]


@pytest.mark.parametrize("table", [m for m in PUBLISHED if _on_disk(m)], ids=lambda m: m.source)
def test_table_matches_the_published_module(table: PublishedModule) -> None:
    realworld = require_shared("corpus", "realworld")
    repository, directory, _ = _ON_DISK[table.source]
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
    main = " ".join((root / directory / "main.tf").read_text(encoding="utf-8").split())
    for name, item in table.inputs.items():
        default = declared[name].get("default")
        assert default is not None and default.expr.kind in ("literal", "object"), name
        assert instance.scope.resolve(default.expr).value == item.default, name
        assert default.span.line == item.line, name
        if item.value:
            # reached through the module's locals and a dynamic block: its expression is copied
            assert item.value in main, name
            continue
        attr, _ = find_attribute(instance.block, item.attribute)
        assert attr is not None, item.attribute
        assert instance.scope.resolve(attr.expr).value == f"probe-{name}", name


@pytest.mark.parametrize(
    ("source", "version", "found"),
    [
        ("terraform-aws-modules/rds/aws", None, True),
        ("registry.terraform.io/terraform-aws-modules/rds/aws", "~> 7.0", True),
        ("terraform-aws-modules/rds/aws", "~> 6.0", True),
        ("terraform-aws-modules/rds/aws", "~> 5.0", True),
        ("terraform-aws-modules/rds/aws", ">= 6.0, < 8.0", True),
        ("terraform-aws-modules/rds/aws", "< 6.0", True),
        ("terraform-aws-modules/rds/aws", "~> 4.0", True),
        ("terraform-aws-modules/rds/aws", "~> 3.0", False),
        ("terraform-aws-modules/rds/aws", "< 5.0", True),
        ("terraform-aws-modules/rds/aws", "< 4.0", False),
        ("terraform-aws-modules/security-group/aws", "~> 4.0", True),
        ("terraform-aws-modules/security-group/aws", "~> 3.0", True),
        ("terraform-aws-modules/security-group/aws", "~> 2.0", False),
        ("terraform-aws-modules/security-group/aws//modules/postgresql", "~> 4.0", True),
        ("terraform-aws-modules/security-group/aws//modules/postgresql", "3.18.0", True),
        ("terraform-aws-modules/security-group/aws//modules/consul", "~> 4.0", False),
        ("terraform-aws-modules/security-group/aws//modules/consul", "~> 5.0", True),
        ("terraform-aws-modules/security-group/aws//modules/vault", "~> 3.0", False),
        ("GoogleCloudPlatform/sql-db/google//modules/postgresql", "28.1.1", True),
        ("terraform-google-modules/sql-db/google//modules/mysql", "~> 20.0", True),
        ("terraform-google-modules/sql-db/google//modules/mysql", "~> 19.0", False),
        ("terraform-google-modules/sql-db/google//modules/backup", None, False),
        ("terraform-aws-modules/rds-aurora/aws", "~> 9.0", True),
        ("terraform-aws-modules/rds-aurora/aws", "~> 8.0", True),
        ("terraform-aws-modules/rds-aurora/aws", "~> 7.0", True),
        ("terraform-aws-modules/rds-aurora/aws", "~> 6.0", False),
        ("terraform-aws-modules/s3-bucket/aws", "~> 3.0", True),
        ("terraform-aws-modules/s3-bucket/aws", "~> 2.0", False),
        ("terraform-google-modules/cloud-storage/google//modules/simple_bucket", "~> 12.0", True),
        ("terraform-google-modules/cloud-storage/google//modules/simple_bucket", "2.2.0", True),
        ("terraform-google-modules/cloud-storage/google//modules/simple_bucket", "~> 1.3", False),
        ("terraform-google-modules/cloud-storage/google", "~> 12.0", False),
        ("terraform-aws-modules/dynamodb-table/aws", "~> 3.0", True),
        ("terraform-aws-modules/dynamodb-table/aws", "~> 2.0", False),
        ("cloudposse/rds-cluster/aws", "1.3.2", True),
        ("cloudposse/dynamodb/aws", "0.36.0", True),
        ("terraform-aws-modules/elasticache/aws", None, True),
        ("terraform-aws-modules/elasticache/aws", "~> 1.4", True),
        ("terraform-aws-modules/elasticache/aws", "~> 2.0", False),
        ("cloudposse/documentdb-cluster/aws", "0.14.0", True),
        ("cloudposse/documentdb-cluster/aws", "~> 2.0", False),
        ("cloudposse/elasticache-redis/aws", "0.53.0", False),
        ("cloudposse/elasticache-redis/aws", "~> 1.0", True),
    ],
)
def test_a_table_applies_to_the_major_version_it_was_read_from(source: str, version: str | None, found: bool) -> None:
    assert (published(source, version) is not None) is found


@pytest.mark.parametrize(("version", "major"), [("0.14.0", 0), ("~> 1.0", 1), (None, 1), (">= 0.10", 1), ("< 1.0", 0)])
def test_a_module_with_tables_for_several_majors_gets_the_one_the_constraint_selects(
    version: str | None, major: int
) -> None:
    table = published("cloudposse/documentdb-cluster/aws", version)
    assert table is not None and table.major == major


@pytest.mark.parametrize(
    ("source", "version", "major"),
    [
        ("terraform-aws-modules/route53/aws//modules/records", "~> 2.0", 2),
        ("registry.terraform.io/terraform-aws-modules/route53/aws//modules/records", None, 2),
        ("terraform-aws-modules/route53/aws//modules/records", "5.0.0", 2),
        ("terraform-aws-modules/route53/aws//modules/records", "~> 6.0", None),
        ("terraform-aws-modules/route53/aws", "~> 6.0", 6),
        ("terraform-aws-modules/route53/aws", "~> 5.0", None),
        ("terraform-aws-modules/route53/aws//modules/zones", None, None),
    ],
)
def test_a_records_module_is_known_for_the_majors_whose_layout_was_read(
    source: str, version: str | None, major: int | None
) -> None:
    found = records_module(source, version)
    assert (found.majors[0] if found is not None else None) == major


@pytest.mark.parametrize(
    ("version", "default"), [("3.2.0", False), ("~> 2.0", None), (None, False), (">= 2.0", False), ("1.4.0", "none")]
)
def test_the_azure_postgresql_module_is_read_at_the_major_the_constraint_selects(
    version: str | None, default: bool | str | None
) -> None:
    found = firewall_rules_module("Azure/postgresql/azurerm", version)
    assert (found.public_default if found is not None else "none") == default


@pytest.mark.parametrize(
    ("source", "version", "major", "defaults"),
    [
        ("terraform-aws-modules/rds/aws", "~> 6.0", 6, {"deletion_protection": False, "skip_final_snapshot": False}),
        ("terraform-aws-modules/rds/aws", "5.9.0", 5, {"deletion_protection": False, "publicly_accessible": False}),
        ("terraform-aws-modules/rds-aurora/aws", "~> 8.0", 8, {"backup_retention_period": 7}),
        ("terraform-aws-modules/rds-aurora/aws", "~> 9.0", 9, {"backup_retention_period": None}),
        ("terraform-google-modules/sql-db/google//modules/safer_mysql", "~> 25.0", 25, {"deletion_protection": True}),
    ],
)
def test_an_older_major_has_its_own_defaults(
    source: str, version: str, major: int, defaults: dict[str, object]
) -> None:
    table = published(source, version)
    assert table is not None and table.major == major and f" v{major}" in table.reference
    assert {name: table.inputs[name].default for name in defaults} == defaults


def test_safer_mysql_before_v26_has_no_master_instance_name() -> None:
    """A replica of safer_mysql could not be declared before v26: the input did not exist."""
    older, newer = (
        published("terraform-google-modules/sql-db/google//modules/safer_mysql", v) for v in ("25.2.2", "26.0.0")
    )
    assert older is not None and "master_instance_name" not in older.inputs
    assert newer is not None and "master_instance_name" in newer.inputs


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "git::https://github.com/terraform-aws-modules/terraform-aws-rds.git?ref=v6.1.0",
            ("terraform-aws-modules/rds/aws", "6.1.0"),
        ),
        (
            "git::ssh://git@github.com/terraform-aws-modules/terraform-aws-security-group.git//modules/mysql?ref=v5.1.0",
            ("terraform-aws-modules/security-group/aws//modules/mysql", "5.1.0"),
        ),
        ("git@github.com:cloudposse/terraform-aws-rds.git?ref=1.1.0", ("cloudposse/rds/aws", "1.1.0")),
        ("github.com/terraform-aws-modules/terraform-aws-s3-bucket", ("terraform-aws-modules/s3-bucket/aws", None)),
        ("git::https://gitlab.com/acme/terraform-aws-rds.git?ref=v6.1.0", None),
        ("git::https://github.com/acme/rds-module.git?ref=v1", None),
        ("terraform-aws-modules/rds/aws", None),
    ],
)
def test_a_github_source_of_a_published_module_is_its_registry_address(
    source: str, expected: tuple[str, str | None] | None
) -> None:
    assert git_source(source) == expected


@pytest.mark.parametrize(
    "source",
    ["terraform-aws-modules/rds/aws//.", "terraform-aws-modules/rds/aws//", "terraform-aws-modules/rds/aws//./"],
)
def test_a_sub_path_that_names_the_root_is_the_module_itself(source: str) -> None:
    table = published(source, "6.10.0")
    assert table is not None and table.source == "terraform-aws-modules/rds/aws"
    assert git_source("git::https://github.com/terraform-aws-modules/terraform-aws-rds.git//.?ref=v6.10.0") == (
        "terraform-aws-modules/rds/aws",
        "6.10.0",
    )
