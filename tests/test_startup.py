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
