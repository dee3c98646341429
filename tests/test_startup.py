"""Start-up stays lean: a YAML-only run imports no libcst, tree-sitter-hcl or hcl2."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO

PROBE = """
import sys, runpy
sys.argv = ["guardrails", "scan", {path!r}]
try:
    runpy.run_module("guardrails", run_name="__main__")
except SystemExit:
    pass
HEAVY = ("libcst", "tree_sitter_hcl", "hcl2", "sqlparse", "tree_sitter_bash")
heavy = sorted(m for m in sys.modules if m.split(".")[0] in HEAVY)
print("HEAVY", heavy)
print("RULES", sorted(m.split(".")[-1] for m in sys.modules if m.startswith("guardrails.rules.") and m.count(".") == 3))
"""


def test_yaml_only_scan_imports_no_heavy_parser(tmp_path) -> None:  # type: ignore[no-untyped-def]
    compose = tmp_path / "docker-compose.yml"
    compose.write_text("services:\n  db:\n    image: postgres:16\n    environment: [POSTGRES_PASSWORD=x]\n")
    proc = subprocess.run(
        [sys.executable, "-c", PROBE.format(path=str(compose))], capture_output=True, text=True, cwd=REPO, timeout=60
    )
    heavy_line = [line for line in proc.stdout.splitlines() if line.startswith("HEAVY")]
    assert heavy_line == ["HEAVY []"], proc.stdout + proc.stderr
    # Only the rules that read compose files (or failures) are imported, not the whole catalog.
    rules_line = next(line for line in proc.stdout.splitlines() if line.startswith("RULES"))
    assert "compose_datastore_port" in rules_line, rules_line
    for unrelated in ("zone_short_ttl", "python_redis_flush", "tf_s3_force_destroy", "shell_dropdb"):
        assert unrelated not in rules_line, rules_line


def test_a_workflow_reads_its_shell_without_the_grammar_packages_resources(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """tree-sitter-bash's __init__ imports importlib.resources (tempfile, random, shutil) for a
    highlighting query: the grammar's compiled module is loaded without it."""
    workflow = tmp_path / ".github" / "workflows" / "deploy.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text(
        "on: push\njobs:\n  d:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: terraform apply -auto-approve -var-file=prod.tfvars\n"
    )
    probe = PROBE.replace('"scan", {path!r}', '"scan", "--no-cache", {path!r}') + (
        'print("LOADED", sorted(m for m in ("importlib.resources", "tempfile", "tree_sitter") if m in sys.modules))\n'
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe.format(path=str(tmp_path))], capture_output=True, text=True, cwd=REPO, timeout=60
    )
    assert "DO060" in proc.stdout, proc.stdout + proc.stderr
    assert "LOADED ['tree_sitter']" in proc.stdout, proc.stdout + proc.stderr
