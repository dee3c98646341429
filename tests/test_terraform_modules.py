"""The module-aware Terraform evaluator: expressions, module calls, downloaded modules,
and a warm cache that notices a new caller."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from guardrails.engine import Engine, ScanResult, Settings
from guardrails.facts.terraform import Module
from guardrails.model import Kind
from guardrails.parsers.hcl import parse
from guardrails.registry import all_rules

CHILD = (
    'resource "aws_db_instance" "this" {\n'
    "  deletion_protection = var.deletion_protection\n"
    "}\n"
    'variable "deletion_protection" {\n'
    "  default = false\n"
    "}\n"
)


def _value(source: str, name: str = "x") -> tuple[object, bool]:
    doc = parse("main.tf", source, Kind.TERRAFORM)
    module = Module([doc], ".")
    found = module.resolve(doc.blocks[-1].attributes[name].expr)
    return found.value, found.known


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('var.env == "prod" ? false : true', (False, True)),
        ("var.retention != null ? var.retention : 7", (7, True)),
        ("coalesce(var.retention, 1)", (1, True)),
        ("lookup(local.days, var.env, 30)", (0, True)),
        ('lookup(local.days, "dev", 30)', (30, True)),
        ('merge(local.days, { qa = 2 })["qa"]', (None, False)),  # an index on a call: not evaluated
        ("!var.protect && true", (True, True)),
        ("local.days.prod + 1", (1, True)),
        ("try(var.missing, false)", (None, False)),
        ("each.value.protect", (None, False)),
        ('var.env == "prod" && var.unset', (None, False)),
        ('var.env != "prod" && var.unset', (False, True)),
        ("(var.retention)", (None, True)),
    ],
)
def test_expressions_are_evaluated_or_left_unknown(expression: str, expected: tuple[object, bool]) -> None:
    source = (
        'variable "env" {\n  default = "prod"\n}\n'
        'variable "retention" {\n  default = null\n}\n'
        'variable "protect" {\n  default = false\n}\n'
        'variable "unset" {}\n'
        "locals {\n  days = { prod = 0 }\n}\n"
        f"locals {{\n  x = {expression}\n}}\n"
    )
    assert _value(source) == expected


def scan(root: Path) -> ScanResult:
    return Engine(Settings(rules=all_rules(), jobs=1, use_cache=True), cwd=root).scan([Path(".")])


def _do050(result: ScanResult) -> list[tuple[str, int]]:
    return sorted((f.path, f.span.line) for f in result.findings if f.rule_id == "DO050")


def test_a_child_called_from_two_places_is_judged_per_call(repo: Callable[[dict[str, str]], Path]) -> None:
    root = repo(
        {
            "modules/db/main.tf": CHILD,
            "api/main.tf": 'module "db" {\n  source              = "../modules/db"\n  deletion_protection = true\n}\n',
            "web/main.tf": 'module "db" {\n  source              = "../modules/db"\n  deletion_protection = false\n}\n',
        }
    )
    result = scan(root)
    assert _do050(result) == [("web/main.tf", 3)]
    (finding,) = [f for f in result.findings if f.rule_id == "DO050"]
    assert finding.related == [{"path": "modules/db/main.tf", "line": 1, "resource": "module.db.aws_db_instance.this"}]
    assert finding.anchor == "module.db.aws_db_instance.this.deletion_protection"


def test_a_root_per_environment_is_judged_in_production_only(repo: Callable[[dict[str, str]], Path]) -> None:
    call = 'module "db" {\n  source              = "../modules/db"\n  deletion_protection = false\n}\n'
    root = repo({"modules/db/main.tf": CHILD, "prod/main.tf": call, "dev/main.tf": call})
    assert _do050(scan(root)) == [("prod/main.tf", 3)]


def test_an_unsafe_default_no_caller_sets_stays_in_the_child(repo: Callable[[dict[str, str]], Path]) -> None:
    root = repo({"modules/db/main.tf": CHILD, "app/main.tf": 'module "db" {\n  source = "../modules/db"\n}\n'})
    assert _do050(scan(root)) == [("modules/db/main.tf", 2)]


def test_a_new_caller_setting_the_variable_moves_a_cached_finding(repo: Callable[[dict[str, str]], Path]) -> None:
    root = repo({"modules/db/main.tf": CHILD})
    assert _do050(scan(root)) == [("modules/db/main.tf", 2)]
    caller = 'module "db" {\n  source              = "../modules/db"\n  deletion_protection = true\n}\n'
    (root / "app").mkdir()
    (root / "app/main.tf").write_text(caller, encoding="utf-8")
    assert _do050(scan(root)) == []


def test_modules_downloaded_by_terraform_init_are_evaluated(repo: Callable[[dict[str, str]], Path]) -> None:
    modules = {"Modules": [{"Key": "", "Source": "", "Dir": "."}, {"Key": "db", "Dir": ".terraform/modules/db"}]}
    root = repo(
        {
            "live/main.tf": (
                'module "db" {\n  source              = "terraform-aws-modules/rds/aws"\n'
                "  deletion_protection = false\n}\n"
            ),
            "live/.terraform/modules/modules.json": json.dumps(modules),
            "live/.terraform/modules/db/main.tf": CHILD,
        }
    )
    assert _do050(scan(root)) == [("live/main.tf", 3)]


def test_coalesce_and_lookup_keep_the_origin_of_what_chose_their_value() -> None:
    """A tfvars ``null`` that coalesce passes over, a tfvars map without the key that lookup
    falls back from: the value is the literal, and the finding names the file that chose it."""
    fixture = Path(__file__).resolve().parent.parent / "fixtures" / "destructive-iac" / "terraform" / "tfvars-functions"
    result = Engine(Settings(rules=all_rules(), jobs=1, use_cache=False), cwd=fixture).scan([Path(".")])
    found = {f.span.line: f.message for f in result.findings if f.rule_id == "DO050"}
    assert set(found) == {20, 29}
    assert "(from var.protect in tfvars (terraform.tfvars:1))" in found[20]
    assert "(from var.protection in tfvars (terraform.tfvars:2))" in found[29]
