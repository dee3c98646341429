"""The benchmark harness runs end to end (one run per command, no peers): not a timing test."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO


def test_benchmark_runner_dry_run(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    args = ["--dry-run", "--cases", "single,terraform", "--tf-files", "20", "--checkov", "none", "--trivy", "none"]
    proc = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "run.py"), *args, "--work", str(tmp_path), "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(out.read_text())
    assert report["dry_run"] is True
    assert {"date", "cores"} <= set(report["machine"])
    names = [case["name"] for case in report["cases"]]
    assert len(names) == 5 and names[-1] == "Terraform repository (20 .tf files)"
    assert len(list((tmp_path / "terraform-20").rglob("*.tf"))) == 20
    for case in report["cases"]:
        assert any(s.startswith("checkov: not installed") for s in case["skipped"])
        for measure in case["results"].values():
            assert measure["median_s"] > 0 and measure["runs"] == 1
            assert measure["exit_codes"][0] in (0, 1)
    terraform = report["cases"][-1]["results"]
    assert set(terraform) == {"guardrails cold", "guardrails warm", "guardrails cold -j1"}
    assert "skipped checkov: not installed" in proc.stdout
