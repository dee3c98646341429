"""Python scripts, kept as text and, once a rule needs it, a libcst module."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from guardrails.model import Document


@dataclass
class PythonDocument(Document):
    """A Python script; ``module`` is its libcst module (typed Any to keep this module
    import-free), set once ``parsed``: read it through ``guardrails.parsers.python.module_of``,
    which parses on first use."""

    module: Any = None
    parsed: bool = False
