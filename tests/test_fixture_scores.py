"""Every rule against every fixture at once: a rule firing on another lesson's fixture
is a false positive too. Measure with: python -m guardrails.testing fixtures"""

from __future__ import annotations

from pathlib import Path

from guardrails.registry import all_rules
from guardrails.testing import score_fixtures
from tests.conftest import REPO


def test_all_rules_over_all_fixtures_are_exact(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(REPO)
    scores = score_fixtures(Path("fixtures"), all_rules())
    wrong = {
        k: (v.false_positives, v.false_negatives) for k, v in scores.items() if v.false_positives or v.false_negatives
    }
    assert not wrong
    assert sum(s.true_positives for s in scores.values()) >= 50
