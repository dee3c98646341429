from __future__ import annotations

from guardrails.catalog import render
from tests.conftest import REPO


def test_docs_rules_md_is_current() -> None:
    """Regenerate with: python -m guardrails.catalog > docs/rules.md"""
    assert (REPO / "docs" / "rules.md").read_text(encoding="utf-8") == render()
