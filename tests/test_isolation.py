"""The scanner reads; it never runs, imports, evaluates or sends anything.

A crashing rule is contained (GR000 naming the rule and the file, the run goes on and
fails). A full scan of fixtures/ runs with sockets and process creation disabled; the
only process guardrails may start is git, and only for --changed-since. Files whose
execution would leave a marker (fixtures/robust/isolation) are scanned: no marker.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, invoke

ISOLATION = REPO / "fixtures" / "robust" / "isolation"
_EXEC_NAMES = [n for n in dir(os) if n.startswith(("exec", "spawn", "posix_spawn")) or n in ("system", "popen", "fork")]


class Forbidden(BaseException):
    """Not an Exception: code that catches Exception broadly cannot swallow it."""


def _lock_down(monkeypatch: pytest.MonkeyPatch, allow_git: bool = False) -> list[str]:
    """Disable the network and process creation; return the list of attempts."""
    attempts: list[str] = []

    def refuse(what: str) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            attempts.append(f"{what} {args[:2]!r}")
            raise Forbidden(what)

        return call

    for name in ("socket", "create_connection", "getaddrinfo", "socketpair", "create_server"):
        monkeypatch.setattr(socket, name, refuse(f"socket.{name}"))
    for name in _EXEC_NAMES:
        monkeypatch.setattr(os, name, refuse(f"os.{name}"))
    real_popen = subprocess.Popen

    class GuardedPopen(real_popen):  # type: ignore[misc, valid-type]
        def __init__(self, args: Any, *rest: Any, **kwargs: Any) -> None:
            argv = [args] if isinstance(args, (str, bytes)) else list(args)
            attempts.append(f"subprocess {argv!r}")
            if not (allow_git and Path(str(argv[0])).name == "git"):
                raise Forbidden(f"subprocess {argv!r}")
            super().__init__(args, *rest, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", GuardedPopen)
    return attempts


def _scan(*args: str) -> tuple[int, dict[str, Any]]:
    code, out = invoke("scan", "-f", "json", *args)
    return code, json.loads(out)


# --------------------------------------------------------------------------- contained crashes

_CRASHING_RULE = """
import sys
from guardrails.registry import find

def crash(self, doc, ctx):
    raise RuntimeError("rule bug")
    yield

find("ED001").check = crash
from guardrails.cli import main
sys.argv = ["guardrails", "scan", *sys.argv[1:]]
main()
"""


def test_a_crashing_rule_is_reported_and_fails_the_run(repo: Callable[[dict[str, str]], Path]) -> None:
    root = repo(
        {
            "a/compose.yaml": "services:\n  db:\n    image: postgres:16\n    ports: ['5432:5432']\n",
            "b/compose.yaml": "services:\n  web:\n    image: nginx\n",
            "broken/compose.yaml": "services:\n  db:\n    image: x\n     ports: [1]\n",
            "run.sh": 'rm -rf "$DATA_DIR"/\n',
        }
    )
    proc = subprocess.run(
        [sys.executable, "-c", _CRASHING_RULE, "-f", "json", "--fail-on", "critical", "."],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1, proc.stderr  # nothing critical, yet the crash fails the run
    report = json.loads(proc.stdout)
    crashes = {(f["path"], f["message"]) for f in report["findings"] if f["rule_id"] == "GR000"}
    assert crashes == {
        (path, "rule ED001 (compose-datastore-port-exposed) crashed on this file: RuntimeError at <string>:6")
        for path in ("a/compose.yaml", "b/compose.yaml")
    }
    assert report["counts"]["internal_errors"] == 2
    # The run went on: the other rules still reported on the other files.
    assert {f["rule_id"] for f in report["findings"]} >= {"GR000", "GR001", "DO006"}
    assert report["counts"]["files_scanned"] == 4


# --------------------------------------------------------------------------- nothing sent, nothing run


def test_full_scan_of_fixtures_with_network_and_processes_disabled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    attempts = _lock_down(monkeypatch)
    # One process: past 200 files a scan starts its own worker pool (os.fork), which is not
    # what this test forbids; the workers run the same checks as this process.
    code, report = _scan("--jobs", "1", "fixtures")
    assert attempts == []
    assert code == 1 and report["counts"]["internal_errors"] == 0
    assert report["counts"]["files_scanned"] > 100


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_changed_since_runs_git_and_nothing_else(
    repo: Callable[[dict[str, str]], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = repo({"compose.yaml": "services:\n  web:\n    image: nginx\n"})
    shutil.rmtree(root / ".git")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"]
    subprocess.run([*git, "init", "-q"], cwd=root, check=True)
    subprocess.run([*git, "add", "."], cwd=root, check=True)
    subprocess.run([*git, "commit", "-qm", "init"], cwd=root, check=True)
    (root / "run.sh").write_text('rm -rf "$DATA_DIR"/\n')
    subprocess.run([*git, "add", "run.sh"], cwd=root, check=True)
    attempts = _lock_down(monkeypatch, allow_git=True)
    _, report = _scan("--changed-since", "HEAD", ".")
    assert attempts and all(a.startswith("subprocess ['git'") for a in attempts), attempts
    assert [f["path"] for f in report["findings"]] == ["run.sh"]


def test_scanned_content_is_never_executed_imported_or_evaluated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "isolation"
    shutil.copytree(ISOLATION, work)
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    attempts = _lock_down(monkeypatch)
    code, report = _scan("isolation")
    assert attempts == []
    assert code == 0 and report["counts"]["files_scanned"] == len(list(ISOLATION.iterdir()))
    assert sorted(p.name for p in tmp_path.rglob("EXECUTED*")) == []
    assert not list(ISOLATION.glob("EXECUTED*"))
    assert "evil" not in sys.modules and "setup" not in sys.modules


def test_marker_fixture_really_leaves_a_marker_when_run(tmp_path: Path) -> None:
    """The isolation check above means something only if running the fixture does mark."""
    shutil.copy(ISOLATION / "evil.py", tmp_path / "evil.py")
    subprocess.run([sys.executable, str(tmp_path / "evil.py")], check=True, timeout=60)
    assert (tmp_path / "EXECUTED-evil.py").exists()
