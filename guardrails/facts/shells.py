"""Which programs are shells: one answer for detection, embedded scripts and wrapped commands.

A script run as ``bash -c '…'`` or by a Terraform ``interpreter = ["/bin/sh", "-c"]`` is read
with the shell grammar (tree-sitter-bash), whichever of these shells runs it: the commands
that destroy data are written the same way in each. A *file* is read as shell by its shebang
only when its syntax is bash's: zsh's own (glob qualifiers, ``=(…)``) is not, and a zsh
script would be reported as broken when it is not.
"""

from __future__ import annotations

from functools import lru_cache

from guardrails import deferred_re

SHELL_INTERPRETERS = frozenset({"sh", "bash", "dash", "ash", "ksh", "zsh"})
SHEBANG_SHELLS = SHELL_INTERPRETERS - {"zsh"}


def program_name(word: str) -> str:
    """``/usr/bin/bash`` -> ``bash``."""
    return word.rsplit("/", 1)[-1]


# What the shell removes inside a word, joining the pieces around it: quotes (with the ``$`` of
# ``$'…'``) and backslashes (with the newline of a continued line).
_QUOTING = deferred_re.compile(r"\\\n?|\$?['\"]")


def names_any(text: str, programs: frozenset[str]) -> bool:
    """Whether ``text``, once the shell has read it, could hold one of ``programs`` as a word
    of its own or the last part of a path (``/usr/bin/psql``): a script, or a string a
    program runs, that cannot is never seen running one of them. Looser than the shell (a
    comment or a quoted argument counts), never stricter; the cheap test before a walk."""
    names = _names(programs)
    return names is None or not names.isdisjoint(_words(text))


# A program name is a run of these characters, and so is each word ``_words`` finds: the
# longest runs, so ``mysql`` is not found in ``mysql-client`` nor ``rm`` in ``--rm``.
_NAME = deferred_re.compile(r"[a-z0-9_.-]+")


@lru_cache(maxsize=64)
def _names(programs: frozenset[str]) -> frozenset[str] | None:
    """``programs`` lower-cased; None when one is not a single run (it cannot be ruled out)."""
    lowered = frozenset(program.lower() for program in programs)
    return lowered if all(_NAME.fullmatch(name) for name in lowered) else None


@lru_cache(maxsize=8)
def _words(text: str) -> frozenset[str]:
    """The runs of name characters in ``text`` after quote removal: found once for all the
    rules that ask about one script."""
    return frozenset(_NAME.findall(_QUOTING.sub("", text.lower())))
