"""Regular expressions compiled on first use.

A module-level ``re.compile`` runs at import, and the modules every scan imports (detection,
templates, suppressions, secrets) hold expressions that only some kinds of file need: a
one-file scan compiled about 4 ms of them (of 90) and never used them. ``deferring`` does the
same for a third-party package's module-level expressions while it is imported.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

_USED = ("search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split", "pattern", "flags")


class _Deferred:
    """Stands for the compiled expression; the first use compiles it and keeps its methods as
    plain attributes, so later calls cost what a compiled pattern's do."""

    def __init__(self, pattern: str, flags: int) -> None:
        self._source = (pattern, flags)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name == "_source":  # copy and pickle probe before __init__ ran
            raise AttributeError(name)
        compiled = re.compile(*self._source)
        for used in _USED:
            setattr(self, used, getattr(compiled, used))
        return getattr(compiled, name)


def compile(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile``, deferred: use the result through its methods, never pass it to ``re``."""
    return cast("re.Pattern[str]", _Deferred(pattern, flags))


_COMPILE = re.compile


@contextmanager
def deferring(package: str) -> Iterator[None]:
    """While ``package`` is imported inside, its modules' ``re.compile`` calls are deferred.

    PyYAML compiles ten expressions when imported, for its pure-Python reader, resolver and
    constructor; the one that finds unprintable characters alone costs more instructions than
    parsing a small manifest, and the C loader never uses it. Only calls made from the
    package's own modules are deferred: another thread compiling meanwhile gets a pattern.
    """

    def compile_for(pattern: str, flags: int = 0) -> re.Pattern[str]:
        caller = sys._getframe(1).f_globals.get("__name__", "")
        if caller == package or caller.startswith(package + "."):
            return compile(pattern, flags)
        return _COMPILE(pattern, flags)

    re.compile = compile_for  # type: ignore[assignment]
    try:
        yield
    finally:
        re.compile = _COMPILE
