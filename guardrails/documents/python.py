"""Python scripts, kept as text with CPython's syntax tree."""

from __future__ import annotations

from typing import Any

from guardrails.model import Document, Kind


class PythonDocument(Document):
    """A Python script. ``tree`` is CPython's own syntax tree (``ast``, typed Any to keep this
    module import-free); None when CPython refused the text and libcst read it (``refused``
    says why: a grammar this interpreter does not know, which nothing analyses).
    ``sites`` keeps its calls once read (``guardrails.parsers.python.call_sites``: the cheap
    questions a rule asks before resolving names) and ``named`` the rules' trigger words it names."""

    __slots__ = ("named", "refused", "sites", "tree")

    def __init__(
        self,
        path: str,
        kind: Kind,
        text: str,
        tree: Any = None,
        refused: str | None = None,
        **base: Any,
    ) -> None:
        super().__init__(path, kind, text, **base)
        self.tree = tree
        self.refused = refused
        self.sites: Any = None
        self.named: Any = None
