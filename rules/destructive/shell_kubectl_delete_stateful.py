"""kubectl delete of a namespace, PersistentVolumeClaim, PersistentVolume or StatefulSet."""

from __future__ import annotations

from guardrails.facts.destructive_incidents import AWS_ELB_2012
from guardrails.facts.destructive_shell import ShellDestructiveRule
from guardrails.model import Category, Kind, Severity
from guardrails.rule import Bad, Good


class ShellKubectlDeleteStateful(ShellDestructiveRule):
    id = "DO008"
    name = "shell-kubectl-delete-stateful"
    title = "Script deletes a namespace, PVC, PV or StatefulSet with kubectl, unguarded"
    category = Category.DESTRUCTIVE_OPERATION
    severity = Severity.HIGH
    kinds = frozenset({Kind.SHELL, Kind.ANSIBLE})
    incidents = (AWS_ELB_2012,)
    pattern = "kubectl-delete"
    rationale = (
        "Deleting a namespace deletes everything in it, PersistentVolumeClaims included; deleting a PVC or PV "
        "whose reclaim policy is Delete (the default of dynamically provisioned volumes) deletes the disk. "
        "The kube context decides which cluster is hit, and it is not in the script. Matches `kubectl delete "
        "ns foo`, `kubectl delete pvc,sts -l app=db` and `kubectl delete namespace/foo`; `--dry-run` and "
        "names that say they are throwaway (`review-123`, `ci-4567`, `e2e`), names built from a PR number or a "
        "random part (`pr-$PR_NUMBER`) and namespaces the same script created earlier are left out."
    )
    remediation = (
        'Pin the context and refuse production (`[ "$(kubectl config current-context)" = prod ] && exit 1` or an '
        "environment check), ask for confirmation, and give the volumes `persistentVolumeReclaimPolicy: Retain`."
    )
    bad = (
        Bad("scripts/reset.sh", "#!/bin/sh\nkubectl delete namespace payments\n", 2),
        Bad("scripts/reset2.sh", "#!/bin/sh\nkubectl -n db delete pvc,sts -l app=postgres\n", 2),
        Bad("scripts/reset3.sh", "#!/bin/sh\nkubectl delete ns/payments --wait\n", 2),
    )
    good = (
        Good("scripts/clean.sh", "#!/bin/sh\nkubectl delete pod web-0 && kubectl delete ns review-482\n"),
        Good("scripts/check.sh", "#!/bin/sh\nkubectl delete ns payments --dry-run=client -o yaml\n"),
        Good(
            "scripts/reset.sh",
            '#!/bin/sh\nif [ "$DEPLOY_ENV" = staging ]; then\n  kubectl delete namespace payments\nfi\n',
        ),
    )
