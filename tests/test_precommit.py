"""The pre-commit hook, for real: `pre-commit try-repo <this checkout> guardrails --all-files`
in a throwaway git repository. pre-commit builds the hook's virtualenv from this checkout
(dependencies come from the package index), with PRE_COMMIT_HOME inside the test's directory."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO

BAD = 'services:\n  db:\n    image: mongo:7\n    ports:\n      - "27017:27017"\n'
FIXED = 'services:\n  db:\n    image: mongo:7\n    ports:\n      - "127.0.0.1:27017:27017"\n'


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=cwd, check=True, capture_output=True
    )


def test_hook_declaration() -> None:
    hook, fixing = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert (hook["id"], hook["entry"], hook["language"]) == ("guardrails", "guardrails scan", "python")
    assert hook["types"] == ["text"]
    assert (fixing["id"], fixing["entry"]) == ("guardrails-fix", "guardrails scan --fix")
    assert fixing["types"] == ["text"] and fixing["require_serial"] is True


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_try_repo_blocks_bad_compose_and_passes_fixed(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    _git(project, "init", "-q")
    (project / "docker-compose.yml").write_text(BAD)
    (project / "README.md").write_text("# demo\n")
    _git(project, "add", ".")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "NO_COLOR": "1"}
    command = [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "guardrails", "--all-files"]
    bad = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=900)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "docker-compose.yml\n  5:9  ED001 [critical]" in bad.stdout
    (project / "docker-compose.yml").write_text(FIXED)
    _git(project, "add", ".")
    fixed = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=900)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "Passed" in fixed.stdout
