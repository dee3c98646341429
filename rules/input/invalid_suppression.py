"""A suppression that names no rule, gives no reason or has a malformed expiry date."""

from __future__ import annotations

from guardrails.model import Category, Incident, Kind, Severity
from guardrails.rule import Bad, Good, Rule


class InvalidSuppression(Rule):
    """Reported by the suppression stage (guardrails/suppress.py) once every rule has run;
    this class holds the rule's documentation, examples and selection handle."""

    id = "GR002"
    name = "invalid-suppression"
    title = "Inline suppression without a rule id or a reason"
    category = Category.UNPARSEABLE_INPUT
    severity = Severity.MEDIUM
    kinds = frozenset(Kind)
    incidents = (
        Incident(
            "Bandit: every #nosec should carry an explanation, but nothing enforces it",
            "2019-04-12",
            "https://github.com/PyCQA/bandit/issues/478",
        ),
    )
    rationale = (
        "An exception without a reason cannot be reviewed: a year later nobody knows whether the database "
        "port was published on purpose. A blanket ignore without rule ids silences every present and future "
        "rule on that line. guardrails does not apply such a suppression (the finding stays) and reports it, "
        "so a typo in a directive never turns into a silent pass."
    )
    remediation = (
        "Write `guardrails: ignore[RULE,...] why this is safe`, optionally with `until=YYYY-MM-DD` before the "
        "reason, in a comment on the reported line or on the line before it."
    )
    bad = (
        Bad(
            "docker-compose.yml",
            "services:\n  db:\n    image: mongo:7\n    ports:\n      # guardrails: ignore[ED001]\n"
            '      - "27017:27017"\n',
            5,
            note="no reason",
        ),
        Bad("deploy.sh", "#!/bin/sh\n# guardrails: ignore -- legacy script\ndropdb app\n", 2, note="no rule ids"),
        Bad(
            "main.tf",
            'resource "aws_db_instance" "db" {\n  // guardrails: ignore[ED001] until=next-year kept for the demo\n'
            "  publicly_accessible = true\n}\n",
            2,
            note="expiry that is not a date",
        ),
    )
    good = (
        Good(
            "docker-compose.yml",
            "services:\n  db:\n    image: mongo:7\n    ports:\n"
            "      # guardrails: ignore[ED001] until=2999-01-01 CI-only database on a throwaway runner\n"
            '      - "27017:27017"\n',
        ),
        Good(
            "docker-compose.yml",
            "services:\n  web:\n    image: nginx\n    command: \"echo '# guardrails: ignore[ED001]'\"\n",
            note="the marker inside a quoted string is not a comment",
        ),
    )
