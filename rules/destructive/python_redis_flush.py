"""redis flushall / flushdb."""

from __future__ import annotations

from collections.abc import Iterator

from guardrails.documents import PythonDocument
from guardrails.facts.destructive_incidents import DIGITALOCEAN_2017
from guardrails.facts.destructive_pyrule import PythonDestructiveRule
from guardrails.facts.destructive_python import PyCall, PythonScan, is_test_file
from guardrails.model import Category, Kind, Severity
from guardrails.rule import Bad, Good, RuleContext


class PythonRedisFlush(PythonDestructiveRule):
    id = "DO023"
    name = "python-redis-flush"
    title = "Python script flushes Redis (flushall/flushdb), unguarded"
    category = Category.DESTRUCTIVE_OPERATION
    severity = Severity.HIGH
    kinds = frozenset({Kind.PYTHON})
    triggers = frozenset({"flushall", "flushdb"})
    by_method = True
    incidents = (DIGITALOCEAN_2017,)
    rationale = (
        "`flushall()` deletes every key on the server and `flushdb()` every key of the selected database, "
        "without a prompt. Matched when the module imports redis (redis-py, its asyncio client) or valkey; "
        "test modules are left out."
    )
    remediation = (
        "Guard the call with an environment check or an earlier exit in production; disable FLUSHALL/FLUSHDB "
        "on production servers (ACL `-flushall -flushdb` or `rename-command`)."
    )
    bad = (Bad("scripts/clear.py", "import redis\n\nr = redis.Redis(host='cache')\nr.flushall()\n", 4),)
    good = (
        Good(
            "scripts/clear.py",
            "import click\nimport redis\n\n\n@click.command()\n@click.confirmation_option(prompt='Flush?')\n"
            "def main():\n    redis.Redis(host='cache').flushdb()\n",
        ),
        Good("scripts/cache.py", "import redis\n\nredis.Redis().delete('session:1')\n"),
    )

    def detect(
        self, scan: PythonScan, call: PyCall, doc: PythonDocument, ctx: RuleContext
    ) -> Iterator[tuple[str, str, Severity | None]]:
        method = scan.method(call)
        if method in ("flushall", "flushdb") and not is_test_file(doc.path) and scan.imports_any("redis", "valkey"):
            yield f"`{method}()` deletes every key", f"redis:{method}", None
