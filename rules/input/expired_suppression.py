"""A suppression whose ``until=`` date has passed."""

from __future__ import annotations

from guardrails.model import Category, Incident, Kind, Severity
from guardrails.rule import Bad, Good, Rule


class ExpiredSuppression(Rule):
    """Reported by the suppression stage (guardrails/suppress.py); this class holds the
    rule's documentation, examples and selection handle."""

    id = "GR004"
    name = "expired-suppression"
    title = "Inline suppression past its expiry date"
    category = Category.UNPARSEABLE_INPUT
    severity = Severity.MEDIUM
    kinds = frozenset(Kind)
    incidents = (
        Incident(
            "Trivy users ask for ignores that expire so temporary exceptions are revisited",
            "2022-03-01",
            "https://github.com/aquasecurity/trivy/issues/1779",
        ),
    )
    rationale = (
        "A temporary exception (`until the migration lands`) outlives its reason unless something forces a "
        "review. After its date the suppression stops applying, the excused findings come back, and this "
        "finding points at the directive to update or remove."
    )
    remediation = (
        "Fix what the suppression excused and delete the directive, or, if the reason still holds, review it "
        "and move `until=` forward."
    )
    bad = (
        Bad(
            "docker-compose.yml",
            "services:\n  db:\n    image: mongo:7\n    ports:\n"
            "      # guardrails: ignore[ED001] until=2020-01-31 demo stack until the network split lands\n"
            '      - "27017:27017"\n',
            5,
        ),
    )
    good = (
        Good(
            "docker-compose.yml",
            "services:\n  db:\n    image: mongo:7\n    ports:\n"
            "      # guardrails: ignore[ED001] until=2999-12-31 demo stack until the network split lands\n"
            '      - "27017:27017"\n',
        ),
    )
