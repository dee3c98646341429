"""Destructive-operation rules on infrastructure (DO050-DO099): fixtures, incidents, facts."""

from __future__ import annotations

from pathlib import Path

import pytest

from guardrails.engine import Engine, Settings
from guardrails.facts.environments import names_production
from guardrails.registry import all_rules
from guardrails.rule import Rule
from guardrails.testing import score_fixtures

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures"


def infra_rules() -> tuple[type[Rule], ...]:
    return tuple(r for r in all_rules() if r.id.startswith("DO") and 50 <= int(r.id[2:]) <= 99)


def test_fixtures_precision_and_recall(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every annotated line is reported and nothing else, for every infrastructure rule."""
    monkeypatch.chdir(REPO)
    scores = score_fixtures(Path("fixtures/destructive-iac"), infra_rules())
    problems = {
        k: (v.false_positives, v.false_negatives) for k, v in scores.items() if v.false_positives or v.false_negatives
    }
    assert not problems
    assert all(s.precision == 1.0 and s.recall == 1.0 for s in scores.values())
    covered = {k for k, v in scores.items() if v.true_positives}
    assert covered == {r.id for r in infra_rules()}, "every rule needs a bad fixture"


def test_aws_elb_2012_replica_is_flagged_and_its_fix_is_clean(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    bad = score_fixtures(Path("fixtures/incidents/aws-elb-2012"), all_rules(), "destructive-operation")
    assert bad["DO060"].true_positives == 1
    assert all(s.precision == 1.0 and s.recall == 1.0 for s in bad.values())
    fixed = Engine(Settings(rules=infra_rules())).scan([FIXTURES / "incidents" / "aws-elb-2012-fixed"])
    assert fixed.findings == []


def _scan(repo, files: dict[str, str], rule_id: str):  # type: ignore[no-untyped-def]
    root = repo(files)
    rules = tuple(r for r in all_rules() if r.id == rule_id)
    return Engine(Settings(rules=rules), cwd=root).scan([Path(".")]).findings


def test_variable_message_names_the_variable_and_its_default(repo) -> None:  # type: ignore[no-untyped-def]
    findings = _scan(
        repo,
        {
            "db.tf": 'resource "aws_db_instance" "db" {\n  deletion_protection = var.protect\n}\n',
            "variables.tf": 'variable "protect" {\n  default = false\n}\n',
        },
        "DO050",
    )
    assert [(f.span.line, f.anchor) for f in findings] == [(2, "aws_db_instance.db.deletion_protection")]
    assert "var.protect default (variables.tf:2)" in findings[0].message


def test_production_tfvars_decides_over_the_default(repo) -> None:  # type: ignore[no-untyped-def]
    files = {
        "s3.tf": 'resource "aws_s3_bucket" "b" {\n  force_destroy = var.fd\n}\n',
        "variables.tf": 'variable "fd" {\n  default = false\n}\n',
        "production.tfvars": "fd = true\n",
        "dev.tfvars": "fd = false\n",
    }
    findings = _scan(repo, files, "DO055")
    assert len(findings) == 1 and "production.tfvars" in findings[0].message


def test_count_resource_reported_once(repo) -> None:  # type: ignore[no-untyped-def]
    tf = 'resource "aws_dynamodb_table" "t" {\n  count = 3\n  name  = "t-${count.index}"\n}\n'
    assert len(_scan(repo, {"t.tf": tf}, "DO053")) == 1


def test_plan_severity_is_critical_for_databases_and_high_for_buckets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    rules = tuple(r for r in all_rules() if r.id == "DO057")
    findings = Engine(Settings(rules=rules)).scan([Path("fixtures/destructive-iac/plan")]).findings
    by_anchor = {f.anchor: f.severity.label for f in findings}
    assert by_anchor["aws_db_instance.orders"] == "critical"
    assert by_anchor["aws_s3_bucket.exports"] == "high"


def test_gitlab_terraform_destroy_is_critical(repo) -> None:  # type: ignore[no-untyped-def]
    ci = "destroy-prod:\n  script:\n    - terraform destroy -auto-approve\n"
    findings = _scan(repo, {".gitlab-ci.yml": ci}, "DO060")
    assert [(f.span.line, f.severity.label) for f in findings] == [(3, "critical")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("prod.tfvars", True),
        ("envs/production/data", True),
        ("deploy-prd", True),
        ("apply:production", True),
        ("preprod.tfvars", False),
        ("non-prod", False),
        ("pre_prod", False),
        ("product-catalog", False),
        ("reproduce", False),
        ("staging", False),
    ],
)
def test_names_production(text: str, expected: bool) -> None:
    assert names_production(text) is expected


def test_a_linked_environment_directory_binds_its_variable_files(tmp_path: Path) -> None:
    """``envs -> ../shared/ledger-envs``: the module's production values kept elsewhere in the
    repository are read through the link; a link leaving the repository is not followed."""
    (tmp_path / ".git").mkdir()
    module = tmp_path / "ledger"
    module.mkdir()
    module.joinpath("main.tf").write_text(
        'variable "skip_snapshot" {\n  default = false\n}\n\n'
        'resource "aws_db_instance" "ledger" {\n  identifier          = "ledger"\n'
        "  skip_final_snapshot = var.skip_snapshot\n  deletion_protection = true\n}\n",
        encoding="utf-8",
    )
    shared = tmp_path / "shared" / "ledger-envs"
    shared.mkdir(parents=True)
    shared.joinpath("prod.tfvars").write_text("skip_snapshot = true\n", encoding="utf-8")
    (module / "envs").symlink_to(Path("..") / "shared" / "ledger-envs")
    engine = Engine(Settings(rules=all_rules(), use_cache=False), cwd=tmp_path)
    found = [(f.rule_id, f.path, f.span.line) for f in engine.scan([module]).findings]
    assert ("DO051", "ledger/main.tf", 7) in found

    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir()
    outside.joinpath("prod.tfvars").write_text("skip_snapshot = true\n", encoding="utf-8")
    (module / "envs").unlink()
    (module / "envs").symlink_to(outside)
    found = [(f.rule_id, f.path, f.span.line) for f in engine.scan([module]).findings]
    assert ("DO051", "ledger/main.tf", 7) not in found
