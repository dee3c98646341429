"""The progress line: on a terminal's stderr once a scan runs past a second, erased at the end;
never in a pipe, under CI, with --quiet, or in a report. Terminals are real (the pty module)."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from guardrails import progress
from guardrails.progress import Progress

# Run the CLI with the progress line drawn at once and on every file, so a short scan shows it.
EAGER = "import guardrails.progress as p; p.DELAY = p.INTERVAL = 0.0; from guardrails.cli import main; main()"


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_nothing_before_a_second_then_throttled_then_erased() -> None:
    clock, out = Clock(), io.StringIO()
    line = Progress(out, clock)
    line.add_total(10)
    line.advance(3)
    clock.now += 0.5
    line.advance()
    assert out.getvalue() == "", "a scan shorter than DELAY shows nothing"
    clock.now += progress.DELAY
    line.advance()
    assert out.getvalue() == "\rguardrails: 5/10 files"
    clock.now += progress.INTERVAL / 2
    line.advance()
    assert out.getvalue().count("\r") == 1, "redrawn at most every INTERVAL"
    clock.now += progress.INTERVAL
    line.advance(4)
    assert out.getvalue().endswith("\rguardrails: 10/10 files")
    line.finish()
    assert out.getvalue().endswith("\r\033[K"), "the line is erased"
    silent = io.StringIO()
    Progress(silent, clock).finish()
    assert silent.getvalue() == "", "nothing to erase when nothing was drawn"


def test_wanted_only_on_a_terminal_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    primary, secondary = pty.openpty()
    try:
        with open(secondary, "w", closefd=False) as terminal:
            assert progress.wanted(terminal, quiet=False)
            assert not progress.wanted(terminal, quiet=True)
            monkeypatch.setenv("CI", "true")
            assert not progress.wanted(terminal, quiet=False)
    finally:
        os.close(primary)
        os.close(secondary)
    monkeypatch.delenv("CI")
    assert not progress.wanted(io.StringIO(), quiet=False), "a pipe or a file"


def _run(args: list[str], cwd: Path, env: dict[str, str], code: str = EAGER) -> tuple[str, str]:
    """Run the CLI with standard error on a new terminal; (what the terminal got, stdout)."""
    primary, secondary = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args], cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=secondary
    )
    os.close(secondary)
    seen = b""
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    os.close(primary)
    stdout = proc.stdout.read().decode() if proc.stdout else ""
    assert proc.wait(timeout=300) in (0, 1)
    return seen.decode(), stdout


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    """250 shell scripts (enough for two workers) and one finding."""
    (tmp_path / ".git").mkdir()
    for i in range(250):
        (tmp_path / f"d{i // 50}").mkdir(exist_ok=True)
        (tmp_path / f"d{i // 50}" / f"s{i}.sh").write_text(f"#!/bin/sh\necho {i}\n")
    (tmp_path / "d0" / "s0.sh").write_text("#!/bin/sh\nterraform destroy -auto-approve\n")
    return tmp_path


def _env(**extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if k not in ("CI", "NO_COLOR", "FORCE_COLOR")}
    return {**base, "NO_COLOR": "1", **extra}


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_progress_on_a_terminal_counts_every_file(tree: Path, jobs: str) -> None:
    terminal, stdout = _run(["scan", "--no-cache", "-j", jobs, "-f", "concise"], tree, _env())
    assert "guardrails: " in terminal and "\rguardrails: 250/250 files" in terminal, terminal[-300:]
    assert terminal.endswith("\r\033[K"), "erased at the end"
    assert "guardrails:" not in stdout and "\r" not in stdout, "never in the report"
    assert "DO007" in stdout


def test_no_progress_with_quiet_or_under_ci(tree: Path) -> None:
    for args, env in ((["--quiet"], _env()), ([], _env(CI="true"))):
        terminal, stdout = _run(["scan", "--no-cache", "-f", "concise", *args], tree, env)
        assert "guardrails:" not in terminal, args or "CI"
        assert "DO007" in stdout


def test_no_progress_in_a_pipe(tree: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", EAGER, "scan", "--no-cache", "-f", "concise"],
        cwd=tree,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 1 and "guardrails:" not in proc.stderr and "\r" not in proc.stderr


def test_a_short_scan_shows_nothing(tree: Path) -> None:
    """With the real delay: the progress line never flickers on for a scan of one file."""
    real = "from guardrails.cli import main; main()"
    terminal, stdout = _run(["scan", "--no-cache", "-f", "concise", "d0/s0.sh"], tree, _env(), code=real)
    assert "guardrails:" not in terminal and "DO007" in stdout
