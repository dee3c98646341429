"""SQLAlchemy MetaData.drop_all outside a test suite, unguarded."""

from __future__ import annotations

from collections.abc import Iterator

from guardrails.documents import PythonDocument
from guardrails.facts.destructive_incidents import DIGITALOCEAN_2017
from guardrails.facts.destructive_pyrule import PythonDestructiveRule
from guardrails.facts.destructive_python import PyCall, PythonScan, is_test_file
from guardrails.model import Category, Kind, Severity
from guardrails.rule import Bad, Good, RuleContext


class PythonSqlalchemyDropAll(PythonDestructiveRule):
    id = "DO020"
    name = "python-sqlalchemy-drop-all"
    title = "Python script drops every table with SQLAlchemy drop_all, unguarded"
    category = Category.DESTRUCTIVE_OPERATION
    severity = Severity.CRITICAL
    kinds = frozenset({Kind.PYTHON})
    triggers = frozenset({"drop_all"})
    by_method = True
    incidents = (DIGITALOCEAN_2017,)
    rationale = (
        "`MetaData.drop_all(engine)` (and Flask-SQLAlchemy's `db.drop_all()`) drops every table the models "
        "know, on whatever database the engine URL points at. A reset or seed script that reads DATABASE_URL "
        "from the environment deletes production the day it runs with production settings (DigitalOcean, "
        "2017). Test modules (`test_*.py`, `*_test.py`, conftest.py) own their disposable databases and are "
        "left out; the call is matched when the module imports sqlalchemy, flask_sqlalchemy or sqlmodel."
    )
    remediation = (
        'Refuse production before the call (`if os.environ.get("ENV") == "production": sys.exit(...)`, or '
        '`assert settings.ENVIRONMENT != "production"`), or ask for confirmation (`click.confirm(..., abort=True)`).'
    )
    bad = (
        Bad(
            "scripts/reset_db.py",
            "import os\nfrom sqlalchemy import create_engine\nfrom app.models import Base\n\n"
            "engine = create_engine(os.environ['DATABASE_URL'])\nBase.metadata.drop_all(engine)\n"
            "Base.metadata.create_all(engine)\n",
            6,
        ),
        Bad(
            "scripts/reset_db.py",
            "import argparse\nimport os\nfrom sqlalchemy import create_engine\nfrom app.models import Base\n\n"
            "parser = argparse.ArgumentParser()\nparser.add_argument('--force', action='store_true', default=True)\n"
            "args = parser.parse_args()\nif args.force:\n"
            "    Base.metadata.drop_all(create_engine(os.environ['DATABASE_URL']))\n",
            10,
            note="--force is on by default: no opt-in",
        ),
    )
    good = (
        Good(
            "scripts/reset_db.py",
            "import os\nimport sys\nfrom sqlalchemy import create_engine\nfrom app.models import Base\n\n"
            "if os.environ.get('APP_ENV') == 'production':\n    sys.exit('refusing to reset production')\n"
            "engine = create_engine(os.environ['DATABASE_URL'])\nBase.metadata.drop_all(engine)\n",
        ),
        Good(
            "tests/conftest.py",
            "import pytest\nfrom sqlalchemy import create_engine\nfrom app.models import Base\n\n"
            "@pytest.fixture\ndef db():\n    engine = create_engine('sqlite://')\n"
            "    Base.metadata.create_all(engine)\n    yield engine\n    Base.metadata.drop_all(engine)\n",
            note="a test suite's own database",
        ),
        Good(
            "scripts/reset_db.py",
            "import argparse\nimport os\nfrom sqlalchemy import create_engine\nfrom app.models import Base\n\n"
            "parser = argparse.ArgumentParser()\nparser.add_argument('--force', action='store_true')\n"
            "args = parser.parse_args()\nif args.force:\n"
            "    Base.metadata.drop_all(create_engine(os.environ['DATABASE_URL']))\n",
            note="a dry run unless --force is given",
        ),
    )

    def detect(
        self, scan: PythonScan, call: PyCall, doc: PythonDocument, ctx: RuleContext
    ) -> Iterator[tuple[str, str, Severity | None]]:
        if scan.method(call) != "drop_all" or is_test_file(doc.path):
            return
        if scan.imports_any("sqlalchemy", "flask_sqlalchemy", "sqlmodel"):
            yield f"`{scan.code(call.node.func)}()` drops every table", "drop_all", None
