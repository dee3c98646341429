"""A datastore server is started, or configured, listening on every interface with authentication off."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, cast

from guardrails.documents import ShellDocument, instance_of
from guardrails.facts.datastores import (
    DATASTORES_OPTION_HELP,
    NEWSBLUR,
    Datastore,
    configured,
    server_command,
    server_programs,
)
from guardrails.facts.docker_run import unwrap
from guardrails.facts.shells import names_any
from guardrails.model import Category, Document, Finding, Kind, Severity, Span
from guardrails.rule import Bad, Good, Option, Rule, RuleContext

if TYPE_CHECKING:
    from guardrails.documents import DockerfileDocument

# Embedded shell of these hosts is judged by the rules that know how they are published.
_HOSTS_ELSEWHERE = frozenset({Kind.COMPOSE, Kind.KUBERNETES})


# The datastores' own configuration files (guardrails.facts.server_configs reads them).
_SERVER_CONFIGS = frozenset({Kind.REDIS_CONF, Kind.PG_HBA, Kind.MYSQL_CNF, Kind.MONGOD_CONF, Kind.ELASTICSEARCH_YML})


class DatastoreServerWithoutAuth(Rule):
    id = "ED004"
    name = "datastore-server-without-auth"
    title = "Datastore server started or configured on all interfaces without authentication"
    category = Category.EXPOSED_DATASTORE
    severity = Severity.CRITICAL
    kinds = frozenset(
        {
            Kind.SHELL,
            Kind.DOCKERFILE,
            Kind.REDIS_CONF,
            Kind.MONGOD_CONF,
            Kind.PG_HBA,
            Kind.MYSQL_CNF,
            Kind.ELASTICSEARCH_YML,
        }
    )
    incidents = (NEWSBLUR,)
    rationale = (
        "`mongod --bind_ip_all` without `--auth`, or `redis-server --protected-mode no` without `--requirepass`, "
        "accepts anyone who can reach the port, and the flag that opened it to every interface says it is "
        "meant to be reached. NewsBlur's MongoDB had no users at all and relied on a firewall that Docker "
        "silently bypassed. In a Dockerfile the same command is baked into every container started from the "
        "image (high); in a script run on a host it is live immediately (critical). The server's own configuration "
        "file says the same: redis.conf `protected-mode no` with no password on every interface, mongod.conf "
        "`bindIpAll` without `security.authorization: enabled`, a pg_hba.conf `trust` record for every address "
        "(critical when the postgresql.conf beside it listens on `*`, high when that is not known), my.cnf "
        "`skip-grant-tables` with `bind-address = 0.0.0.0` (high: MySQL 8.0.3+ turns networking off itself, "
        "MariaDB does not) and elasticsearch.yml/opensearch.yml with security switched off on `0.0.0.0`. A "
        "file that only unpublished compose services mount reaches the stack's network alone (medium). "
        "What depends on a version the file does not name (Elasticsearch before 8.0 is open by default) is not "
        "reported; see docs/server-configs.md."
    )
    remediation = (
        "Turn authentication on (`mongod --auth` with a user created first, `redis-server --requirepass ...` "
        "or an ACL file) and bind to the addresses that need it (`--bind_ip 127.0.0.1,10.0.0.5`)."
    )
    options = {"datastores": Option([], DATASTORES_OPTION_HELP)}
    bad = (
        Bad("start-mongo.sh", "#!/bin/sh\nmongod --dbpath /data/db --bind_ip_all\n", 2),
        Bad("run.sh", "#!/bin/sh\nexec redis-server --protected-mode no --port 6379\n", 2),
        Bad("Dockerfile", 'FROM mongo:7\nCMD ["mongod", "--bind_ip_all", "--noauth"]\n', 2),
        Bad("Dockerfile", "FROM redis:7\nCMD redis-server --protected-mode no\n", 2, note="shell form"),
        Bad("redis.conf", "bind 0.0.0.0\nprotected-mode no\nport 6379\n", 2),
        Bad("mongod.conf", "net:\n  port: 27017\n  bindIpAll: true\nstorage:\n  dbPath: /data/db\n", 3),
        Bad("pg_hba.conf", "local all all peer\nhost all all 0.0.0.0/0 trust\n", 2, note="listen_addresses unknown"),
        Bad("my.cnf", "[mariadb]\nskip-grant-tables\nbind-address = 0.0.0.0\n", 2),
        Bad("elasticsearch.yml", "network.host: 0.0.0.0\nxpack.security.enabled: false\n", 2),
    )
    good = (
        Good("start-mongo.sh", "#!/bin/sh\nmongod --bind_ip_all --auth --keyFile /etc/mongo/key\n"),
        Good("run.sh", '#!/bin/sh\nredis-server --protected-mode no --requirepass "$REDIS_PASSWORD"\n'),
        Good("run.sh", "#!/bin/sh\nredis-server --protected-mode no --bind 127.0.0.1 ::1\n", note="loopback only"),
        Good("Dockerfile", 'FROM mongo:7\nCMD ["mongod", "--config", "/etc/mongod.conf", "--bind_ip_all"]\n'),
        Good("redis.conf", "bind 0.0.0.0\nprotected-mode no\nrequirepass s3cr3t-from-vault\n"),
        Good("redis.conf", "bind 0.0.0.0\n", note="protected mode is on by default since 3.2"),
        Good("mongod.conf", "net:\n  bindIp: 0.0.0.0\nsecurity:\n  authorization: enabled\n"),
        Good(
            "pg_hba.conf",
            "host all all 0.0.0.0/0 scram-sha-256\nhost all all 0.0.0.0/0 trust\n",
            note="the first matching record wins",
        ),
        Good(
            "pg_hba.conf",
            "host all all 0.0.0.0/0 trust\n",
            note="the postgresql.conf beside it listens on loopback only",
            extra={"postgresql.conf": "listen_addresses = 'localhost'\n"},
        ),
        Good("elasticsearch.yml", "network.host: 0.0.0.0\n", note="security is on by default from 8.0"),
    )

    def check(self, doc: Document, ctx: RuleContext) -> Iterator[Finding]:
        if doc.kind in _SERVER_CONFIGS:
            from guardrails.facts.server_configs import exposures  # its tables cost other kinds start-up time

            for found in exposures(doc, ctx.project):
                yield self.finding(
                    doc,
                    found.span,
                    f"{found.store} {found.listen} with authentication off: {found.auth}",
                    anchor=found.anchor,
                    ctx=ctx,
                    severity=found.severity,
                )
        extra = configured(ctx.options)
        if isinstance(doc, ShellDocument):
            if doc.parent is not None and doc.host.kind in _HOSTS_ELSEWHERE:
                return
            if not names_any(doc.text, server_programs(extra)):
                return  # starts no server: the script is not even walked
            in_image = doc.parent is not None and doc.host.kind is Kind.DOCKERFILE
            for cmd in doc.commands:
                words = [cmd.command, *cmd.argv] if cmd.command else []
                yield from self._report(doc, cmd.span, words, extra, ctx, in_image)
        elif instance_of(doc, "DockerfileDocument"):  # a shell-only scan never imports the Dockerfile model
            for ins in cast("DockerfileDocument", doc).instructions:
                if ins.keyword in ("CMD", "ENTRYPOINT") and ins.exec_form:
                    yield from self._report(doc, ins.span, list(ins.exec_form), extra, ctx, True)

    def _report(
        self,
        doc: Document,
        span: Span,
        words: list[str],
        extra: tuple[Datastore, ...],
        ctx: RuleContext,
        in_image: bool,
    ) -> Iterator[Finding]:
        words = unwrap(words)
        server = server_command(words, extra)
        if server is None or not server.listens_all or not server.auth.open:
            return
        where = "baked into the image" if in_image else "on the host"
        yield self.finding(
            doc,
            span,
            f"`{' '.join(words[:6])}` starts {server.store.name} {where} listening on every interface "
            f"({server.bind}); {server.auth.reason}",
            anchor=f"server:{' '.join(words)}",
            ctx=ctx,
            severity=Severity.HIGH if in_image else None,
        )
