"""A suppression that names a rule guardrails does not have."""

from __future__ import annotations

from guardrails.model import Category, Incident, Kind, Severity
from guardrails.rule import Bad, Good, Rule


class UnknownSuppressedRule(Rule):
    """Reported by the suppression stage (guardrails/suppress.py); this class holds the
    rule's documentation, examples and selection handle."""

    id = "GR003"
    name = "unknown-suppressed-rule"
    title = "Inline suppression names a rule that does not exist"
    category = Category.UNPARSEABLE_INPUT
    severity = Severity.MEDIUM
    kinds = frozenset(Kind)
    incidents = (
        Incident(
            "Bandit reads the words of a nosec reason as test names; ids that resolve to nothing fail open",
            "2026-08-16",
            "https://github.com/eugenelim/agent-ready-repo/pull/967",
        ),
    )
    rationale = (
        "A misspelt id (`ED01`, `EDO01`) suppresses nothing, so the author believes a finding is excused "
        "while the gate keeps failing, or, worse, believes a rule is covered that is not. Reporting the "
        "unknown name turns the typo into a one-line fix."
    )
    remediation = (
        "Use an id or name from `guardrails rules` (both are accepted: `ignore[ED001]` or "
        "`ignore[compose-datastore-port-exposed]`)."
    )
    bad = (
        Bad(
            "docker-compose.yml",
            "services:\n  db:\n    image: mongo:7\n    ports:\n"
            '      - "27017:27017"  # guardrails: ignore[ED01] demo stack\n',
            5,
        ),
    )
    good = (
        Good(
            "docker-compose.yml",
            "services:\n  db:\n    image: mongo:7\n    ports:\n"
            '      - "27017:27017"  # guardrails: ignore[compose-datastore-port-exposed] demo stack\n',
            note="rule names are accepted as well as ids",
        ),
    )
