"""The security-group module's tables against its own files in the shared corpus: the named
rules and groups of rules.tf, each input's default and line in variables.tf (root and every
generated sub-module), and that a call of the code on disk opens what the table says.
Skipped without the corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from guardrails.documents import TerraformDocument
from guardrails.facts.tf_registry import PublishedModule, security_groups
from guardrails.facts.tf_security_group import openings
from guardrails.facts.tf_sg_rules import GROUPS, RULES
from guardrails.model import Kind
from guardrails.parsers.hcl import parse
from guardrails.pipeline import load
from guardrails.project import Project
from tests.conftest import require_shared

_REPOSITORY = "terraform-aws-security-group"


def _document(path: Path) -> TerraformDocument:
    doc = load(path, path.name, 1 << 22).document
    assert isinstance(doc, TerraformDocument)
    return doc


def _defaults(doc: TerraformDocument) -> dict[str, tuple[object, int]]:
    found = {}
    for block in doc.blocks:
        default = block.get("default") if block.type == "variable" else None
        if default is not None:
            found[block.labels[0]] = (default.expr.literal(), default.span.line)
    return found


def test_named_rules_and_groups_match_rules_tf() -> None:
    realworld = require_shared("corpus", "realworld")
    declared = _defaults(_document(realworld / _REPOSITORY / "rules.tf"))
    rules, line = declared["rules"]
    assert line == 7
    assert isinstance(rules, dict)
    assert {k: (v[0], v[1], str(v[2])) for k, v in rules.items() if k != "_"} == RULES
    groups, line = declared["auto_groups"]
    assert line == 229
    assert isinstance(groups, dict)
    assert {k: tuple(v["ingress_rules"]) for k, v in groups.items()} == GROUPS


@pytest.mark.parametrize("table", [m for m in security_groups() if m.major == 5], ids=lambda m: m.source)
def test_inputs_match_the_module_variables(table: PublishedModule) -> None:
    realworld = require_shared("corpus", "realworld")
    _, _, sub = table.source.partition("//")
    declared = _defaults(_document(realworld / _REPOSITORY / (sub or ".") / "variables.tf"))
    for name, item in table.inputs.items():
        assert declared[name] == (item.default, item.line), name


def test_the_code_on_disk_opens_what_the_registry_table_opens() -> None:
    realworld = require_shared("corpus", "realworld")
    project = Project(realworld / _REPOSITORY, realworld / _REPOSITORY, 1 << 22)
    body = (
        '  ingress_cidr_blocks = ["0.0.0.0/0"]\n  ingress_rules = ["redis-tcp"]\n'
        '  ingress_with_cidr_blocks = [{ rule = "mysql-tcp", cidr_blocks = "0.0.0.0/0" }]\n'
    )
    found = {}
    for source in ("../modules/postgresql", "terraform-aws-modules/security-group/aws//modules/postgresql"):
        caller = parse("probe/main.tf", f'module "m" {{\n  source = "{source}"\n{body}}}\n', Kind.TERRAFORM)
        assert isinstance(caller, TerraformDocument)
        found[source] = sorted((o.input, o.rules, tuple(o.ports), o.span.line) for o in openings(caller, project))
    on_disk, table = found.values()
    assert on_disk == table
    named = ("ingress_rules with ingress_cidr_blocks", ("postgresql-tcp", "redis-tcp"), ((5432, 5432), (6379, 6379)), 3)
    assert named in table


def test_major_4_calls_use_only_the_rules_whose_ports_every_v4_release_shares() -> None:
    from guardrails.facts.tf_sg_rules import RULES, rules_of

    assert rules_of(5) == RULES
    assert "promtail-http" not in rules_of(4) and rules_of(4)["postgresql-tcp"] == RULES["postgresql-tcp"]


def test_older_majors_have_only_the_sub_modules_every_release_generates_alike() -> None:
    from guardrails.facts.tf_sg_rules import groups_of

    assert groups_of(5) == tuple(GROUPS)
    assert "consul" not in groups_of(4) and "postgresql" in groups_of(4) and "vault" in groups_of(4)
    assert "vault" not in groups_of(3) and {"mysql", "redis", "mongodb"} <= set(groups_of(3))
    majors = {m.major for m in security_groups() if m.source.endswith("//modules/postgresql")}
    assert majors == {3, 4, 5}
