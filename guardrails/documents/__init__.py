"""Format-specific documents: what each parser produces and what rules read.

Dependency-free on purpose: rules import these types without loading any parser.
Every element carries a ``Span`` in its own document's coordinates; a rule turns it
into a file position with ``Rule.finding`` (which maps embedded documents back).
One module per format, imported when a name from it is first asked for (``from
guardrails.documents import ShellDocument``): a scan defines only the classes of the
formats it meets, and defining a dataclass costs a few hundred microseconds.
"""

from __future__ import annotations

import sys
from importlib import import_module
from typing import TYPE_CHECKING, Any

from guardrails.model import Document, Kind, Node, ParseError

if TYPE_CHECKING:
    from guardrails.documents.conf import ConfDocument, ConfEntry
    from guardrails.documents.dnscontrol import DnsCall, DnsControlDocument, DnsProviderDecl
    from guardrails.documents.dockerfile import DockerfileDocument, Instruction
    from guardrails.documents.dotenv import DotenvDocument, EnvEntry
    from guardrails.documents.inventory import InventoryDocument, InventoryVar
    from guardrails.documents.makefile import MakefileDocument, RecipeLine
    from guardrails.documents.named_conf import NamedConfDocument, NamedStatement, NamedWord
    from guardrails.documents.python import PythonDocument
    from guardrails.documents.resolv import ResolvDocument, ResolvEntry
    from guardrails.documents.shell import Condition, Redirect, ShellAssignment, ShellCommand, ShellDocument, Word
    from guardrails.documents.sql import SqlDocument, SqlStatement
    from guardrails.documents.terraform import Attribute, Block, Expr, PlanDocument, TerraformDocument
    from guardrails.documents.zone import ZoneDirective, ZoneDocument, ZoneRecord

# --------------------------------------------------------------------------- any kind


class FailedDocument(Document):
    """A file (or embedded snippet) that could not be parsed as its kind.

    Only rules that opt in (``reads_failures``) see it: the unparseable-input rule
    turns it into a finding, so that what cannot be read never passes silently.
    ``unscanned`` says why the file was not read at all (too large, unreadable, binary:
    reported by GR006); ``crashed``, that the parser crashed (exception type and where:
    reported as an internal error, GR000).
    """

    __slots__ = ("crashed", "error", "unscanned")

    def __init__(
        self,
        path: str,
        kind: Kind,
        text: str,
        error: ParseError | None = None,
        unscanned: str | None = None,
        crashed: str | None = None,
        **base: Any,
    ) -> None:
        super().__init__(path, kind, text, **base)
        self.error = error
        self.unscanned = unscanned
        self.crashed = crashed


class TreeDocument(Document):
    """YAML (one root per ``---`` document) or JSON (one root)."""

    __slots__ = ("roots",)

    def __init__(self, path: str, kind: Kind, text: str, roots: list[Node] | None = None, **base: Any) -> None:
        super().__init__(path, kind, text, **base)
        self.roots: list[Node] = [] if roots is None else roots


# --------------------------------------------------------------------------- the other formats, on demand

_MODULES = {
    "Expr": "terraform",
    "Attribute": "terraform",
    "Block": "terraform",
    "TerraformDocument": "terraform",
    "PlanDocument": "terraform",
    "Word": "shell",
    "Condition": "shell",
    "Redirect": "shell",
    "ShellCommand": "shell",
    "ShellAssignment": "shell",
    "ShellDocument": "shell",
    "PythonDocument": "python",
    "SqlStatement": "sql",
    "SqlDocument": "sql",
    "Instruction": "dockerfile",
    "DockerfileDocument": "dockerfile",
    "RecipeLine": "makefile",
    "MakefileDocument": "makefile",
    "EnvEntry": "dotenv",
    "DotenvDocument": "dotenv",
    "ZoneRecord": "zone",
    "ZoneDirective": "zone",
    "ZoneDocument": "zone",
    "ResolvEntry": "resolv",
    "ResolvDocument": "resolv",
    "DnsCall": "dnscontrol",
    "DnsControlDocument": "dnscontrol",
    "DnsProviderDecl": "dnscontrol",
    "ConfEntry": "conf",
    "ConfDocument": "conf",
    "NamedWord": "named_conf",
    "InventoryVar": "inventory",
    "InventoryDocument": "inventory",
    "NamedStatement": "named_conf",
    "NamedConfDocument": "named_conf",
}

__all__ = [
    "Attribute",
    "Block",
    "Condition",
    "ConfDocument",
    "ConfEntry",
    "DnsCall",
    "DnsControlDocument",
    "DnsProviderDecl",
    "DockerfileDocument",
    "DotenvDocument",
    "EnvEntry",
    "Expr",
    "FailedDocument",
    "Instruction",
    "InventoryDocument",
    "InventoryVar",
    "MakefileDocument",
    "NamedConfDocument",
    "NamedStatement",
    "NamedWord",
    "PlanDocument",
    "PythonDocument",
    "RecipeLine",
    "Redirect",
    "ResolvDocument",
    "ResolvEntry",
    "ShellAssignment",
    "ShellCommand",
    "ShellDocument",
    "SqlDocument",
    "SqlStatement",
    "TerraformDocument",
    "TreeDocument",
    "Word",
    "ZoneDirective",
    "ZoneDocument",
    "ZoneRecord",
]


def instance_of(value: object, name: str) -> bool:
    """``isinstance(value, <the class called name>)`` without importing that class's format:
    if its module was never imported, no instance of it can exist."""
    module = sys.modules.get(f"{__name__}.{_MODULES[name]}")
    return module is not None and isinstance(value, getattr(module, name))


def __getattr__(name: str) -> object:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
