"""rails db:drop with DISABLE_DATABASE_ENVIRONMENT_CHECK=1."""

from __future__ import annotations

from guardrails.facts.destructive_incidents import DIGITALOCEAN_2017
from guardrails.facts.destructive_shell import ShellDestructiveRule
from guardrails.model import Category, Kind, Severity
from guardrails.rule import Bad, Good


class ShellRailsDbDrop(ShellDestructiveRule):
    id = "DO013"
    name = "shell-rails-db-drop-unprotected"
    title = "Script runs rails db:drop (or db:reset, db:purge) with the environment check disabled"
    category = Category.DESTRUCTIVE_OPERATION
    severity = Severity.CRITICAL
    kinds = frozenset({Kind.SHELL})
    incidents = (DIGITALOCEAN_2017,)
    pattern = "rails-drop"
    rationale = (
        "Rails refuses destructive database tasks on a protected environment "
        "(ActiveRecord::ProtectedEnvironmentError) unless DISABLE_DATABASE_ENVIRONMENT_CHECK=1 is set. A "
        "script that sets it, as a prefix, an exported variable or a rake argument, has removed the one check "
        "that stops `db:drop` from deleting production."
    )
    remediation = (
        "Remove DISABLE_DATABASE_ENVIRONMENT_CHECK; if a non-production environment really needs it, set it only "
        "inside a branch that excludes production."
    )
    bad = (
        Bad("bin/reset", "#!/bin/bash\nDISABLE_DATABASE_ENVIRONMENT_CHECK=1 bin/rails db:drop db:create\n", 2),
        Bad("bin/reset2", "#!/bin/bash\nexport DISABLE_DATABASE_ENVIRONMENT_CHECK=1\nbundle exec rake db:reset\n", 3),
    )
    good = (
        Good("bin/reset", "#!/bin/bash\nbin/rails db:drop db:create db:migrate\n", note="Rails checks"),
        Good(
            "bin/reset",
            '#!/bin/bash\nif [ "$RAILS_ENV" = test ]; then\n'
            "  DISABLE_DATABASE_ENVIRONMENT_CHECK=1 bin/rails db:drop\nfi\n",
        ),
    )
