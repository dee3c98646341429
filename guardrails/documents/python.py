"""Python scripts, kept as text with CPython's syntax tree and, once a rule needs it, a libcst module."""

from __future__ import annotations

from typing import Any

from guardrails.model import Document, Kind


class PythonDocument(Document):
    """A Python script; ``module`` is its libcst module (typed Any to keep this module
    import-free), set once ``parsed``: read it through ``guardrails.parsers.python.module_of``,
    which parses on first use. ``tree`` is CPython's own syntax tree (``ast``), made when the
    text was vetted: the cheap questions a rule asks before libcst (which strings the file
    holds) are answered from it, ``sites`` keeps its calls once read
    (``guardrails.parsers.python.call_sites``) and ``named`` the rules' trigger words it names."""

    __slots__ = ("module", "named", "parsed", "sites", "tree")

    def __init__(
        self,
        path: str,
        kind: Kind,
        text: str,
        module: Any = None,
        parsed: bool = False,
        tree: Any = None,
        **base: Any,
    ) -> None:
        super().__init__(path, kind, text, **base)
        self.module = module
        self.parsed = parsed
        self.tree = tree
        self.sites: Any = None
        self.named: Any = None
