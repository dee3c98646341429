"""A suppression that excuses no finding."""

from __future__ import annotations

from guardrails.model import Category, Incident, Kind, Severity
from guardrails.rule import Bad, Good, Rule


class UnusedSuppression(Rule):
    """Reported by the suppression stage (guardrails/suppress.py), which sees every finding;
    this class holds the rule's documentation, examples and selection handle."""

    id = "GR005"
    name = "unused-suppression"
    title = "Inline suppression that excuses nothing"
    category = Category.UNPARSEABLE_INPUT
    severity = Severity.LOW
    kinds = frozenset(Kind)
    incidents = (
        Incident(
            "490 ruff noqa directives suppress nothing; unchecked, the count only grows",
            "2026-07-29",
            "https://github.com/rjmurillo/ai-agents/issues/3792",
        ),
    )
    rationale = (
        "A directive left behind after its finding was fixed, or placed on the wrong line, silently waits to "
        "excuse the next, unrelated finding there. A suppression is judged only against rules that ran: with "
        "`--select` or a configuration that disables a rule, its directives are left alone, except those "
        "naming a rule that can never report on this kind of file."
    )
    remediation = (
        "Delete the directive, or move it to the line the finding is reported on (or the line just before it)."
    )
    bad = (
        Bad(
            "deploy.sh",
            "#!/bin/sh\n# guardrails: ignore[ED001] mongo only listens on the CI network\ndocker compose up -d\n",
            2,
            note="ED001 reads compose files, never shell",
        ),
    )
    good = (
        Good(
            "docker-compose.yml",
            "services:\n  db:\n    image: mongo:7\n    ports:\n"
            '      - "27017:27017"  # guardrails: ignore[ED001] CI-only database on a throwaway runner\n',
            note="ED001 reads compose files; whether it fired is judged when ED001 runs too",
        ),
    )
