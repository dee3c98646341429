"""The parts of a POSIX path string, without building a ``PurePosixPath``.

Detection asks several questions of every file's path (its name, whether a directory on the
way is ``group_vars`` or a role's ``templates``, which environment a directory names), and a
path object costs more to build than the question costs to answer.
"""

from __future__ import annotations

from pathlib import PurePosixPath


def _normal(path: str) -> bool:
    """No empty or ``.`` component: what ``PurePosixPath`` would take out is not there."""
    return not (
        "//" in path or "/./" in path or path.startswith("./") or path.endswith(("/", "/.")) or path in ("", ".")
    )


def parts(path: str) -> tuple[str, ...]:
    """``PurePosixPath(path).parts``, by splitting when the path is already normal (no empty or
    ``.`` component), which the paths a scan passes around are."""
    if not _normal(path):
        return PurePosixPath(path).parts
    split = path.split("/")
    if not split[0]:
        split[0] = "/"
    return tuple(split)


def name(path: str) -> str:
    """``PurePosixPath(path).name``."""
    found = parts(path)
    return "" if not found or found[-1].startswith("/") else found[-1]  # only the root can hold "/"


def parent(path: str) -> str:
    """``str(PurePosixPath(path).parent)``: the directory part, by splitting a normal path."""
    if not _normal(path):
        return str(PurePosixPath(path).parent)
    head, slash, _ = path.rpartition("/")
    return head or ("/" if slash else ".")
