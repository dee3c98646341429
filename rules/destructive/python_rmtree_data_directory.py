"""shutil.rmtree of a database data directory."""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from typing import Any

from guardrails.documents import PythonDocument
from guardrails.facts.destructive_incidents import GITLAB_2017
from guardrails.facts.destructive_pyrule import PythonDestructiveRule
from guardrails.facts.destructive_python import PyCall, PythonScan, arguments
from guardrails.facts.destructive_shell import DATA_OPTIONS, DEFAULT_DATA_DIRECTORIES, DEFAULT_DATA_VARIABLES
from guardrails.facts.shell_guards import GUARD_OPTIONS
from guardrails.model import Category, Kind, Severity
from guardrails.rule import Bad, Good, RuleContext


class PythonRmtreeDataDirectory(PythonDestructiveRule):
    id = "DO027"
    name = "python-rmtree-database-data-directory"
    title = "Python script deletes a database data directory with shutil.rmtree, unguarded"
    category = Category.DESTRUCTIVE_OPERATION
    severity = Severity.CRITICAL
    kinds = frozenset({Kind.PYTHON})
    triggers = frozenset({"rmtree"})
    callees = frozenset({"shutil.rmtree"})
    incidents = (GITLAB_2017,)
    options = {**GUARD_OPTIONS, **DATA_OPTIONS}
    rationale = (
        "GitLab's outage began with a database data directory wiped on the wrong host. `shutil.rmtree` of "
        "/var/lib/postgresql, /var/lib/mysql, /var/opt/gitlab/postgresql/data (or a path below), given as a "
        'literal, `pathlib.Path("…")`, `os.path.join("…", …)` or `os.environ["PGDATA"]`, deletes the '
        "database of whichever host runs it. rmtree is resolved by qualified name."
    )
    remediation = (
        'Check the host or environment first (`if socket.gethostname().startswith("db2-staging")`, an earlier '
        "exit in production), ask for the host name to be typed back, or move the directory aside."
    )
    bad = (
        Bad(
            "ops/resync.py",
            "from shutil import rmtree\n\nrmtree('/var/opt/gitlab/postgresql/data')\n",
            3,
        ),
        Bad("ops/wipe.py", "import os\nimport shutil\n\nshutil.rmtree(os.environ['PGDATA'])\n", 4),
    )
    good = (
        Good("ops/clean.py", "import shutil\n\nshutil.rmtree('build', ignore_errors=True)\n"),
        Good(
            "ops/resync.py",
            "import os\nimport shutil\n\nif os.environ['DEPLOY_ENV'] == 'staging':\n"
            "    shutil.rmtree('/var/lib/postgresql/14/main')\n",
        ),
    )

    @classmethod
    def may_report_argument(cls, texts: str, options: Mapping[str, Any]) -> bool:
        """The path must name a data directory or a data variable (``_path``, under ``options``)."""
        directories = options.get("data_directories", DEFAULT_DATA_DIRECTORIES)
        variables = options.get("data_variables", DEFAULT_DATA_VARIABLES)
        return any(d.rstrip("/").lower() in texts for d in directories) or any(v.lower() in texts for v in variables)

    def detect(
        self, scan: PythonScan, call: PyCall, doc: PythonDocument, ctx: RuleContext
    ) -> Iterator[tuple[str, str, Severity | None]]:
        if not call.args:
            return
        path = self._path(scan, call.args[0].value, ctx)
        if path is not None:
            yield f"`shutil.rmtree({path})` deletes a database data directory", f"rmtree:{path}", None

    def _path(self, scan: PythonScan, node: object, ctx: RuleContext) -> str | None:
        variables = ctx.options.get("data_variables", DEFAULT_DATA_VARIABLES)
        env = scan.env_name(node)
        if env is not None:
            return f"${env}" if env in variables else None
        if (
            isinstance(node, ast.Call)
            and arguments(node)
            and (scan.qualified(node.func) & {"pathlib.Path", "os.path.join", "pathlib.PurePosixPath"})
        ):
            node = arguments(node)[0].value
        text = scan.string_value(node)
        if text is None:
            return None
        clean = text.rstrip("/")
        for directory in ctx.options.get("data_directories", DEFAULT_DATA_DIRECTORIES):
            if clean == directory.rstrip("/") or clean.startswith(directory.rstrip("/") + "/"):
                return text
        return None
