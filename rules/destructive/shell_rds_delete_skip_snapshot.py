"""aws rds delete-db-instance / delete-db-cluster --skip-final-snapshot."""

from __future__ import annotations

from guardrails.facts.destructive_incidents import AWS_ELB_2012, DIGITALOCEAN_2017
from guardrails.facts.destructive_shell import ShellDestructiveRule
from guardrails.model import Category, Kind, Severity
from guardrails.rule import Bad, Good


class ShellRdsDeleteSkipSnapshot(ShellDestructiveRule):
    id = "DO010"
    name = "shell-rds-delete-skip-final-snapshot"
    title = "Script deletes an RDS instance or cluster with --skip-final-snapshot"
    category = Category.DESTRUCTIVE_OPERATION
    severity = Severity.HIGH
    kinds = frozenset({Kind.SHELL, Kind.ANSIBLE})
    incidents = (DIGITALOCEAN_2017, AWS_ELB_2012)
    pattern = "rds-delete"
    rationale = (
        "By default RDS takes a final snapshot when an instance or cluster is deleted; `--skip-final-snapshot` "
        "prevents it, and the automated backups are removed with the instance unless told otherwise. The "
        "deletion is then final. Also matches DocumentDB and Neptune (`aws docdb|neptune delete-db-cluster`)."
    )
    remediation = (
        "Give `--final-db-snapshot-identifier NAME` instead of `--skip-final-snapshot` (and "
        "`--no-delete-automated-backups`), enable deletion protection on production databases, and keep the "
        "command away from production with an environment check."
    )
    bad = (
        Bad(
            "scripts/cleanup.sh",
            "#!/bin/sh\naws rds delete-db-instance \\\n  --db-instance-identifier orders \\\n  --skip-final-snapshot\n",
            2,
        ),
    )
    good = (
        Good(
            "scripts/cleanup.sh",
            "#!/bin/sh\naws rds delete-db-instance --db-instance-identifier orders "
            "--final-db-snapshot-identifier orders-final\n",
        ),
    )
