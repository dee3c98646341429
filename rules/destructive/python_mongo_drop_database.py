"""pymongo drop_database."""

from __future__ import annotations

from collections.abc import Iterator

from guardrails.documents import PythonDocument
from guardrails.facts.destructive_incidents import DIGITALOCEAN_2017, NEWSBLUR_2021
from guardrails.facts.destructive_pyrule import PythonDestructiveRule
from guardrails.facts.destructive_python import PyCall, PythonScan, is_test_file
from guardrails.facts.destructive_sql import disposable_name
from guardrails.model import Category, Kind, Severity
from guardrails.rule import Bad, Good, RuleContext


class PythonMongoDropDatabase(PythonDestructiveRule):
    id = "DO022"
    name = "python-mongo-drop-database"
    title = "Python script drops a MongoDB database with drop_database, unguarded"
    category = Category.DESTRUCTIVE_OPERATION
    severity = Severity.CRITICAL
    kinds = frozenset({Kind.PYTHON})
    triggers = frozenset({"drop_database"})
    by_method = True
    incidents = (DIGITALOCEAN_2017, NEWSBLUR_2021)
    rationale = (
        "`MongoClient.drop_database(name)` deletes a database at once, on whichever server the connection "
        "string names. Matched when the module imports pymongo or motor; test modules and throwaway names "
        "(`app_test`) are left out."
    )
    remediation = (
        "Guard the call with an environment check or an earlier exit in production, or ask for confirmation; "
        "use a MongoDB user without the dropDatabase privilege for scripts."
    )
    bad = (
        Bad(
            "scripts/reset_mongo.py",
            "import os\nfrom pymongo import MongoClient\n\nclient = MongoClient(os.environ['MONGO_URL'])\n"
            "client.drop_database('newsblur')\n",
            5,
        ),
    )
    good = (
        Good(
            "scripts/reset_mongo.py",
            "import os\nfrom pymongo import MongoClient\n\nclient = MongoClient(os.environ['MONGO_URL'])\n"
            "assert os.environ.get('ENV') in ('dev', 'test'), 'not in production'\nclient.drop_database('newsblur')\n",
        ),
        Good(
            "scripts/reset_mongo.py",
            "from pymongo import MongoClient\n\nMongoClient().drop_database('newsblur_test')\n",
        ),
    )

    def detect(
        self, scan: PythonScan, call: PyCall, doc: PythonDocument, ctx: RuleContext
    ) -> Iterator[tuple[str, str, Severity | None]]:
        if scan.method(call) != "drop_database" or is_test_file(doc.path) or not scan.imports_any("pymongo", "motor"):
            return
        name = scan.string_value(call.args[0].value) if call.args else None
        if name is not None and disposable_name(name):
            return
        shown = name if name is not None else "?"
        yield f"`drop_database({shown})` deletes the database", f"drop_database:{shown}", None
