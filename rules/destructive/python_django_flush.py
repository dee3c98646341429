"""Django call_command("flush", interactive=False)."""

from __future__ import annotations

from collections.abc import Iterator

from guardrails.documents import PythonDocument
from guardrails.facts.destructive_incidents import DIGITALOCEAN_2017
from guardrails.facts.destructive_pyrule import PythonDestructiveRule
from guardrails.facts.destructive_python import PyCall, PythonScan, is_test_file
from guardrails.model import Category, Kind, Severity
from guardrails.rule import Bad, Good, RuleContext


class PythonDjangoFlush(PythonDestructiveRule):
    id = "DO025"
    name = "python-django-flush-noninteractive"
    title = "Python code empties the Django database with call_command('flush', interactive=False)"
    category = Category.DESTRUCTIVE_OPERATION
    severity = Severity.CRITICAL
    kinds = frozenset({Kind.PYTHON})
    triggers = frozenset({"call_command"})
    callees = frozenset({"django.core.management.call_command"})
    argument_words = frozenset({"flush"})  # the command it is given
    incidents = (DIGITALOCEAN_2017,)
    rationale = (
        "Django's flush removes all data from the database in settings; `interactive=False` (or `--noinput`) "
        "skips its question. A management command or script doing this under production settings empties "
        "production. `call_command` is resolved by qualified name (django.core.management.call_command); test "
        "modules are left out."
    )
    remediation = (
        'Check `settings.DEBUG` or the environment before the call (`if settings.ENVIRONMENT != "production":`), '
        "or keep the prompt."
    )
    bad = (
        Bad(
            "app/management/commands/reset.py",
            "from django.core.management import call_command\nfrom django.core.management.base import BaseCommand\n"
            "\n\nclass Command(BaseCommand):\n    def handle(self, *args, **options):\n"
            "        call_command('flush', interactive=False)\n",
            7,
        ),
    )
    good = (
        Good(
            "app/management/commands/reset.py",
            "from django.conf import settings\nfrom django.core.management import call_command\n"
            "from django.core.management.base import BaseCommand\n\n\nclass Command(BaseCommand):\n"
            "    def handle(self, *args, **options):\n        if settings.DEBUG:\n"
            "            call_command('flush', interactive=False)\n",
        ),
        Good(
            "app/management/commands/reset.py",
            "from django.core.management import call_command\n\ncall_command('migrate', interactive=False)\n",
        ),
    )

    def detect(
        self, scan: PythonScan, call: PyCall, doc: PythonDocument, ctx: RuleContext
    ) -> Iterator[tuple[str, str, Severity | None]]:
        if is_test_file(doc.path) or not call.args:
            return
        if scan.string_value(call.args[0].value) != "flush":
            return
        positional = [scan.string_value(a.value) for a in call.args if a.keyword is None]
        noinput = scan.is_false(scan.keyword(call, "interactive")) or any(
            p in ("--noinput", "--no-input") for p in positional
        )
        if noinput:
            yield "`call_command('flush', interactive=False)` removes all data", "call_command:flush", None
