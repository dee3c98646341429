"""Pulumi Python programs: which Python files are programs, the resource tree their calls make
(type tokens, camelCase properties, options, unknowns, spans on the Python source), and that
findings land on the Python line and follow a change of the project file through the cache."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

import pytest

from guardrails.engine import Engine, ScanResult, Settings
from guardrails.facts.pulumi_python import EXPRESSION, Reader, is_program
from guardrails.model import Node, Span
from guardrails.project import Project
from guardrails.registry import all_rules


def _tree(text: str) -> Node:
    return Reader(ast.parse(text), text).root()


def _resources(text: str) -> Node:
    found = _tree(text).get("resources")
    assert found is not None
    return found


def test_a_resource_call_is_a_typed_entry_with_camel_case_properties_and_python_spans() -> None:
    text = (
        "import pulumi\n"
        "import pulumi_aws as aws\n"
        "db = aws.rds.Instance(\n"
        '    "orders",\n'
        "    skip_final_snapshot=True,\n"
        "    backup_retention_period=-1,\n"
        "    opts=pulumi.ResourceOptions(protect=True, retain_on_delete=False),\n"
        ")\n"
    )
    resources = _resources(text)
    key = resources.key_node("orders")
    assert key is not None and key.span == Span(3, 6, 8, 2)
    entry = resources.get("orders")
    assert entry is not None
    assert entry.path("type").value == "aws:rds:Instance"  # type: ignore[union-attr]
    skip = entry.path("properties", "skipFinalSnapshot")
    assert skip is not None and skip.value is True and skip.span == Span(5, 25, 5, 29)
    assert entry.path("properties", "backupRetentionPeriod").value == -1  # type: ignore[union-attr]
    assert entry.path("options").to_python() == {"protect": True, "retainOnDelete": False}  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("imports", "call", "token"),
    [
        ("from pulumi_aws import rds", "rds.Instance", "aws:rds:Instance"),
        ("from pulumi_aws.rds import Instance", "Instance", "aws:rds:Instance"),
        ("import pulumi_aws", "pulumi_aws.rds.Cluster", "aws:rds:Cluster"),
        ("import pulumi_aws as aws", "aws.lambda_.Function", "aws:lambda:Function"),
        ("import pulumi_aws as aws", "aws.rds.instance.Instance", "aws:rds/instance:Instance"),
        ("import pulumi_gcp as gcp", "gcp.sql.DatabaseInstance", "gcp:sql:DatabaseInstance"),
        ("from mycompany.rds import Instance", "Instance", None),
        ("import pulumi_aws as aws", "aws.rds.get_instance", None),
        ("import pulumi_aws as aws", "aws.rds.InstanceArgs", None),
        ("import pulumi_aws as aws\naws = object()", "aws.rds.Instance", None),
    ],
)
def test_a_callee_is_a_resource_class_only_through_a_provider_import(
    imports: str, call: str, token: str | None
) -> None:
    resources = _resources(f'{imports}\n{call}("x", engine="postgres")\n')
    entry = resources.get("x")
    assert (entry.path("type").value if entry is not None else None) == token  # type: ignore[union-attr]


def test_args_objects_dicts_and_module_constants_are_read_and_everything_else_is_unknown() -> None:
    text = (
        "import pulumi\n"
        "import pulumi_gcp as gcp\n"
        "TIER = 'db-f1-micro'\n"
        "config = pulumi.Config()\n"
        "gcp.sql.DatabaseInstance(\n"
        "    'main',\n"
        "    gcp.sql.DatabaseInstanceArgs(\n"
        "        settings={'tier': TIER, 'backup_configuration': {'enabled': False}},\n"
        "        deletion_protection=config.require_bool('protect', True),\n"
        "        name=f'db-{pulumi.get_stack()}',\n"
        "        labels={'x': '${literal}'},\n"
        "    ),\n"
        ")\n"
    )
    properties = _resources(text).path("main", "properties")
    assert properties is not None
    settings = properties.get("settings")
    assert settings is not None
    assert settings.to_python() == {"tier": "db-f1-micro", "backupConfiguration": {"enabled": False}}
    assert settings.get("tier").span.line == 8  # type: ignore[union-attr]  # where the name is used
    protection = properties.get("deletionProtection")
    assert protection is not None and protection.tag == EXPRESSION
    assert protection.text == "config.require_bool('protect', True)"
    assert properties.get("name").tag == EXPRESSION  # type: ignore[union-attr]
    assert properties.path("labels", "x").value == "$${literal}"  # type: ignore[union-attr]  # a literal, no interpolation


def test_a_spread_makes_every_property_unknown_and_a_resource_variable_a_reference() -> None:
    text = (
        "import pulumi_aws as aws\n"
        "settings = {}\n"
        "primary = aws.rds.Instance('primary', **settings)\n"
        "aws.rds.Instance('replica', replicate_source_db=primary.identifier)\n"
        "aws.rds.Instance('copy', replicate_source_db=primary.db_resource_id)\n"
        "for i in range(2):\n"
        "    aws.rds.Instance(f'shard-{i}', engine='postgres')\n"
    )
    resources = _resources(text)
    assert resources.path("primary", "properties").tag == EXPRESSION  # type: ignore[union-attr]
    assert resources.path("replica", "properties", "replicateSourceDb").value == "${primary.identifier}"  # type: ignore[union-attr]
    assert resources.path("copy", "properties", "replicateSourceDb").value == "${primary.dbResourceId}"  # type: ignore[union-attr]
    assert resources.get("f'shard-{i}'") is not None


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("config.get_bool('protect')", "${protect}"),
        ("pulumi.Config().require_int('retention')", "${retention}"),
        ("config.get_bool('protect', True)", None),
        ("config.get_secret('protect')", None),
        ("pulumi.Config('aws').get('region')", None),
        ("other.get_bool('protect')", None),
    ],
)
def test_a_config_value_without_a_default_is_read_as_yaml_reads_it(setting: str, expected: str | None) -> None:
    text = (
        "import pulumi\nimport pulumi_aws as aws\nconfig = pulumi.Config()\n"
        f"aws.rds.Instance('db', deletion_protection={setting})\n"
    )
    found = _resources(text).path("db", "properties", "deletionProtection")
    assert found is not None
    assert (found.value if found.tag != EXPRESSION else None) == expected
    assert found.text == setting  # what a message quotes


def test_a_resource_made_in_a_branch_on_the_stack_or_environment_is_left_out() -> None:
    text = (
        "import pulumi\n"
        "import pulumi_aws as aws\n"
        "STACK = pulumi.get_stack()\n"
        "IS_DEV = STACK == 'dev'\n"
        "if IS_DEV:\n"
        "    aws.rds.Instance('scratch', skip_final_snapshot=True)\n"
        "bucket = aws.s3.Bucket('b') if pulumi.get_stack() != 'prod' else aws.s3.Bucket('c')\n"
        "if pulumi.Config().get_bool('analytics'):\n"
        "    aws.rds.Instance('analytics', skip_final_snapshot=True)\n"
    )
    assert [key for key, _, _ in _resources(text).items()] == ["analytics"]


@pytest.mark.parametrize(
    ("project_file", "path", "expected"),
    [
        ("name: x\nruntime: python\n", "infra/__main__.py", True),
        ("name: x\nruntime: {name: python, options: {toolchain: uv}}\n", "infra/__main__.py", True),
        ("name: x\nruntime: python\n", "infra/database.py", True),
        ("name: x\nruntime: python\n", "infra/test_database.py", False),
        ("name: x\nruntime: nodejs\n", "infra/__main__.py", False),
        ("name: x\nruntime: python\nmain: src/\n", "infra/src/__main__.py", True),
        ("name: x\nruntime: python\nmain: src/\n", "infra/__main__.py", False),
        ("name: x\nruntime: python\nmain: app.py\n", "infra/app.py", True),
        ("name: x\nruntime: python\nmain: app.py\n", "infra/other.py", False),
    ],
)
def test_a_python_file_is_a_program_by_its_project_file(
    tmp_path: Path, project_file: str, path: str, expected: bool
) -> None:
    (tmp_path / "infra" / "src").mkdir(parents=True)
    (tmp_path / "infra" / "Pulumi.yaml").write_text(project_file)
    (tmp_path / path).write_text("import pulumi\n")
    assert is_program(path, Project(tmp_path, tmp_path, 1 << 20)) is expected


_PROGRAM = "import pulumi_aws as aws\n\naws.rds.Instance('db', deletion_protection=True, skip_final_snapshot=True)\n"


def _scan(root: Path) -> ScanResult:
    return Engine(Settings(rules=all_rules(), jobs=1, use_cache=True), cwd=root).scan([Path(".")])


def test_findings_land_on_the_python_line_and_follow_the_project_file(repo: Callable[[dict[str, str]], Path]) -> None:
    root = repo({"infra/Pulumi.yaml": "name: shop\nruntime: nodejs\n", "infra/__main__.py": _PROGRAM})
    assert not [f for f in _scan(root).findings if f.rule_id == "DO051"]
    (root / "infra" / "Pulumi.yaml").write_text("name: shop\nruntime: python\n")
    found = [(f.path, f.span.line, f.span.column) for f in _scan(root).findings if f.rule_id == "DO051"]
    assert found == [("infra/__main__.py", 3, 70)]


def test_a_suppression_comment_in_the_python_file_covers_a_program_finding(
    repo: Callable[[dict[str, str]], Path],
) -> None:
    text = _PROGRAM.replace("\naws.", "\n# guardrails: ignore[DO051] reason: throwaway demo\naws.")
    root = repo({"Pulumi.yaml": "name: shop\nruntime: python\n", "__main__.py": text})
    found = [f for f in _scan(root).findings if f.rule_id == "DO051"]
    assert len(found) == 1 and found[0].suppressed
