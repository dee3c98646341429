"""cursor/connection/engine/session .execute() with DROP DATABASE, DROP SCHEMA … CASCADE or TRUNCATE."""

from __future__ import annotations

from collections.abc import Iterator

from guardrails.documents import PythonDocument
from guardrails.facts import destructive_sql
from guardrails.facts.destructive_incidents import DIGITALOCEAN_2017
from guardrails.facts.destructive_pyrule import PythonDestructiveRule
from guardrails.facts.destructive_python import PyCall, PythonScan, is_test_file
from guardrails.model import Category, Kind, Severity
from guardrails.rule import Bad, Good, RuleContext

_EXECUTE = {"execute", "executescript", "exec_driver_sql", "executemany", "run"}


class PythonExecuteDestructiveSql(PythonDestructiveRule):
    id = "DO021"
    name = "python-execute-destructive-sql"
    title = "Python script executes DROP DATABASE, DROP SCHEMA … CASCADE or TRUNCATE, unguarded"
    category = Category.DESTRUCTIVE_OPERATION
    severity = Severity.CRITICAL
    kinds = frozenset({Kind.PYTHON})
    triggers = frozenset(_EXECUTE)
    by_method = True
    argument_words = frozenset({"drop", "truncate"})  # what data_wipes reports, before DELETE is set aside
    incidents = (DIGITALOCEAN_2017,)
    rationale = (
        "DigitalOcean's primary database was deleted by a test process configured with production "
        "credentials. `execute()` on a cursor, connection, engine or session runs whatever the string says on "
        "whatever the connection reaches. The SQL is taken from string literals, f-strings (their holes count "
        'as unknown names), `text("…")`/`sql.SQL("…")` and module-level constants, and read with the SQL '
        "parser, so comments and quoted text do not count. DROP DATABASE is critical; TRUNCATE and DROP SCHEMA "
        "… CASCADE are high. Throwaway names (`app_test`) are left out, and TRUNCATE in test modules too."
    )
    remediation = (
        'Check the environment before the statement (`if os.environ["ENV"] != "production":` around it, or an '
        "earlier `sys.exit` in production, or `assert`), or ask for confirmation; give test harnesses "
        "credentials that cannot reach production."
    )
    bad = (
        Bad(
            "harness/reset.py",
            "import os\nimport psycopg2\n\nconn = psycopg2.connect(os.environ['DATABASE_URL'])\n"
            "conn.autocommit = True\ncur = conn.cursor()\nname = os.environ['DB_NAME']\n"
            "cur.execute(f'DROP DATABASE {name}')\ncur.execute('TRUNCATE TABLE events')\n",
            8,
            9,
        ),
        Bad(
            "scripts/wipe.py",
            "from sqlalchemy import create_engine, text\n\nDROP = 'DROP SCHEMA public CASCADE'\n"
            "engine = create_engine('postgresql://db/app')\nwith engine.begin() as conn:\n"
            "    conn.execute(text(DROP))\n",
            6,
        ),
    )
    good = (
        Good(
            "harness/reset.py",
            "import os\nimport psycopg2\n\nconn = psycopg2.connect(os.environ['DATABASE_URL'])\ncur = conn.cursor()\n"
            "if os.environ['ENV'] != 'production':\n    cur.execute('DROP DATABASE app')\n"
            "cur.execute('SELECT 1 -- DROP DATABASE app')\ncur.execute(\"INSERT INTO log VALUES ('TRUNCATE x')\")\n",
        ),
        Good("harness/ci.py", "import sqlite3\n\nsqlite3.connect('x').execute('DROP DATABASE IF EXISTS app_test')\n"),
    )

    def detect(
        self, scan: PythonScan, call: PyCall, doc: PythonDocument, ctx: RuleContext
    ) -> Iterator[tuple[str, str, Severity | None]]:
        if scan.method(call) not in _EXECUTE or not call.args:
            return
        text = scan.string_value(call.args[0].value)
        if text is None:
            return
        for hit in destructive_sql.data_wipes(text):
            if hit.operation == "DELETE" or (hit.operation == "TRUNCATE" and is_test_file(doc.path)):
                continue
            severity = None if hit.operation == "DROP DATABASE" else Severity.HIGH
            yield f"`{scan.method(call)}()` runs `{hit.summary}`", f"execute:{hit.summary.lower()}", severity
