"""A database StatefulSet whose disks are deleted with their claims."""

from __future__ import annotations

from collections.abc import Iterator

from guardrails.facts import k8s_storage
from guardrails.facts.destructive_incidents import GITLAB_2017
from guardrails.model import Category, Document, Finding, Kind, Severity
from guardrails.rule import Bad, Good, Rule, RuleContext

_STS = (
    "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: pg\nspec:\n  serviceName: pg\n  template:\n"
    "    spec:\n      containers:\n        - name: postgres\n          image: postgres:16\n"
    "  volumeClaimTemplates:\n    - metadata:\n        name: data\n      spec:\n"
)
_SC = "---\napiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: fast\n"


class DatabaseStorageClassDeletes(Rule):
    id = "DO058"
    name = "k8s-database-storageclass-reclaim-delete"
    title = "Database StatefulSet on a StorageClass that deletes volumes (reclaimPolicy Delete)"
    category = Category.DESTRUCTIVE_OPERATION
    severity = Severity.HIGH
    kinds = frozenset({Kind.KUBERNETES})
    project_wide = True
    summarizes = True
    incidents = (GITLAB_2017,)
    rationale = (
        "A StorageClass's `reclaimPolicy` defaults to `Delete`: the disk of a dynamically provisioned volume "
        "is deleted as soon as its claim is. A database StatefulSet's claims go with a `kubectl delete pvc`, a "
        "namespace deletion, a `helm uninstall` of a chart that owns them, or `persistentVolumeClaimRetention"
        "Policy: Delete`: one command on the wrong cluster and the database files are gone, as GitLab's were. "
        "Resolved across the scanned manifests: the class named by `storageClassName`, or the single class "
        "annotated as default when the template names none. A class not in the scan (a cloud default) is "
        'unknown and not reported; `storageClassName: ""` (no dynamic provisioning) is not reported. A '
        "database StatefulSet is one whose containers run a known datastore image. A class name that several "
        "applications of the repository define resolves to the definition nearest the StatefulSet."
    )
    remediation = (
        "Give database claims a StorageClass with `reclaimPolicy: Retain` (the PersistentVolume and its disk "
        "survive the claim and are reclaimed by hand), and keep volume snapshots or backups."
    )
    bad = (
        Bad(
            "pg.yaml",
            _STS
            + "        storageClassName: fast\n        accessModes: [ReadWriteOnce]\n"
            + _SC
            + "reclaimPolicy: Delete\n",
            16,
        ),
        Bad(
            "pg.yaml",
            _STS + "        accessModes: [ReadWriteOnce]\n" + _SC + "  annotations:\n"
            '    storageclass.kubernetes.io/is-default-class: "true"\n',
            14,
            note="no storageClassName: the default class, whose policy is Delete by default",
        ),
    )
    good = (
        Good(
            "pg.yaml",
            _STS + "        storageClassName: fast\n" + _SC + "reclaimPolicy: Retain\n",
            note="Retain keeps the disk",
        ),
        Good(
            "pg.yaml",
            _STS + "        storageClassName: gp3\n" + _SC + "reclaimPolicy: Delete\n",
            note="the class used is not in the scan: unknown",
        ),
        Good(
            "web.yaml",
            _STS.replace("postgres:16", "nginx:1.27") + "        storageClassName: fast\n" + _SC,
            note="not a database",
        ),
    )

    def summarize(self, doc: Document, ctx: RuleContext) -> k8s_storage.Summary:
        return k8s_storage.summary(doc, ctx.project)

    def check_summaries(self, summaries: list[k8s_storage.Summary], ctx: RuleContext) -> Iterator[Finding]:
        found = k8s_storage.storage(summaries)
        for workload in found.databases:
            if workload.kind != "StatefulSet":
                continue
            for template in workload.templates:
                if template.storage_class is not None:
                    name = template.storage_class
                    storage_class = found.named_class(name, workload.path) if name else None
                    via = f"storageClassName: {template.storage_class}"
                else:
                    storage_class = found.default_class()
                    via = "no storageClassName, so the default class"
                if storage_class is None or storage_class.policy != "Delete":
                    continue
                message = (
                    f"{workload.label} ({workload.store}) claim template '{template.label}' uses {via}: "
                    f"{storage_class.describe()}; deleting the claim or the namespace deletes the database's disk"
                )
                anchor = f"{workload.label}.volumeClaimTemplates.{template.label}"
                yield self.finding_at(template.place, message, anchor=anchor, ctx=ctx)
