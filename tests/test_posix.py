"""guardrails.posix answers as PurePosixPath does, for every shape of path (it splits the
normal ones instead of parsing them)."""

from __future__ import annotations

import itertools
from pathlib import PurePosixPath

from guardrails import posix

ATOMS = ["a", "b.tf", ".", "..", "", "x y", ".hidden"]


def _paths() -> list[str]:
    found = []
    for size in range(1, 4):
        for combo in itertools.product(ATOMS, repeat=size):
            for lead in ("", "/", "./", "//"):
                for trail in ("", "/", "/."):
                    found.append(lead + "/".join(combo) + trail)
    return found


def test_parts_name_and_parent_match_pure_posix_path() -> None:
    for path in _paths():
        pure = PurePosixPath(path)
        assert posix.parts(path) == pure.parts, path
        assert posix.name(path) == pure.name, path
        assert posix.parent(path) == str(pure.parent), path
