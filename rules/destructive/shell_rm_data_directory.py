"""rm -rf of a database data directory (the GitLab 2017 command)."""

from __future__ import annotations

from guardrails.facts.destructive_incidents import GITLAB_2017
from guardrails.facts.destructive_shell import DATA_OPTIONS, ShellDestructiveRule
from guardrails.facts.shell_guards import GUARD_OPTIONS
from guardrails.model import Category, Kind, Severity
from guardrails.rule import Bad, Good


class ShellRmDataDirectory(ShellDestructiveRule):
    id = "DO005"
    name = "shell-rm-database-data-directory"
    title = "Script deletes a database data directory with rm -r, unguarded"
    category = Category.DESTRUCTIVE_OPERATION
    severity = Severity.CRITICAL
    kinds = frozenset({Kind.SHELL, Kind.ANSIBLE})
    incidents = (GITLAB_2017,)
    pattern = "rm-data-dir"
    options = {**GUARD_OPTIONS, **DATA_OPTIONS}
    rationale = (
        "GitLab lost six hours of data when the PostgreSQL data directory was wiped on the primary instead of "
        "the secondary. `rm -r` (any spelling: -rf, -fr, -r -f, --recursive) of $PGDATA, /var/lib/postgresql, "
        "/var/lib/mysql, /var/lib/mongodb, /var/opt/gitlab/postgresql/data or a path below them deletes the "
        "database, and nothing in the command says which host it runs on. A variable holding such a path is "
        "resolved from its assignment in the script. Files below a data directory (`postmaster.pid`, a socket) "
        "and Dockerfile RUN steps (they run while an image is built, on no data) are left out. Ansible tasks "
        "count too: `rm -rf` in a `shell`/`command` task, and the `file` module with `state: absent` on a "
        "data directory, unless the task's `when:` keeps it from production (docs/ansible.md)."
    )
    remediation = (
        'Check the host before deleting: `case "$(hostname -f)" in db2-staging*) … ;; *) exit 1 ;; esac`, or '
        "exit early in production, or ask for the host name to be typed back. Move the directory aside "
        "(`mv data data.old`) instead of deleting it, and check that a recent backup restores."
    )
    bad = (
        Bad("runbooks/resync.sh", "#!/bin/bash\nsudo rm -rf /var/opt/gitlab/postgresql/data\n", 2),
        Bad(
            "scripts/reinit.sh",
            '#!/bin/bash\nDATA=/var/lib/postgresql/14/main\nsystemctl stop postgresql\nrm -r -f "$DATA"\n',
            4,
            note="path through a variable",
        ),
        Bad("scripts/wipe.sh", '#!/bin/sh\nrm --recursive --force "$PGDATA"/*\n', 2),
        Bad(
            "roles/db/tasks/reset.yml",
            "- ansible.builtin.file:\n    path: /var/lib/mysql\n    state: absent\n",
            1,
            note="Ansible's file module",
        ),
    )
    good = (
        Good("scripts/clean.sh", "#!/bin/sh\nrm -rf ./build /var/lib/apt/lists/*\n", note="not a data directory"),
        Good(
            "runbooks/resync.sh",
            '#!/bin/bash\ncase "$(hostname -f)" in\n  db2-staging*) rm -rf /var/opt/gitlab/postgresql/data ;;\n'
            '  *) echo "refusing on $(hostname -f)"; exit 1 ;;\nesac\n',
            note="host check that excludes production",
        ),
        Good("entrypoint.sh", "#!/bin/sh\nrm -f /var/lib/postgresql/data/postmaster.pid\n", note="one file, no -r"),
        Good(
            "roles/db/tasks/reset.yml",
            "- ansible.builtin.shell: rm -rf /var/lib/mysql\n  when: inventory_hostname is search('db')"
            " and env == 'staging'\n",
            note="Ansible: a when: that is false in production",
        ),
        Good("Dockerfile", "FROM mysql:8\nRUN rm -rf /var/lib/mysql && mkdir -p /var/lib/mysql\n", note="build time"),
    )
