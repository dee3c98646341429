"""manage.py flush --noinput."""

from __future__ import annotations

from guardrails.facts.destructive_incidents import DIGITALOCEAN_2017
from guardrails.facts.destructive_shell import ShellDestructiveRule
from guardrails.model import Category, Kind, Severity
from guardrails.rule import Bad, Good


class ShellDjangoFlush(ShellDestructiveRule):
    id = "DO012"
    name = "shell-django-flush-noinput"
    title = "Script empties a Django database with manage.py flush --noinput"
    category = Category.DESTRUCTIVE_OPERATION
    severity = Severity.CRITICAL
    kinds = frozenset({Kind.SHELL})
    incidents = (DIGITALOCEAN_2017,)
    pattern = "django-flush"
    rationale = (
        "Django's `flush` removes all data from the database the settings point at; `--noinput`/`--no-input` "
        "skips its confirmation. In a test or seed script that runs with production settings it empties "
        "production (the DigitalOcean pattern)."
    )
    remediation = (
        'Drop `--noinput` or guard the command with an environment check (`[ "$DJANGO_ENV" = production ] && '
        "exit 1`); use a separate test database (Django's test runner creates one)."
    )
    bad = (Bad("scripts/seed.sh", "#!/bin/sh\npython manage.py flush --noinput\npython manage.py loaddata seed\n", 2),)
    good = (
        Good("scripts/seed.sh", "#!/bin/sh\npython manage.py flush\n", note="asks first"),
        Good(
            "scripts/seed.sh",
            '#!/bin/sh\nif [ "$DJANGO_ENV" = development ]; then python manage.py flush --no-input; fi\n',
        ),
    )
