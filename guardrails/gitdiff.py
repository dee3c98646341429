"""``--changed-since REF``: the files a change touched, from ``git diff --name-only REF``.

The only subprocess guardrails runs. It reads names, never content: cross-file rules
still load the unchanged neighbours they need through the project.
"""

from __future__ import annotations

import subprocess
from pathlib import Path


class GitError(Exception):
    """git is missing, the directory is not a repository, or the ref is unknown."""


def changed_files(ref: str, cwd: Path) -> set[Path]:
    """Absolute, resolved paths of files changed between ``ref`` and the working tree."""
    from guardrails.project import find_root

    if ref.startswith("-"):
        raise GitError(f"--changed-since {ref!r}: a git ref cannot start with '-'")
    top = find_root(cwd)
    if not (top / ".git").exists():
        raise GitError(f"--changed-since needs a git repository; {cwd} is not inside one")
    try:
        done = subprocess.run(
            ["git", "diff", "--name-only", "-z", ref, "--"],
            cwd=top,
            capture_output=True,
            check=False,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GitError(f"cannot run git: {exc}") from None
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git diff --name-only {ref} failed: {detail[-1] if detail else done.returncode}")
    names = [n for n in done.stdout.decode("utf-8", "surrogateescape").split("\0") if n]
    return {(top / name).resolve() for name in names}
