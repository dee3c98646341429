"""DROP DATABASE / DROP SCHEMA … CASCADE sent to a database through its command-line client."""

from __future__ import annotations

from guardrails import DOCS
from guardrails.facts.destructive_incidents import DIGITALOCEAN_2017, GITLAB_2017
from guardrails.facts.destructive_shell import ShellDestructiveRule
from guardrails.model import Category, Kind, Severity
from guardrails.rule import Bad, Good


class ShellSqlDropDatabase(ShellDestructiveRule):
    id = "DO001"
    name = "shell-sql-drop-database"
    title = "Script drops a database through psql, mysql or sqlcmd without a production guard"
    category = Category.DESTRUCTIVE_OPERATION
    severity = Severity.CRITICAL
    kinds = frozenset({Kind.SHELL})
    incidents = (DIGITALOCEAN_2017, GITLAB_2017)
    pattern = "sql-drop"
    rationale = (
        "DigitalOcean's primary database was deleted by an automated test process that held production "
        "credentials: the script that drops and recreates a database works on whatever the connection points "
        "at. DROP DATABASE (and DROP SCHEMA … CASCADE, or DROP SCHEMA in MySQL where it is DROP DATABASE) "
        "sent through `psql -c`, `mysql -e`, `sqlcmd -Q`, a heredoc, a here-string, a piped `echo` or a "
        "SQL file (`psql -f`, `< drop.sql`) is read with the SQL parser, so a DROP in a comment or in an echoed "
        "string that is never sent does not count. Databases named as throwaway (`app_test`, `ci_1234`), "
        "built from a PR number or a random part, or created earlier by the same script are "
        "left out. Wrapped commands are unwrapped: `sudo -u postgres psql`, `docker exec db psql`, "
        '`kubectl exec … -- psql`, `sh -c`, `su -c`, `ssh host "…"`.'
    )
    remediation = (
        'Refuse to run against production: `[ "$ENV" = production ] && { echo refusing >&2; exit 1; }`, or '
        'wrap the drop in `if [ "$ENV" != production ]`, or ask for a typed confirmation (`read -r answer` then '
        "test it). Better, give test jobs credentials that cannot reach production at all. What counts as a guard: "
        f"{DOCS}/guards.md"
    )
    bad = (
        Bad("scripts/reset.sh", '#!/bin/sh\npsql -h "$DB_HOST" -c "DROP DATABASE app"\ncreatedb app\n', 2),
        Bad(
            "scripts/wipe.sh",
            "#!/bin/bash\nmysql -u root <<SQL\nDROP SCHEMA shop;\nSQL\n",
            2,
            note="heredoc into mysql: DROP SCHEMA is DROP DATABASE",
        ),
        Bad(
            "scripts/remote.sh",
            "#!/bin/bash\nssh db1 \"sudo -u postgres psql -c 'DROP DATABASE gitlabhq_production'\"\n",
            2,
            note="through ssh and sudo",
        ),
    )
    good = (
        Good(
            "scripts/reset.sh",
            '#!/bin/sh\nif [ "$ENV" != production ]; then\n  psql -c "DROP DATABASE app"\nfi\n',
            note="guarded by the environment",
        ),
        Good(
            "scripts/reset.sh",
            '#!/bin/sh\necho "DROP DATABASE app" > notes.txt\npsql -c "SELECT 1 -- DROP DATABASE app"\n',
            note="echoed into a file, and in a SQL comment",
        ),
        Good("scripts/ci.sh", '#!/bin/sh\npsql -c "DROP DATABASE IF EXISTS app_test"\n', note="test database"),
        Good("scripts/clean.sh", '#!/bin/sh\npsql -c "DROP SCHEMA staging_tmp"\n', note="no CASCADE in PostgreSQL"),
    )
