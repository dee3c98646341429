"""Regular expressions compiled on first use.

A module-level ``re.compile`` runs at import, and the modules every scan imports (detection,
templates, suppressions, secrets) hold expressions that only some kinds of file need: a
one-file scan compiled about 4 ms of them (of 90) and never used them.
"""

from __future__ import annotations

import re
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
