"""boto3 delete_db_instance / delete_db_cluster with SkipFinalSnapshot=True."""

from __future__ import annotations

from collections.abc import Iterator

from guardrails.documents import PythonDocument
from guardrails.facts.destructive_incidents import AWS_ELB_2012, DIGITALOCEAN_2017
from guardrails.facts.destructive_pyrule import PythonDestructiveRule
from guardrails.facts.destructive_python import PyCall, PythonScan
from guardrails.model import Category, Kind, Severity
from guardrails.rule import Bad, Good, RuleContext


class PythonRdsDeleteSkipSnapshot(PythonDestructiveRule):
    id = "DO024"
    name = "python-rds-delete-skip-final-snapshot"
    title = "Python script deletes an RDS database with SkipFinalSnapshot=True"
    category = Category.DESTRUCTIVE_OPERATION
    severity = Severity.HIGH
    kinds = frozenset({Kind.PYTHON})
    triggers = frozenset({"delete_db_instance", "delete_db_cluster"})
    by_method = True
    incidents = (DIGITALOCEAN_2017, AWS_ELB_2012)
    rationale = (
        "`delete_db_instance`/`delete_db_cluster` with `SkipFinalSnapshot=True` deletes the database without "
        "the final snapshot RDS would otherwise take, and automated backups go with the instance by default "
        "(DeleteAutomatedBackups). Matched when the module imports boto3, aioboto3 or botocore."
    )
    remediation = (
        "Pass `SkipFinalSnapshot=False, FinalDBSnapshotIdentifier=...` (and `DeleteAutomatedBackups=False`), "
        "enable deletion protection on production databases, and check the environment before the call."
    )
    bad = (
        Bad(
            "ops/cleanup.py",
            "import boto3\n\nrds = boto3.client('rds')\nrds.delete_db_instance(\n"
            "    DBInstanceIdentifier='orders', SkipFinalSnapshot=True)\n",
            4,
        ),
    )
    good = (
        Good(
            "ops/cleanup.py",
            "import boto3\n\nrds = boto3.client('rds')\nrds.delete_db_instance(DBInstanceIdentifier='orders', "
            "SkipFinalSnapshot=False, FinalDBSnapshotIdentifier='orders-final')\n",
        ),
    )

    def detect(
        self, scan: PythonScan, call: PyCall, doc: PythonDocument, ctx: RuleContext
    ) -> Iterator[tuple[str, str, Severity | None]]:
        method = scan.method(call)
        if method not in ("delete_db_instance", "delete_db_cluster"):
            return
        if not scan.imports_any("boto3", "aioboto3", "botocore") or not scan.is_true(
            scan.keyword(call, "SkipFinalSnapshot")
        ):
            return
        ident = scan.keyword(call, "DBInstanceIdentifier") or scan.keyword(call, "DBClusterIdentifier")
        name = (scan.string_value(ident) if ident is not None else None) or "?"
        yield f"`{method}({name}, SkipFinalSnapshot=True)` deletes it with no final snapshot", f"{method}:{name}", None
