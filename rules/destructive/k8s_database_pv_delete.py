"""A hand-made PersistentVolume holding database data, set to be deleted with its claim."""

from __future__ import annotations

from collections.abc import Iterator

from guardrails.facts import k8s_storage
from guardrails.facts.destructive_incidents import GITLAB_2017
from guardrails.model import Category, Document, Finding, Kind, Severity
from guardrails.rule import Bad, Good, Rule, RuleContext

_PV = (
    "apiVersion: v1\nkind: PersistentVolume\nmetadata:\n  name: mysql-pv\nspec:\n  capacity:\n    storage: 20Gi\n"
    "  accessModes: [ReadWriteOnce]\n  persistentVolumeReclaimPolicy: {policy}\n  claimRef:\n    name: mysql-data\n"
    "  hostPath:\n    path: /mnt/mysql\n"
)
_POD = (
    "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: mysql\nspec:\n  template:\n    spec:\n"
    "      containers:\n        - name: mysql\n          image: {image}\n      volumes:\n        - name: data\n"
    "          persistentVolumeClaim:\n            claimName: mysql-data\n"
)


class DatabaseVolumeDeletes(Rule):
    id = "DO059"
    name = "k8s-database-pv-reclaim-delete"
    title = "PersistentVolume holding database data with persistentVolumeReclaimPolicy Delete"
    category = Category.DESTRUCTIVE_OPERATION
    severity = Severity.HIGH
    kinds = frozenset({Kind.KUBERNETES})
    project_wide = True
    summarizes = True
    incidents = (GITLAB_2017,)
    rationale = (
        "`persistentVolumeReclaimPolicy: Delete` on a PersistentVolume deletes the underlying disk when its "
        "claim is released (a `kubectl delete pvc`, a namespace deletion); manually created volumes default "
        "to `Retain`, so `Delete` here was written on purpose. A volume holds database data when its "
        "`claimRef`, or a scanned claim's `volumeName`, ties it to a claim mounted by a pod running a known "
        "datastore image (a StatefulSet's `<template>-<name>-<n>` claims included). A volume whose claim "
        "is not used by a scanned database workload is not reported. A name that several applications of the "
        "repository define (two samples' volume `fileserver`) resolves to the definition nearest the file that "
        "names it, as applying that directory would."
    )
    remediation = (
        "Set `persistentVolumeReclaimPolicy: Retain` on volumes holding database data (patch live volumes "
        "with `kubectl patch pv`), and keep snapshots or backups."
    )
    bad = (Bad("mysql.yaml", _PV.replace("{policy}", "Delete") + _POD.replace("{image}", "mysql:8.4"), 9),)
    good = (
        Good("mysql.yaml", _PV.replace("{policy}", "Retain") + _POD.replace("{image}", "mysql:8.4")),
        Good(
            "mysql.yaml",
            _PV.replace("{policy}", "Delete") + _POD.replace("{image}", "busybox:1.36"),
            note="the claim is not used by a database",
        ),
    )

    def summarize(self, doc: Document, ctx: RuleContext) -> k8s_storage.Summary:
        return k8s_storage.summary(doc, ctx.project)

    def check_summaries(self, summaries: list[k8s_storage.Summary], ctx: RuleContext) -> Iterator[Finding]:
        found = k8s_storage.storage(summaries)
        database_claims = list(found.database_claims())
        for volume in found.volumes:
            claim = self._claim(volume, found)
            claim_name, claim_ns = (
                (volume.claim, volume.claim_namespace) if claim is None else (claim.name, claim.namespace)
            )
            for namespace, pattern, workload in database_claims:
                if not claim_name or not k8s_storage.claim_matches(claim_name, pattern):
                    continue
                if claim_ns and namespace and claim_ns != namespace:
                    continue
                if claim is not None and not self._mounts(workload, claim, found):
                    continue
                message = (
                    f"PersistentVolume '{volume.name}' (persistentVolumeReclaimPolicy: Delete) backs claim "
                    f"'{claim_name}' of {workload.label} ({workload.store}, {workload.where}); releasing the "
                    "claim deletes the database's disk"
                )
                yield self.finding_at(volume.place, message, anchor=f"PersistentVolume/{volume.name}", ctx=ctx)
                break

    @staticmethod
    def _claim(volume: k8s_storage.DeletingVolume, found: k8s_storage.Storage) -> k8s_storage.Claim | None:
        """The claim bound to a volume without ``claimRef`` through its ``volumeName``: one whose
        nearest PersistentVolume of that name is this one (not another application's namesake)."""
        if volume.claim:
            return None
        namesakes = found.volume_files.get(volume.name, ())
        for claim in found.all_claims:
            if claim.volume == volume.name and volume.place.path in k8s_storage.nearest(claim.path, namesakes):
                return claim
        return None

    @staticmethod
    def _mounts(workload: k8s_storage.Database, claim: k8s_storage.Claim, found: k8s_storage.Storage) -> bool:
        """The workload's nearest claim of that name is ``claim`` (a StatefulSet's template claims
        are its own)."""
        namesakes = [c.path for c in found.all_claims if c.name == claim.name]
        return not namesakes or claim.path in k8s_storage.nearest(workload.path, namesakes)
