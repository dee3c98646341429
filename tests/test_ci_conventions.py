"""The conventions CI users expect: SARIF as GitHub code scanning reads it, GitHub annotations
that are all workflow commands and no more than GitHub shows, text for people, packaging."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import REPO, SHARED, run_cli

COMPOSE = "services:\n  db:\n    image: mongo:7\n    ports:\n      - '27017:27017'\n"
SARIF_SCHEMA = SHARED / "schemas" / "sarif-schema-2.1.0.json"


def _compose_services(count: int) -> str:
    """``count`` services that each publish MongoDB: one ED001 finding each."""
    lines = ["services:"]
    for i in range(count):
        lines += [f"  db{i}:", "    image: mongo:7", "    ports:", f"      - '{27017 + i}:27017'"]
    return "\n".join(lines) + "\n"


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "docker-compose.yml").write_text(_compose_services(12))
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "docker-compose.yml").write_text(COMPOSE)
    # Two findings that share our line-independent fingerprint (same rule, path and anchor).
    (tmp_path / "twice.sh").write_text("#!/bin/sh\nterraform destroy -auto-approve\nterraform destroy -auto-approve\n")
    (tmp_path / ".guardrails.yaml").write_text("rules:\n  ED001: {severity: medium}\n")
    return tmp_path


def test_sarif_as_github_reads_it(project: Path) -> None:
    proc = run_cli("scan", "-f", "sarif", cwd=project)
    sarif = json.loads(proc.stdout)
    if SARIF_SCHEMA.is_file():
        jsonschema.validate(sarif, json.loads(SARIF_SCHEMA.read_text(encoding="utf-8")))
    run = sarif["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert rules["ED001"]["helpUri"].endswith("/docs/rules.md#ed001-compose-datastore-port-exposed")
    assert "blog.newsblur.com" in rules["ED001"]["help"]["text"], "the incident stays in help"
    anchors = set(re.findall(r"^### (\w+) `([\w-]+)`", (REPO / "docs" / "rules.md").read_text(), re.M))
    for rule in rules.values():
        rule_id, name = rule["helpUri"].rsplit("#", 1)[1].split("-", 1)
        assert (rule_id.upper(), name) in anchors, rule["helpUri"]
    results = run["results"]
    assert len(results) >= 14
    ed001 = [r for r in results if r["ruleId"] == "ED001"]
    assert {r["properties"]["security-severity"] for r in ed001} == {"5.5"}, "the configured severity, per result"
    assert rules["ED001"]["properties"]["security-severity"] == "8.0", "the rule keeps its default (high)"
    for key in ("primaryLocationLineHash", "guardrails/v1"):
        values = [r["partialFingerprints"][key] for r in results]
        assert len(values) == len(set(values)), f"{key} shared by two results"
    hashes = [r["partialFingerprints"]["primaryLocationLineHash"] for r in results]
    assert all(re.fullmatch(r"[0-9a-f]{16}:\d+", h) for h in hashes)


def test_github_annotations_are_commands_capped_per_type(project: Path) -> None:
    from guardrails.report.github import MAX_PER_TYPE

    lines = run_cli("scan", "-f", "github", cwd=project).stdout.splitlines()
    assert all(line.startswith("::") for line in lines), [line for line in lines if not line.startswith("::")]
    kinds = [line[2:].split(" ", 1)[0] for line in lines]
    assert kinds.count("warning") == MAX_PER_TYPE, "13 medium findings, 10 shown"
    assert lines[-1].startswith("::notice title=guardrails::guardrails: ")
    assert "3 not annotated" in lines[-1]


def test_text_groups_by_file_and_prints_each_rule_once(project: Path) -> None:
    out = run_cli("scan", cwd=project).stdout
    assert out.count("fix: Do not publish datastore ports") == 1
    assert out.count("why: NewsBlur") == 1
    assert re.search(r"^docker-compose.yml$", out, re.M) and re.search(r"^a/docker-compose.yml$", out, re.M)
    concise = run_cli("scan", "--output-format", "concise", cwd=project).stdout.splitlines()
    assert concise[0].startswith("a/docker-compose.yml:5:9: ED001 [medium] ")
    stats = run_cli("scan", "--statistics", cwd=project).stdout.splitlines()
    assert stats[0].split() == ["13", "ED001", "[medium]", "compose-datastore-port-exposed"]


def test_severity_filter_is_apart_from_the_gate_and_exit_zero(project: Path) -> None:
    proc = run_cli("scan", "-f", "json", "--severity", "critical", "--ignore", "DO001,ED001", cwd=project)
    report = json.loads(proc.stdout)
    assert proc.returncode == 1, "the hidden findings still fail the gate"
    assert all(f["severity"] == "critical" for f in report["findings"])
    assert run_cli("scan", "--exit-zero", cwd=project).returncode == 0
    assert run_cli("scan", "--exit-zero", "nope", cwd=project).returncode == 2


def test_color_auto_always_never_and_force_color(project: Path) -> None:
    import os
    import subprocess

    def run(*args: str, **env: str) -> str:
        base = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
        return subprocess.run(
            [sys.executable, "-m", "guardrails", "scan", *args],
            cwd=project,
            capture_output=True,
            text=True,
            env={**base, **env},
        ).stdout

    assert "\033[" not in run()
    assert "\033[" in run("--color", "always")
    assert "\033[" in run(FORCE_COLOR="1")
    assert "\033[" not in run("--color", "never", FORCE_COLOR="1")
    assert "\033[" not in run(NO_COLOR="1")


def test_release_ready_packaging() -> None:
    from guardrails import __version__
    from guardrails.config import _toml

    project = _toml().loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert (REPO / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    assert project["readme"] == "README.md" and project["keywords"]
    assert {"Homepage", "Documentation", "Issues"} <= set(project["urls"])
    assert any(c.startswith("Programming Language :: Python :: 3.1") for c in project["classifiers"])
    ci = (REPO / "docs" / "ci.md").read_text(encoding="utf-8")
    assert f"rev: v{__version__}" in ci and f"guardrails-lint=={__version__}" in ci, "examples name the release"
    release = (REPO / "docs" / "release.md").read_text(encoding="utf-8")
    assert "twine check" in release and "git tag" in release


def test_distributions_pass_twine_check(tmp_path: Path) -> None:
    """What the index page shows (README.md as the long description) renders, and the metadata
    is complete: `python -m build` then `twine check`, as docs/release.md does."""
    import subprocess

    pytest.importorskip("build")
    pytest.importorskip("twine")
    built = subprocess.run(
        [sys.executable, "-m", "build", "-o", str(tmp_path), str(REPO)], capture_output=True, text=True, timeout=600
    )
    assert built.returncode == 0, built.stderr[-2000:]
    dists = sorted(str(p) for p in tmp_path.iterdir())
    assert len(dists) == 2
    checked = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", *dists], capture_output=True, text=True, timeout=120
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
