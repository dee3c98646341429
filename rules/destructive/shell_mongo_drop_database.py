"""mongo / mongosh running dropDatabase()."""

from __future__ import annotations

from guardrails.facts.destructive_incidents import DIGITALOCEAN_2017, NEWSBLUR_2021
from guardrails.facts.destructive_shell import ShellDestructiveRule
from guardrails.model import Category, Kind, Severity
from guardrails.rule import Bad, Good


class ShellMongoDropDatabase(ShellDestructiveRule):
    id = "DO003"
    name = "shell-mongo-drop-database"
    title = "Script runs db.dropDatabase() through mongo or mongosh without a production guard"
    category = Category.DESTRUCTIVE_OPERATION
    severity = Severity.CRITICAL
    kinds = frozenset({Kind.SHELL, Kind.ANSIBLE})
    incidents = (DIGITALOCEAN_2017, NEWSBLUR_2021)
    pattern = "mongo-drop"
    rationale = (
        "`dropDatabase` deletes a MongoDB database at once (NewsBlur's database went this way). A script that "
        "runs `mongosh --eval 'db.dropDatabase()'`, or pipes it in, deletes whatever database the connection "
        "string names, production included. The JavaScript is read with comments and strings skipped, so "
        '`print("dropDatabase()")` does not count.'
    )
    remediation = (
        "Keep the call away from production: an environment check that excludes it, an earlier exit in "
        "production, or a typed confirmation. Use credentials without the dropDatabase privilege for tests."
    )
    bad = (
        Bad("scripts/reset.sh", "#!/bin/sh\nmongosh \"$MONGO_URL\" --eval 'db.dropDatabase()'\n", 2),
        Bad("scripts/reset2.sh", "#!/bin/sh\necho 'db.getSiblingDB(\"app\").dropDatabase()' | mongo\n", 2),
    )
    good = (
        Good(
            "scripts/reset.sh",
            "#!/bin/sh\ncase \"$APP_ENV\" in\n  dev|test) mongosh --eval 'db.dropDatabase()' ;;\nesac\n",
            note="only in dev and test",
        ),
        Good("scripts/stats.sh", "#!/bin/sh\nmongosh --eval 'print(\"dropDatabase()\"); db.stats()'\n"),
    )
