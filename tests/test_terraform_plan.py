"""A plan's end state judged by the Terraform rules: unknown and sensitive values stay unknown,
deletions stay DO057's, findings name the instance address, and a plan beside `.tf` files is
judged on its own."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from guardrails.documents import Block, Expr, PlanDocument
from guardrails.engine import Engine, ScanResult, Settings
from guardrails.model import Kind
from guardrails.parsers import parse
from guardrails.parsers.terraform_plan import split_address
from guardrails.registry import all_rules
from tests.conftest import REPO, run_cli

PLANS = REPO / "fixtures" / "destructive-iac" / "plan"
SECRET = "correct-horse-battery-staple-1"  # the fixtures' fake password, marked sensitive


def _change(address: str, actions: list[str], after: Any, **change: Any) -> dict[str, Any]:
    kind, name = address.split("[", 1)[0].split(".")[-2:]
    entry: dict[str, Any] = {"address": address, "mode": change.pop("mode", "managed"), "type": kind, "name": name}
    entry["change"] = {"actions": actions, "before": None, "after": after, **change}
    return entry


def _plan(*changes: dict[str, Any]) -> PlanDocument:
    text = json.dumps({"format_version": "1.2", "terraform_version": "1.9.5", "resource_changes": changes}, indent=2)
    doc = parse("tfplan.json", text, Kind.TERRAFORM_PLAN)
    assert isinstance(doc, PlanDocument)
    return doc


def _exprs(block: Block) -> Iterator[Expr]:
    for attr in block.attributes.values():
        stack = [attr.expr]
        while stack:
            expr = stack.pop()
            yield expr
            stack.extend(expr.value.values() if expr.kind == "object" else expr.value if expr.kind == "tuple" else [])
    for child in block.blocks:
        yield from _exprs(child)


def test_the_end_state_is_read_with_unknown_and_sensitive_values_left_unknown() -> None:
    doc = _plan(
        _change(
            "module.db.aws_db_instance.this[0]",
            ["create"],
            {"deletion_protection": False, "password": SECRET, "replicate_source_db": None, "tags": {"env": "prod"}},
            after_unknown={"id": True, "tags": {}},
            after_sensitive={"password": True},
        )
    )
    (block,) = doc.blocks
    assert block.address == "module.db.aws_db_instance.this[0]" and block.labels == ["aws_db_instance", "this"]
    assert block.attributes["deletion_protection"].expr.literal() is False
    assert block.attributes["tags"].expr.literal() == {"env": "prod"}
    assert (block.attributes["id"].expr.kind, block.attributes["id"].expr.text) == ("other", "(known after apply)")
    assert (block.attributes["password"].expr.kind, block.attributes["password"].expr.text) == ("other", "(sensitive)")
    assert all(SECRET not in expr.text for expr in _exprs(block))
    assert "replicate_source_db" not in block.attributes and "replicate_source_db" in block.unset
    assert (
        block.attributes["deletion_protection"].span.line
        == doc.text.splitlines().index(next(line for line in doc.text.splitlines() if '"deletion_protection"' in line))
        + 1
    )


def test_nested_blocks_unset_lists_and_references_by_known_id() -> None:
    database = {"id": "main", "vpc_security_group_ids": ["sg-0123"], "timeouts": []}
    group = {"id": "sg-0123", "ingress": [{"cidr_blocks": ["0.0.0.0/0"], "from_port": 5432, "to_port": 5432}]}
    doc = _plan(
        _change("aws_security_group.db", ["no-op"], group),
        _change("aws_db_instance.main", ["update"], database),
    )
    group_block, db = doc.blocks
    assert [b.type for b in group_block.blocks] == ["ingress"]
    assert group_block.blocks[0].get("from_port").expr.literal() == 5432  # type: ignore[union-attr]
    (item,) = db.attributes["vpc_security_group_ids"].expr.value
    assert (item.kind, item.value, item.text) == ("reference", "aws_security_group.db.id", '"sg-0123"')
    assert "timeouts" in db.unset


def _configured(references: list[str]) -> PlanDocument:
    """A new group and a database whose group ids are known only after the apply."""
    group = _change("module.db.aws_security_group.this", ["create"], {"ingress": []}, after_unknown={"id": True})
    database = _change("module.db.aws_db_instance.this", ["create"], {}, after_unknown={"vpc_security_group_ids": True})
    group["module_address"] = database["module_address"] = "module.db"
    written = {"vpc_security_group_ids": {"references": references}}
    resources = [{"address": "aws_security_group.this"}, {"address": "aws_db_instance.this", "expressions": written}]
    configuration = {"root_module": {"module_calls": {"db": {"module": {"resources": resources}}}}}
    text = json.dumps({"format_version": "1.2", "resource_changes": [group, database], "configuration": configuration})
    doc = parse("tfplan.json", text, Kind.TERRAFORM_PLAN)
    assert isinstance(doc, PlanDocument)
    return doc


def test_a_value_known_after_apply_reads_the_one_resource_its_expression_names() -> None:
    linked = _configured(["aws_security_group.this.id", "aws_security_group.this"])
    expr = linked.blocks[1].attributes["vpc_security_group_ids"].expr
    assert (expr.kind, expr.value) == ("reference", "module.db.aws_security_group.this.id")
    for references in (
        ["var.extra", "aws_security_group.this.id", "aws_security_group.this"],  # a variable could pick another
        ["module.sg.security_group_id", "module.sg"],
        ["aws_security_group.other.id", "aws_security_group.this.id"],
        ["aws_security_group.missing.id"],
    ):
        expr = _configured(references).blocks[1].attributes["vpc_security_group_ids"].expr
        assert (expr.kind, expr.text) == ("other", "(known after apply)"), references


@pytest.mark.parametrize(
    ("address", "steps"),
    [
        ('module.db["a.b"].aws_db_instance.this[0].id', ["module", 'db["a.b"]', "aws_db_instance", "this[0]", "id"]),
        ("aws_security_group.db", ["aws_security_group", "db"]),
    ],
)
def test_addresses_split_outside_keys(address: str, steps: list[str]) -> None:
    assert split_address(address) == steps


def test_what_the_plan_deletes_reads_or_forgets_is_not_in_the_end_state() -> None:
    doc = _plan(
        _change("aws_db_instance.gone", ["delete"], None, before={"deletion_protection": False}),
        _change("aws_db_instance.kept", ["forget"], None),
        _change("data.aws_db_instance.other", ["read"], {"deletion_protection": False}, mode="data"),
        _change("aws_db_instance.replaced", ["delete", "create"], {"deletion_protection": True}),
        _change("aws_db_instance.same", ["no-op"], {"deletion_protection": True}),
    )
    assert [b.address for b in doc.blocks] == ["aws_db_instance.replaced", "aws_db_instance.same"]


def _scan(root: Path, *paths: str) -> ScanResult:
    return Engine(Settings(rules=all_rules(), jobs=1, use_cache=False), cwd=root).scan([Path(p) for p in paths or "."])


def test_findings_name_the_instance_and_offer_no_fix() -> None:
    result = _scan(REPO, str(PLANS.relative_to(REPO) / "values-bad.json"))
    found = {(f.rule_id, f.span.line): f for f in result.findings}
    assert "module.db.aws_db_instance.this[0]" in found[("DO050", 134)].message
    assert found[("DO050", 134)].anchor == "module.db.aws_db_instance.this[0].deletion_protection"
    assert all(f.fix is None for f in result.findings)
    assert "aws_db_instance.legacy" not in " ".join(f.message for f in result.findings if f.rule_id != "DO057")


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "markdown"])
def test_a_sensitive_value_is_never_printed(fmt: str) -> None:
    proc = run_cli("scan", "--no-cache", "-f", fmt, str(PLANS.relative_to(REPO)), cwd=REPO)
    assert proc.returncode == 1, proc.stderr
    assert SECRET not in proc.stdout + proc.stderr


def test_a_plan_and_the_configuration_beside_it_are_judged_each_on_its_own(
    repo: Callable[[dict[str, str]], Path],
) -> None:
    """Facts built once per module are cached per plan, not per directory: whichever is read first."""
    tf = 'resource "aws_db_instance" "main" {\n  engine = "postgres"\n}\n'
    plan = json.dumps(
        {
            "format_version": "1.2",
            "terraform_version": "1.9.5",
            "resource_changes": [_change("aws_db_instance.main", ["create"], {"deletion_protection": True})],
        },
        indent=2,
    )
    for first, second in (("a.tf", "z.tfplan.json"), ("z.tf", "a.tfplan.json")):
        root = repo({first: tf, second: plan})
        found = [(f.path, f.rule_id) for f in _scan(root).findings if f.rule_id == "DO050"]
        assert found == [(first, "DO050")]
        (root / first).unlink()
        (root / second).unlink()
