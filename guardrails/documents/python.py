"""Python scripts, kept as a libcst module."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from guardrails.model import Document


@dataclass
class PythonDocument(Document):
    """A Python script as a libcst module (typed Any to keep this module import-free)."""

    module: Any = None
