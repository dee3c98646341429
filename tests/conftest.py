"""Shared test helpers: a throwaway repository and a CLI runner."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# ../shared beside the repository (or beside the directory of a git worktree's parent)
SHARED = next(
    (p / "shared" for p in (REPO.parent, REPO.parent.parent) if (p / "shared").is_dir()),
    REPO.parent / "shared",
)


def require_shared(*parts: str) -> Path:
    """A path under ../shared; a user's clone has none (the test skips and says so), but
    under CI=true a missing ../shared is a failure, never a green skip."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        message = f"../shared/{'/'.join(parts)} is not beside the repository"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"{message} (required under CI=true)")
        pytest.skip(message)
    return path


@pytest.fixture()
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[dict[str, str]], Path]:
    """Write files into a fresh directory that looks like a git checkout, and chdir there."""
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)

    def write(files: dict[str, str]) -> Path:
        for rel, content in files.items():
            target = tmp_path / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content, encoding="utf-8")
        return tmp_path

    return write


def write_repo(root: Path, files: dict[str, str]) -> Path:
    """Write ``files`` into ``root``, made to look like a git checkout."""
    (root / ".git").mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def run_cli(*args: str, cwd: Path | None = None, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed CLI as a user would (a real process)."""
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "guardrails", *args],
        cwd=cwd,
        input=stdin.decode() if stdin is not None else None,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def invoke(*args: str) -> tuple[int, str]:
    """Run the CLI in this process, for tests that patch what it calls: exit code and standard output."""
    from guardrails.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            main(args)
        except SystemExit as exit_:
            code = exit_.code
    assert isinstance(code, int)
    return code, out.getvalue()


def scan_json(*args: str, cwd: Path | None = None) -> tuple[int, dict]:
    proc = run_cli("scan", "--format", "json", *args, cwd=cwd)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)
