"""dropdb / mysqladmin --force drop: a database deleted by a client tool without a prompt."""

from __future__ import annotations

from guardrails.facts.destructive_incidents import DIGITALOCEAN_2017
from guardrails.facts.destructive_shell import ShellDestructiveRule
from guardrails.model import Category, Kind, Severity
from guardrails.rule import Bad, Good


class ShellDropdb(ShellDestructiveRule):
    id = "DO002"
    name = "shell-dropdb-without-confirmation"
    title = "Script deletes a database with dropdb or mysqladmin --force drop, unguarded"
    category = Category.DESTRUCTIVE_OPERATION
    severity = Severity.CRITICAL
    kinds = frozenset({Kind.SHELL, Kind.ANSIBLE})
    incidents = (DIGITALOCEAN_2017,)
    pattern = "dropdb"
    rationale = (
        "`dropdb NAME` deletes a PostgreSQL database and asks nothing unless `-i/--interactive` is given; "
        "`mysqladmin drop NAME` asks for confirmation, which `-f/--force` turns off. A test or reset script "
        "that holds production credentials (DigitalOcean, 2017) then deletes production. Databases named as "
        "throwaway (`app_test`) are left out, and so are databases the script made for itself: a name built "
        "from a PR number, a CI run id or a random part (`pr_$PR_NUMBER`, `$RANDOM`, `$(uuidgen)`), or one it "
        'created earlier (`createdb "$DB"` ... `dropdb "$DB"`). A drop before the create is reported. '
        "Ansible tasks count too: `dropdb` in a `shell`/`command` task, and `postgresql_db`/`mysql_db` with "
        "`state: absent`, unless the task's `when:` keeps it from production (docs/ansible.md)."
    )
    remediation = (
        "Guard the command with an environment check that excludes production, an earlier "
        '`[ "$ENV" = production ] && exit 1`, or a confirmation (`dropdb --interactive`, `read` and test the '
        "answer). Give test jobs credentials that cannot reach production."
    )
    bad = (
        Bad("bin/reset-db", "#!/bin/bash\nset -e\ndropdb -h db.internal app\ncreatedb -h db.internal app\n", 3),
        Bad("scripts/drop.sh", "#!/bin/sh\nmysqladmin -u root --force drop shop\n", 2),
        Bad(
            "scripts/copy.sh",
            '#!/bin/sh\ncreatedb "$DB_COPY"\ndropdb "$DB"\n',
            3,
            note="the script created a different database than the one it drops",
        ),
        Bad(
            "playbooks/reset.yml",
            "- hosts: db\n  tasks:\n    - community.postgresql.postgresql_db:\n        name: orders\n"
            "        state: absent\n",
            3,
            note="Ansible: the module drops the database as dropdb would",
        ),
    )
    good = (
        Good("bin/reset-db", "#!/bin/bash\ndropdb --interactive app\n", note="asks first"),
        Good(
            "bin/reset-db",
            '#!/bin/bash\n[ "$RAILS_ENV" = production ] && exit 1\ndropdb app\n',
            note="exits earlier in production",
        ),
        Good("scripts/drop.sh", "#!/bin/sh\nmysqladmin -u root drop shop\n", note="mysqladmin prompts without -f"),
        Good("scripts/ci.sh", "#!/bin/sh\ndropdb --if-exists app_test\n", note="test database"),
        Good(
            "playbooks/reset.yml",
            "- hosts: db\n  tasks:\n    - ansible.builtin.command: dropdb orders\n"
            "      when: deploy_env != 'production'\n",
            note="Ansible: the task's when: keeps it from production",
        ),
        Good(
            "scripts/preview.sh",
            '#!/bin/sh\nDB="preview_$PR_NUMBER"\ncreatedb "$DB"\npsql -d "$DB" -f seed.sql\ndropdb "$DB"\n',
            note="named after the PR, and created by the script itself",
        ),
    )
