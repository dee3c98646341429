"""Per-environment values: Terragrunt units as module callers, and variable files kept outside
a module's directory (docs/terraform.md)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from guardrails.engine import Engine, ScanResult, Settings
from guardrails.facts import terragrunt
from guardrails.facts.terragrunt import Unit, non_production
from guardrails.model import Kind, Span
from guardrails.parsers.hcl import parse
from guardrails.project import Project
from guardrails.registry import all_rules

CHILD = (
    'resource "aws_db_instance" "this" {\n'
    "  deletion_protection = var.deletion_protection\n"
    "}\n"
    'variable "deletion_protection" {\n'
    "  default = true\n"
    "}\n"
)


def scan(root: Path) -> ScanResult:
    return Engine(Settings(rules=all_rules(), jobs=1, use_cache=True), cwd=root).scan([Path(".")])


def _do050(result: ScanResult) -> list[tuple[str, int]]:
    return sorted((f.path, f.span.line) for f in result.findings if f.rule_id == "DO050")


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("tfr:///terraform-aws-modules/rds/aws?version=7.0.1", (None, "terraform-aws-modules/rds/aws", "7.0.1")),
        (
            "git::https://github.com/terraform-aws-modules/terraform-aws-security-group.git//modules/postgresql?ref=v5.1.0",
            (None, "terraform-aws-modules/security-group/aws//modules/postgresql", "5.1.0"),
        ),
        ("git::git@github.com:cloudposse/terraform-aws-rds.git?ref=1.1.0", (None, "cloudposse/rds/aws", "1.1.0")),
        ("git::git@github.com:acme/infrastructure-modules.git//mysql?ref=v1", (None, None, None)),
        ("../../../modules//rds", ("modules/rds", None, None)),
        ("git::../../..//modules/rds?ref=v2", (None, None, None)),  # another commit of this repository
    ],
)
def test_sources(source: str, expected: tuple[str | None, str | None, str | None], tmp_path: Path) -> None:
    (tmp_path / "live/prod/rds").mkdir(parents=True)
    project = Project(tmp_path, tmp_path, 1 << 20)
    found = Unit(parse("x", "", Kind.TERRAFORM), Span.point(1))
    terragrunt._classify(found, source, str(tmp_path / "live/prod/rds"), project)
    assert (found.directory, found.registry, found.version) == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("non-prod/us-east-1/qa/mysql/terragrunt.hcl", True),
        ("live/dev/rds/terragrunt.hcl", True),
        ("accounts/docs-rs-staging/app/terragrunt.hcl", True),
        ("prod/us-east-1/prod/mysql/terragrunt.hcl", False),
        ("live/prod/rds/terragrunt.hcl", False),
        ("infrastructure-live/rds/terragrunt.hcl", False),
    ],
)
def test_non_production_units(path: str, expected: bool) -> None:
    assert non_production(path) is expected


UNIT = (
    'include "root" {\n  path = find_in_parent_folders("root.hcl")\n}\n'
    'terraform {\n  source = "${get_repo_root()}/modules/db"\n}\n'
    'inputs = {\n  name = "orders"\n}\n'
)


def test_an_included_input_is_reported_on_the_include(repo: Callable[[dict[str, str]], Path]) -> None:
    root = repo(
        {
            "modules/db/main.tf": CHILD,
            "live/root.hcl": "inputs = {\n  deletion_protection = false\n}\n",
            "live/prod/db/terragrunt.hcl": UNIT,
        }
    )
    result = scan(root)
    assert _do050(result) == [("live/prod/db/terragrunt.hcl", 1)]
    (finding,) = [f for f in result.findings if f.rule_id == "DO050"]
    assert "live/root.hcl:2" in finding.message
    assert finding.related == [{"path": "modules/db/main.tf", "line": 1, "resource": "aws_db_instance.this"}]


def test_no_merge_keeps_the_parent_inputs_out(repo: Callable[[dict[str, str]], Path]) -> None:
    unit = UNIT.replace("}\nterraform", '  merge_strategy = "no_merge"\n}\nterraform', 1)
    root = repo(
        {
            "modules/db/main.tf": CHILD,
            "live/root.hcl": "inputs = {\n  deletion_protection = false\n}\n",
            "live/prod/db/terragrunt.hcl": unit,
        }
    )
    assert _do050(scan(root)) == []


def test_an_unreadable_include_leaves_every_variable_unknown(repo: Callable[[dict[str, str]], Path]) -> None:
    child = CHILD.replace("default = true", "default = false")
    unit = UNIT.replace('find_in_parent_folders("root.hcl")', 'get_env("ROOT")')
    root = repo({"modules/db/main.tf": child, "live/prod/db/terragrunt.hcl": unit})
    assert _do050(scan(root)) == []  # the include may set it: neither the unit nor the child is judged


def test_editing_an_included_file_moves_a_cached_finding(repo: Callable[[dict[str, str]], Path]) -> None:
    root = repo(
        {
            "modules/db/main.tf": CHILD,
            "live/root.hcl": "inputs = {\n  deletion_protection = true\n}\n",
            "live/prod/db/terragrunt.hcl": UNIT,
        }
    )
    assert _do050(scan(root)) == []
    (root / "live/root.hcl").write_text("inputs = {\n  deletion_protection = false\n}\n", encoding="utf-8")
    assert _do050(scan(root)) == [("live/prod/db/terragrunt.hcl", 1)]


STACK = (
    'variable "protect" {\n  default = true\n}\n'
    'resource "aws_db_instance" "main" {\n  deletion_protection = var.protect\n}\n'
)


def test_a_var_file_named_by_a_workflow_step(repo: Callable[[dict[str, str]], Path]) -> None:
    workflow = (
        "on: push\njobs:\n  plan:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: terraform plan -var-file=../envs/prod.tfvars\n        working-directory: stack\n"
    )
    root = repo(
        {
            "stack/main.tf": STACK,
            "envs/prod.tfvars": "protect = false\n",
            ".github/workflows/plan.yml": workflow,
        }
    )
    result = scan(root)
    assert _do050(result) == [("stack/main.tf", 5)]
    (finding,) = [f for f in result.findings if f.rule_id == "DO050"]
    assert "../envs/prod.tfvars, passed with -var-file in .github/workflows/plan.yml:6" in finding.message


def test_a_script_read_two_ways_binds_nothing(repo: Callable[[dict[str, str]], Path]) -> None:
    """Run from the repository root or from its own directory, the script applies a different module."""
    script = "#!/bin/sh\nterraform -chdir=stack apply -var-file=prod.tfvars.d/prod.tfvars\n"
    root = repo(
        {
            "stack/main.tf": STACK,
            "stack/prod.tfvars.d/prod.tfvars": "protect = false\n",
            "ops/stack/main.tf": STACK,
            "ops/stack/prod.tfvars.d/prod.tfvars": "protect = false\n",
            "ops/deploy.sh": script,
        }
    )
    assert _do050(scan(root)) == []


def test_a_new_var_file_command_moves_a_cached_finding(repo: Callable[[dict[str, str]], Path]) -> None:
    root = repo({"stack/main.tf": STACK, "envs/prod.tfvars": "protect = false\n"})
    assert _do050(scan(root)) == []
    (root / "Makefile").write_text("plan:\n\tterraform -chdir=stack plan -var-file=../envs/prod.tfvars\n")
    assert _do050(scan(root)) == [("stack/main.tf", 5)]


def test_an_exposed_include_and_a_read_config_are_evaluated(repo: Callable[[dict[str, str]], Path]) -> None:
    common = 'locals {\n  env     = read_terragrunt_config(find_in_parent_folders("env.hcl"))\n'
    common += '  protect = local.env.locals.name == "production"\n}\n'
    unit = (
        'include "common" {\n  path   = "${get_repo_root()}/_common/db.hcl"\n  expose = true\n}\n'
        'terraform {\n  source = "${get_repo_root()}/modules/db"\n}\n'
        "inputs = {\n  deletion_protection = include.common.locals.protect\n}\n"
    )
    root = repo(
        {
            "modules/db/main.tf": CHILD,
            "_common/db.hcl": common,
            "prod/env.hcl": 'locals {\n  name = "prod"\n}\n',
            "prod/db/terragrunt.hcl": unit,
        }
    )
    assert _do050(scan(root)) == [("prod/db/terragrunt.hcl", 9)]


def test_a_config_that_reads_itself_ends(repo: Callable[[dict[str, str]], Path]) -> None:
    reads = "\n".join(f'  r{i} = read_terragrunt_config("${{get_terragrunt_dir()}}/../loop.hcl")' for i in range(8))
    root = repo(
        {
            "modules/db/main.tf": CHILD,
            "live/loop.hcl": f"locals {{\n{reads}\n}}\ninputs = local.r0.inputs\n",
            "live/prod/terragrunt.hcl": (
                'include "loop" {\n  path = "../loop.hcl"\n}\nterraform {\n  source = "../../modules/db"\n}\n'
            ),
        }
    )
    assert _do050(scan(root)) == []  # the loop's inputs are unknown: every variable of the unit is
