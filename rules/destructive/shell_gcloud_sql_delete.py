"""gcloud sql instances delete --quiet."""

from __future__ import annotations

from guardrails.facts.destructive_incidents import DIGITALOCEAN_2017
from guardrails.facts.destructive_shell import ShellDestructiveRule
from guardrails.model import Category, Kind, Severity
from guardrails.rule import Bad, Good


class ShellGcloudSqlDelete(ShellDestructiveRule):
    id = "DO011"
    name = "shell-gcloud-sql-delete-quiet"
    title = "Script deletes a Cloud SQL instance with --quiet and no final backup"
    category = Category.DESTRUCTIVE_OPERATION
    severity = Severity.HIGH
    kinds = frozenset({Kind.SHELL})
    incidents = (DIGITALOCEAN_2017,)
    pattern = "gcloud-sql-delete"
    rationale = (
        "Deleting a Cloud SQL instance loses all its data, backups included. `--quiet` (`-q`) answers the "
        "prompt for the operator, so a script deletes whatever instance its project and name point at. With "
        "`--enable-final-backup` a backup survives and the command is left out."
    )
    remediation = (
        "Add `--enable-final-backup` (and `--final-backup-retention-days`), drop `--quiet`, turn on deletion "
        "protection for production instances, and guard the script with an environment check."
    )
    bad = (Bad("scripts/drop.sh", "#!/bin/sh\ngcloud sql instances delete orders-db --quiet\n", 2),)
    good = (
        Good("scripts/drop.sh", "#!/bin/sh\ngcloud sql instances delete orders-db -q --enable-final-backup\n"),
        Good("scripts/drop.sh", "#!/bin/sh\ngcloud sql instances delete orders-db\n", note="prompts"),
    )
