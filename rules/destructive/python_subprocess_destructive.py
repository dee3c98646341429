"""subprocess / os.system running a destructive shell command."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from guardrails.documents import PythonDocument
from guardrails.facts.destructive_incidents import DIGITALOCEAN_2017, GITLAB_2017
from guardrails.facts.destructive_pyrule import PythonDestructiveRule
from guardrails.facts.destructive_python import SHELL_CALL_TRIGGERS, SHELL_CALLS, PyCall, PythonScan, shell_of_call
from guardrails.facts.destructive_shell import DETECTORS, Scope, guard_reason, located_commands, may_name_command
from guardrails.facts.shell_guards import GuardSettings
from guardrails.model import Category, Kind, Severity
from guardrails.rule import Bad, Good, RuleContext

_SEVERITY = {
    "sql-drop": Severity.CRITICAL,
    "dropdb": Severity.CRITICAL,
    "mongo-drop": Severity.CRITICAL,
    "rm-data-dir": Severity.CRITICAL,
    "django-flush": Severity.CRITICAL,
    "rails-drop": Severity.CRITICAL,
    "helm-uninstall": Severity.MEDIUM,
}


class PythonSubprocessDestructive(PythonDestructiveRule):
    id = "DO026"
    name = "python-subprocess-destructive-command"
    title = "Python script runs a destructive shell command through subprocess or os.system"
    category = Category.DESTRUCTIVE_OPERATION
    severity = Severity.HIGH
    kinds = frozenset({Kind.PYTHON})
    triggers = SHELL_CALL_TRIGGERS
    callees = SHELL_CALLS
    incidents = (GITLAB_2017, DIGITALOCEAN_2017)
    rationale = (
        "Every destructive command the shell rules know (DROP DATABASE through psql/mysql, dropdb, "
        "dropDatabase, FLUSHALL, rm -rf of a data directory or of an unset variable's path, terraform destroy "
        "-auto-approve, kubectl delete of stateful objects, helm uninstall of a database, RDS/Cloud SQL "
        "deletion without a final snapshot, Django flush, Rails db:drop) is just as destructive when a Python "
        "script runs it. A list argv is read word by word; a string (`shell=True`, `os.system`) is parsed "
        "with the shell parser. Guards count on both sides: a Python environment check around the call, or a "
        "shell one inside the string. Severity follows the command: critical for database and data-directory "
        "deletion."
    )
    remediation = (
        "Guard the call with an environment check or an earlier exit in production, or a confirmation; prefer "
        "the tool's own safety (dropdb --interactive, a final snapshot, no -auto-approve)."
    )
    bad = (
        Bad(
            "ops/rebuild_replica.py",
            "import subprocess\n\nsubprocess.run(['ssh', 'db1', 'sudo rm -rf /var/opt/gitlab/postgresql/data'],"
            " check=True)\n",
            3,
        ),
        Bad("ops/reset.py", "import os\n\nos.system('psql -c \"DROP DATABASE app\"')\n", 3),
    )
    good = (
        Good(
            "ops/rebuild_replica.py",
            "import socket\nimport subprocess\nimport sys\n\nif 'staging' not in socket.gethostname():\n"
            "    sys.exit('run this on the staging host')\nsubprocess.run(['terraform', 'plan'], check=True)\n",
        ),
        Good(
            "ops/reset.py",
            "import os\nimport subprocess\n\nif os.environ.get('ENV') != 'production':\n"
            "    subprocess.run(['dropdb', 'app'], check=True)\n",
        ),
    )

    @classmethod
    def may_report_argument(cls, texts: str, options: Mapping[str, Any]) -> bool:
        """The command run must hold a word some shell detector needs (``Detector.words``)."""
        return may_name_command(texts)

    def detect(
        self, scan: PythonScan, call: PyCall, doc: PythonDocument, ctx: RuleContext
    ) -> Iterator[tuple[str, str, Severity | None]]:
        shell = shell_of_call(scan, call, doc.path)
        if shell is None:
            return
        settings = GuardSettings.from_options(ctx.options)
        scope = Scope(ctx.project, ctx.options)
        for located in located_commands(shell):
            for pattern, detector in DETECTORS.items():
                for hit in detector(located, scope):
                    if guard_reason(located, settings) is None:
                        yield hit.what, f"subprocess:{hit.anchor}", _SEVERITY.get(pattern, Severity.HIGH)
