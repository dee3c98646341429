"""helm uninstall of a database release."""

from __future__ import annotations

from guardrails.facts.destructive_incidents import AWS_ELB_2012
from guardrails.facts.destructive_shell import ShellDestructiveRule
from guardrails.model import Category, Kind, Severity
from guardrails.rule import Bad, Good


class ShellHelmUninstallDatabase(ShellDestructiveRule):
    id = "DO009"
    name = "shell-helm-uninstall-database"
    title = "Script uninstalls a database Helm release without a production guard"
    category = Category.DESTRUCTIVE_OPERATION
    severity = Severity.MEDIUM
    kinds = frozenset({Kind.SHELL})
    incidents = (AWS_ELB_2012,)
    pattern = "helm-uninstall"
    rationale = (
        "`helm uninstall` deletes every object of the release: the database goes down at once, and volumes "
        "that the chart declares as its own PersistentVolumeClaims go with it (claims created from a "
        "StatefulSet's volumeClaimTemplates are kept by default, hence medium). The release is recognised by "
        "its name (postgres, mysql, mariadb, mongo, redis, elasticsearch, cassandra, …); `--dry-run` and "
        "throwaway names (named as such, built from a PR number or a random part, or installed by the same "
        "script earlier) are left out."
    )
    remediation = (
        "Refuse production in the script (environment check or early exit), annotate the chart's PVCs with "
        "`helm.sh/resource-policy: keep`, and give database volumes a Retain reclaim policy."
    )
    bad = (Bad("scripts/down.sh", "#!/bin/sh\nhelm uninstall orders-postgresql -n data\n", 2),)
    good = (
        Good("scripts/down.sh", "#!/bin/sh\nhelm uninstall frontend -n web\n", note="not a database"),
        Good("scripts/down.sh", "#!/bin/sh\nhelm uninstall pr-91-redis-test\n", note="throwaway release"),
    )
