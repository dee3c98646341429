"""``--changed-since REF``: the files a change touched, as a pull request shows them.

That is ``git diff REF...HEAD`` (from the merge base, so what only REF changed since the
branch left it is not this change's), plus what is staged, what is modified in the
working tree, and untracked files that .gitignore does not exclude. The only subprocess
guardrails runs. It reads names, never content: cross-file rules still load the
unchanged neighbours they need through the project.
"""

from __future__ import annotations

import subprocess
from pathlib import Path


class GitError(Exception):
    """git is missing, the directory is not a repository, or the ref is unknown."""


def _git(top: Path, *args: str) -> list[str]:
    try:
        done = subprocess.run(["git", *args], cwd=top, capture_output=True, check=False, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GitError(f"cannot run git: {exc}") from None
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        shown = " ".join(a for a in args if a not in ("-z", "--no-renames", "--"))
        raise GitError(f"git {shown} failed: {detail[-1] if detail else done.returncode}")
    return [n for n in done.stdout.decode("utf-8", "surrogateescape").split("\0") if n]


def changed_files(ref: str, cwd: Path) -> set[Path]:
    """Absolute, resolved paths of the files changed on this branch since it left ``ref``,
    and of those changed, staged or added (untracked) in the working tree."""
    from guardrails.project import find_root

    if ref.startswith("-"):
        raise GitError(f"--changed-since {ref!r}: a git ref cannot start with '-'")
    top = find_root(cwd)
    if not (top / ".git").exists():
        raise GitError(f"--changed-since needs a git repository; {cwd} is not inside one")
    names = _git(top, "diff", "--name-only", "-z", "--no-renames", f"{ref}...HEAD", "--")
    names += _git(top, "diff", "--name-only", "-z", "--no-renames", "HEAD", "--")  # staged and unstaged
    names += _git(top, "ls-files", "-z", "--others", "--exclude-standard")
    return {(top / name).resolve() for name in names}
