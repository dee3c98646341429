"""``--changed-since REF``: the files a change touched, as a pull request shows them.

That is ``git diff REF...HEAD`` (from the merge base, so what only REF changed since the
branch left it is not this change's), plus what is staged, what is modified in the
working tree, and untracked files that .gitignore does not exclude. The only subprocess
guardrails runs. It reads names, never content: cross-file rules still load the
unchanged neighbours they need through the project.

``head_commit``: the commit a report was made from, read from the files under ``.git``
(no process, no network), for the HTML audit's header.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

_OBJECT_ID = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")


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


def _git_dir(root: Path) -> Path | None:
    """``root/.git``, or where a worktree's or submodule's ``.git`` file points (``gitdir: …``)."""
    dot_git = root / ".git"
    if dot_git.is_dir():
        return dot_git
    try:
        first = dot_git.read_text(encoding="utf-8").splitlines()[0]
    except (OSError, UnicodeDecodeError, IndexError):
        return None
    if not first.startswith("gitdir:"):
        return None
    return (root / first.removeprefix("gitdir:").strip()).resolve()


def head_commit(root: Path) -> str | None:
    """The object id HEAD names in the repository at ``root`` (a branch followed through loose and
    packed refs, or a detached HEAD); None when there is none to read (no repository, an unborn
    branch, a layout this reader does not know)."""
    git_dir = _git_dir(root)
    if git_dir is None:
        return None
    try:
        head = (git_dir / "HEAD").read_text(encoding="utf-8").strip()
        common = git_dir
        if (git_dir / "commondir").is_file():  # a linked worktree: refs live in the main repository
            common = (git_dir / (git_dir / "commondir").read_text(encoding="utf-8").strip()).resolve()
        if not head.startswith("ref:"):
            return head if _OBJECT_ID.fullmatch(head) else None
        ref = head.removeprefix("ref:").strip()
        for base in (git_dir, common):
            loose = base / ref
            if loose.is_file():
                value = loose.read_text(encoding="utf-8").strip()
                return value if _OBJECT_ID.fullmatch(value) else None
        packed = common / "packed-refs"
        if packed.is_file():
            for line in packed.read_text(encoding="utf-8").splitlines():
                value, _, name = line.partition(" ")
                if name == ref and _OBJECT_ID.fullmatch(value):
                    return value
    except (OSError, UnicodeDecodeError):
        return None
    return None
