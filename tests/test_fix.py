"""Fixes: what they promise, checked over every rule's bad examples and the fixture tree.

For each, every fix offered (safe and unsafe) is applied; then the fixed files parse with
the same parser, each fixed finding is gone and no finding appears that was not there,
a second run changes nothing, and the lines outside the edits are the same bytes.
"""

from __future__ import annotations

import difflib
import json
import shutil
from pathlib import Path

import jsonschema
import pytest

from guardrails import fix
from guardrails.engine import Engine, Settings
from guardrails.model import Finding, Safety
from guardrails.registry import all_rules
from guardrails.rule import Example, Rule
from tests.conftest import REPO, SHARED, require_shared, run_cli

RULES = tuple(all_rules())
FIXABLE = [
    pytest.param(rule, example, id=f"{rule.id}-bad-{i}")
    for rule in RULES
    if rule.fix_safety is not None
    for i, example in enumerate(rule.bad)
]


def _scan(root: Path) -> list[Finding]:
    return Engine(Settings(rules=RULES), cwd=root).scan([Path(".")]).findings


def _key(finding: Finding) -> tuple[str, str, str]:
    return finding.rule_id, finding.path, finding.anchor


def _check_fixes(root: Path) -> list[Finding]:
    """Apply every fix under ``root``, check the guarantees, return the findings fixed."""
    before = _scan(root)
    for finding in before:
        if finding.fix is not None:
            declared = next(r for r in RULES if r.id == finding.rule_id).fix_safety
            assert finding.fix.safety is declared, f"{finding.rule_id} offers a fix its metadata does not declare"
    plan = fix.plan(fix.fixable(before, unsafe=True), root)
    assert not plan.deferred, [f.message for f in plan.deferred]
    plan.write(root)
    after = _scan(root)
    changed = {c.path for c in plan.changes}
    unparseable = [f for f in after if f.rule_id in ("GR001", "GR000") and f.path in changed]
    assert not unparseable, [f.message for f in unparseable]
    remaining = {_key(f) for f in after}
    assert not remaining & {_key(f) for f in plan.fixed}, "a fixed finding is still reported"
    assert remaining <= {_key(f) for f in before}, f"new findings: {remaining - {_key(f) for f in before}}"
    again = fix.plan(fix.fixable(after, unsafe=True), root)
    assert not again.changes, again.diff()
    for change in plan.changes:
        edits = [e for f in plan.fixed for e in f.fix.edits if e.path == change.path]  # type: ignore[union-attr]
        _only_edited_lines_change(change, edits)
    return plan.fixed


def _only_edited_lines_change(change: fix.Change, edits: list) -> None:  # type: ignore[type-arg]
    old = change.before.decode("utf-8").splitlines(keepends=True)
    new = change.after.decode("utf-8").splitlines(keepends=True)
    touched = {line for e in edits for line in range(e.span.line - 1, e.span.end_line)}
    for op, i1, i2, _, _ in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "insert":
            assert i1 in touched or i1 - 1 in touched, f"{change.path}: insertion at line {i1 + 1} outside the edits"
        elif op != "equal":
            outside = [i + 1 for i in range(i1, i2) if i not in touched]
            assert not outside, f"{change.path}: lines {outside} changed outside the edits"


def _write(root: Path, example: Example) -> None:
    (root / ".git").mkdir()
    for rel, content in example.files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")


@pytest.mark.parametrize(("rule", "example"), FIXABLE)
def test_fixes_of_bad_examples_keep_their_promises(rule: type[Rule], example: Example, tmp_path: Path) -> None:
    _write(tmp_path, example)
    _check_fixes(tmp_path)


def test_every_fixing_rule_fixes_one_of_its_bad_examples(tmp_path: Path) -> None:
    for rule in (r for r in RULES if r.fix_safety is not None):
        fixed = []
        for i, example in enumerate(rule.bad):
            root = tmp_path / f"{rule.id}-{i}"
            root.mkdir()
            _write(root, example)
            fixed += [f for f in fix.fixable(_scan(root), unsafe=True) if f.rule_id == rule.id]
        assert fixed, f"{rule.id} declares a fix but fixes none of its bad examples"


def test_fixes_over_the_fixture_tree_keep_their_promises(tmp_path: Path) -> None:
    root = tmp_path / "fixtures"
    shutil.copytree(REPO / "fixtures", root)
    (root / ".git").mkdir()
    fixed = _check_fixes(root)
    assert {f.rule_id for f in fixed} >= {"DO050", "DO051", "ED001"}


TF = 'resource "aws_s3_bucket" "logs" {\n  bucket        = "logs"\n  force_destroy = true # for tests\n}\n'


