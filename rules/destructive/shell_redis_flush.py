"""redis-cli FLUSHALL / FLUSHDB."""

from __future__ import annotations

from guardrails.facts.destructive_incidents import DIGITALOCEAN_2017
from guardrails.facts.destructive_shell import ShellDestructiveRule
from guardrails.model import Category, Kind, Severity
from guardrails.rule import Bad, Good


class ShellRedisFlush(ShellDestructiveRule):
    id = "DO004"
    name = "shell-redis-flush"
    title = "Script flushes a Redis database (FLUSHALL/FLUSHDB) without a production guard"
    category = Category.DESTRUCTIVE_OPERATION
    severity = Severity.HIGH
    kinds = frozenset({Kind.SHELL})
    incidents = (DIGITALOCEAN_2017,)
    pattern = "redis-flush"
    rationale = (
        "FLUSHALL deletes every key of every database of the server, FLUSHDB every key of the selected one, "
        "immediately and without a prompt. Where Redis holds sessions, queues or the primary copy of data, a "
        "cleanup script run against production is an outage. Commands are matched case-insensitively, as "
        "Redis reads them."
    )
    remediation = (
        "Guard the flush with an environment check or a confirmation, and disable the commands on production "
        'servers (`rename-command FLUSHALL ""`, ACL `-flushall -flushdb`, or Bitnami\'s DISABLE_COMMANDS).'
    )
    bad = (
        Bad("scripts/clear-cache.sh", '#!/bin/sh\nredis-cli -h "$REDIS_HOST" flushall\n', 2),
        Bad("scripts/clear.sh", "#!/bin/sh\nredis-cli -n 2 FLUSHDB ASYNC\n", 2),
    )
    good = (
        Good("scripts/info.sh", "#!/bin/sh\nredis-cli -h cache info keyspace\n"),
        Good(
            "scripts/clear-cache.sh",
            "#!/bin/sh\nread -r -p 'Flush everything? ' answer\n[ \"$answer\" = yes ] || exit 1\nredis-cli flushall\n",
            note="typed confirmation",
        ),
    )
