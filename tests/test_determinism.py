"""The same input gives byte-identical machine reports: run to run, and whatever the
order files are met in. Baselines, caches and CI diffs rely on it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import REPO, run_cli

MACHINE_FORMATS = ("json", "sarif")


def _help() -> str:
    return run_cli("scan", "--help").stdout


@pytest.mark.parametrize("fmt", [f for f in MACHINE_FORMATS if re.search(rf"\b{f}\b", _help())])
def test_reports_are_byte_identical_across_runs(fmt: str) -> None:
    first = run_cli("scan", "-f", fmt, "fixtures", cwd=REPO)
    second = run_cli("scan", "-f", fmt, "fixtures", cwd=REPO)
    assert first.returncode == second.returncode == 1, first.stderr
    assert len(first.stdout) > 10_000
    assert first.stdout == second.stdout


def test_argument_order_does_not_change_the_report() -> None:
    """Findings are sorted by path and position, never by discovery order."""
    dirs = ["fixtures/secrets", "fixtures/exposure", "fixtures/robust"]
    forward = run_cli("scan", "-f", "json", *dirs, cwd=REPO)
    backward = run_cli("scan", "-f", "json", *reversed(dirs), cwd=REPO)
    assert forward.stdout == backward.stdout


def test_jobs_do_not_change_the_report() -> None:
    if "--jobs" not in _help():
        pytest.skip("no --jobs option on this version of guardrails scan")
    reports = {
        jobs: run_cli("scan", "-f", "json", "--jobs", str(jobs), "fixtures", cwd=REPO).stdout for jobs in (1, 2, 4)
    }
    assert reports[1] == reports[2] == reports[4]
    if re.search(r"\bsarif\b", _help()):
        sarif = {
            jobs: run_cli("scan", "-f", "sarif", "--jobs", str(jobs), "fixtures", cwd=REPO).stdout for jobs in (1, 4)
        }
        assert sarif[1] == sarif[4]


def test_paths_in_two_repositories_are_reported_from_the_same_base_in_either_order(tmp_path: Path) -> None:
    """Report paths are relative to one repository whatever the order: the first in sorted order."""
    compose = "services:\n  db:\n    image: mongo:7\n    ports: ['27017:27017']\n"
    for name in ("alpha", "beta"):
        (tmp_path / name / ".git").mkdir(parents=True)
        (tmp_path / name / "docker-compose.yml").write_text(compose, encoding="utf-8")
    a, b = str(tmp_path / "alpha" / "docker-compose.yml"), str(tmp_path / "beta" / "docker-compose.yml")
    forward = run_cli("scan", "-f", "json", a, b, cwd=tmp_path)
    backward = run_cli("scan", "-f", "json", b, a, cwd=tmp_path)
    assert forward.stdout == backward.stdout
    paths = {finding["path"] for finding in json.loads(forward.stdout)["findings"]}
    assert paths == {"docker-compose.yml", "../beta/docker-compose.yml"}