def test_bytes_outside_the_edit_survive_crlf_and_bom(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    data = b"\xef\xbb\xbf" + TF.replace("\n", "\r\n").encode()
    (tmp_path / "main.tf").write_bytes(data)
    plan = fix.plan(fix.fixable(_scan(tmp_path), unsafe=False), tmp_path)
    [change] = plan.changes
    assert change.after == data.replace(b"force_destroy = true", b"force_destroy = false")


def test_a_value_from_a_variable_is_fixed_at_its_default_only_when_nothing_else_reads_it(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    variables = 'variable "wipe" {\n  default = true\n}\n'
    (tmp_path / "main.tf").write_text('resource "aws_s3_bucket" "a" {\n  force_destroy = var.wipe\n}\n')
    (tmp_path / "variables.tf").write_text(variables)
    [finding] = _scan(tmp_path)
    assert finding.fix is not None and [e.path for e in finding.fix.edits] == ["variables.tf"]
    (tmp_path / "other.tf").write_text('output "wipe" {\n  value = var.wipe\n}\n')
    [finding] = _scan(tmp_path)
    assert finding.fix is None, "var.wipe has another user: changing its default changes more than the finding"


def test_suppressed_findings_are_not_fixed_and_unsafe_fixes_wait_for_the_flag(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "docker-compose.yml").write_text('services:\n  db:\n    image: redis:7\n    ports: ["6379:6379"]\n')
    [finding] = _scan(tmp_path)
    assert finding.fix is not None and finding.fix.safety is Safety.UNSAFE
    assert fix.fixable([finding], unsafe=False) == []
    finding.suppressed = "accepted"
    assert fix.fixable([finding], unsafe=True) == []


def test_cli_diff_writes_nothing_and_fix_writes_then_reports_what_is_left(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "main.tf").write_text(TF)
    (tmp_path / "docker-compose.yml").write_text('services:\n  db:\n    image: redis:7\n    ports: ["6379:6379"]\n')
    diff = run_cli("scan", "--no-cache", "--diff", ".", cwd=tmp_path)
    assert diff.returncode == 1, diff.stderr
    assert "-  force_destroy = true # for tests\n+  force_destroy = false # for tests\n" in diff.stdout
    assert "6379" not in diff.stdout, "unsafe fixes wait for --unsafe-fixes"
    assert (tmp_path / "main.tf").read_text() == TF
    fixed = run_cli("scan", "--no-cache", "--fix", "-f", "concise", ".", cwd=tmp_path)
    assert "fixed 1 finding; 1 more with --unsafe-fixes" in fixed.stderr
    assert "ED001" in fixed.stdout and "DO055" not in fixed.stdout and fixed.returncode == 1
    unsafe = run_cli("scan", "--no-cache", "--fix", "--unsafe-fixes", ".", cwd=tmp_path)
    assert unsafe.returncode == 0, unsafe.stdout
    assert '"127.0.0.1:6379:6379"' in (tmp_path / "docker-compose.yml").read_text()
    clean = run_cli("scan", "--no-cache", "--diff", "--unsafe-fixes", ".", cwd=tmp_path)
    assert clean.returncode == 0 and clean.stdout == ""


def test_reports_carry_the_fix(tmp_path: Path) -> None:
    require_shared("schemas", "sarif-schema-2.1.0.json")
    (tmp_path / ".git").mkdir()
    (tmp_path / "main.tf").write_text(TF)
    report = json.loads(run_cli("scan", "--no-cache", "-f", "json", ".", cwd=tmp_path).stdout)
    jsonschema.validate(report, json.loads((REPO / "docs" / "output.schema.json").read_text(encoding="utf-8")))
    [finding] = report["findings"]
    assert finding["fix"]["safety"] == "safe"
    assert finding["fix"]["edits"] == [
        {"path": "main.tf", "line": 3, "column": 19, "end_line": 3, "end_column": 23, "replacement": "false"}
    ]
    sarif = json.loads(run_cli("scan", "--no-cache", "-f", "sarif", ".", cwd=tmp_path).stdout)
    schema = json.loads((SHARED / "schemas" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.validate(sarif, schema)
    [change] = sarif["runs"][0]["results"][0]["fixes"][0]["artifactChanges"]
    assert change["artifactLocation"]["uri"] == "main.tf"
    assert change["replacements"][0]["insertedContent"]["text"] == "false"


def test_the_attribute_inserted_is_the_one_the_resource_type_reads(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "main.tf").write_text(
        'resource "aws_db_instance" "main" {\n  engine = "postgres"\n}\n'
        'resource "aws_dynamodb_table" "jobs" {\n    name = "jobs"\n}\n'
    )
    fix.plan(fix.fixable(_scan(tmp_path), unsafe=False), tmp_path).write(tmp_path)
    assert (tmp_path / "main.tf").read_text() == (
        'resource "aws_db_instance" "main" {\n  engine = "postgres"\n  deletion_protection = true\n}\n'
        'resource "aws_dynamodb_table" "jobs" {\n    name = "jobs"\n    deletion_protection_enabled = true\n}\n'
    )


def test_a_module_input_is_fixed_in_the_call_when_the_module_reads_it_once(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "modules" / "db").mkdir(parents=True)
    (tmp_path / "modules" / "db" / "main.tf").write_text(
        'variable "protect" {\n  default = true\n}\n'
        'resource "aws_db_instance" "this" {\n  deletion_protection = var.protect\n}\n'
    )
    call = 'module "db" {\n  source  = "./modules/db"\n  protect = false\n}\n'
    (tmp_path / "main.tf").write_text(call)
    plan = fix.plan(fix.fixable(_scan(tmp_path), unsafe=False), tmp_path)
    assert [(c.path, c.after.decode()) for c in plan.changes] == [("main.tf", call.replace("false", "true"))]


def test_a_fix_never_writes_through_a_symbolic_link(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    outside = tmp_path.parent / f"{tmp_path.name}-outside.tf"
    outside.write_text(TF)
    (tmp_path / "main.tf").write_text(TF)
    findings = _scan(tmp_path)
    (tmp_path / "main.tf").unlink()
    (tmp_path / "main.tf").symlink_to(outside)
    plan = fix.plan(fix.fixable(findings, unsafe=False), tmp_path)
    assert not plan.changes and plan.deferred == findings


def test_explain_and_the_catalog_say_whether_a_rule_fixes() -> None:
    assert "safe, applied by `--fix`: sets `deletion_protection = true`" in run_cli("explain", "DO050").stdout
    assert "Automatic fix\n  none" in run_cli("explain", "DO001").stdout
    catalog = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    assert "AWS database without deletion protection (fix: safe)" in catalog
    assert "(fix: unsafe)" in catalog and "(fix: none)" in catalog
