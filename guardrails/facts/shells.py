"""Which programs are shells: one answer for detection, embedded scripts and wrapped commands.

A script run as ``bash -c '…'`` or by a Terraform ``interpreter = ["/bin/sh", "-c"]`` is read
with the shell grammar (tree-sitter-bash), whichever of these shells runs it: the commands
that destroy data are written the same way in each. A *file* is read as shell by its shebang
only when its syntax is bash's: zsh's own (glob qualifiers, ``=(…)``) is not, and a zsh
script would be reported as broken when it is not.
"""

from __future__ import annotations

SHELL_INTERPRETERS = frozenset({"sh", "bash", "dash", "ash", "ksh", "zsh"})
SHEBANG_SHELLS = SHELL_INTERPRETERS - {"zsh"}


def program_name(word: str) -> str:
    """``/usr/bin/bash`` -> ``bash``."""
    return word.rsplit("/", 1)[-1]
