"""A script starts a datastore container with its port published on every interface."""

from __future__ import annotations

from collections.abc import Iterator

from guardrails.documents import ShellDocument
from guardrails.facts.datastores import (
    DATASTORES_OPTION_HELP,
    NEWSBLUR,
    auth_state,
    configured,
    find_datastore,
    weak_credentials,
)
from guardrails.facts.docker_run import (
    CONTAINER_PROGRAMS,
    ComposeCommand,
    DockerRun,
    RunEnvironment,
    compose_command,
    docker_run,
    environment,
)
from guardrails.facts.network import is_all_interfaces
from guardrails.facts.shells import names_any
from guardrails.model import Category, Finding, Kind, Severity, Span
from guardrails.rule import Bad, Good, Option, Rule, RuleContext


class DockerRunDatastorePortExposed(Rule):
    id = "ED003"
    name = "docker-run-datastore-port-exposed"
    title = "Datastore container started with its port published on all interfaces"
    category = Category.EXPOSED_DATASTORE
    severity = Severity.HIGH
    kinds = frozenset({Kind.SHELL})
    incidents = (NEWSBLUR,)
    rationale = (
        "`docker run -p 27017:27017 mongo` binds 0.0.0.0 and [::], and Docker's iptables rules bypass ufw and "
        "firewalld: the datastore is on the internet as soon as the host is. `-P` publishes every exposed port "
        "the same way and `--network host` puts the server straight on the host's interfaces. Without "
        "authentication (critical) the first scanner to find it owns the data, as NewsBlur learned. "
        "`docker compose --env-file` in a script is judged too when the env file switches off the "
        "authentication of a service that publishes its port."
    )
    remediation = (
        "Publish to loopback only (`-p 127.0.0.1:27017:27017`) or not at all (use a user-defined network "
        "between containers), and enable authentication (`-e MONGO_INITDB_ROOT_USERNAME=... -e "
        "MONGO_INITDB_ROOT_PASSWORD=...`, `redis-server --requirepass ...`)."
    )
    options = {"datastores": Option([], DATASTORES_OPTION_HELP)}
    bad = (
        Bad("run-db.sh", "#!/bin/sh\ndocker run -d --name db -p 27017:27017 mongo:4.4\n", 2),
        Bad(
            "start.sh",
            '#!/bin/bash\ndocker run -d \\\n  --network host \\\n  -e POSTGRES_PASSWORD="$PGPASS" \\\n  postgres:16\n',
            3,
            note="host networking, authenticated: high",
        ),
    )
    good = (
        Good("run-db.sh", "#!/bin/sh\ndocker run -d -p 127.0.0.1:27017:27017 mongo:4.4\n", note="loopback"),
        Good("run-web.sh", "#!/bin/sh\ndocker run -d -p 5432:80 nginx\n", note="port 5432 on the host, nginx inside"),
    )

    def check(self, doc: ShellDocument, ctx: RuleContext) -> Iterator[Finding]:  # type: ignore[override]
        if not names_any(doc.text, CONTAINER_PROGRAMS):
            return  # runs no container: the script is not even walked
        extra = configured(ctx.options)
        for cmd in doc.commands:
            compose_run = compose_command(cmd)
            if compose_run is not None:
                yield from self._compose_cli(doc, compose_run, ctx)
                continue
            run = docker_run(cmd)
            if run is None or not run.image.static:
                continue
            image = run.image.value
            store = find_datastore(image, extra, run.container_ports)
            if store is None:
                continue
            env = environment(run, doc, ctx.project)
            auth = auth_state(store, env.values, run.args, image)
            weak = weak_credentials(store, env.values, run.args)
            hidden_env = bool(env.unknown) and not auth.explicit
            if auth.open and not hidden_env:
                severity, protection = Severity.CRITICAL, auth.reason + _source(env, auth.reason)
            elif weak:
                severity = Severity.CRITICAL
                protection = f"{weak[0].key} is {weak[0].description}{_source(env, weak[0].key)}"
            elif auth.open:
                files = ", ".join(w.value for w in env.unknown)
                severity, protection = Severity.HIGH, f"credentials may come from --env-file {files}"
            else:
                severity, protection = Severity.HIGH, f"authenticated ({auth.reason}), still reachable by anyone"
            for span, anchor, what in self._exposures(run, store.ports):
                yield self.finding(
                    doc,
                    span,
                    f"`docker run` of {image} ({store.name}) {what}; {protection}",
                    anchor=f"docker-run:{image}:{anchor}",
                    ctx=ctx,
                    severity=severity,
                )

    def _compose_cli(self, doc: ShellDocument, run: ComposeCommand, ctx: RuleContext) -> Iterator[Finding]:
        """``docker compose --env-file F``: a published datastore whose authentication F's
        variables switch off (the compose file alone is ED001's)."""
        from guardrails.facts.compose import cli_services

        for svc in cli_services(run, doc, ctx.project, configured(ctx.options)):
            key = svc.auth.reason.split("=", 1)[0]
            if not svc.exposures or not svc.auth.open or not svc.auth.explicit or not svc.from_file(key):
                continue
            ports = ", ".join(sorted({str(e.port) for e in svc.exposures}))
            yield self.finding(
                doc,
                run.env_files[-1].span,
                f"`docker compose --env-file` runs service '{svc.name}' ({svc.image}, {svc.store.name}) with "
                f"container port {ports} published on all interfaces; {svc.auth.reason} "
                f"({key}: {svc.env[key].raw} from the env file)",
                anchor=f"compose-cli:{svc.name}:auth",
                ctx=ctx,
                severity=Severity.CRITICAL,
            )

    @staticmethod
    def _exposures(run: DockerRun, ports: tuple[int, ...]) -> Iterator[tuple[Span, str, str]]:
        if run.host_network is not None:
            yield run.host_network.span, "network-host", "runs on the host's network (--network host)"
            return
        if run.publish_all is not None and ports:
            listed = ", ".join(str(p) for p in ports)
            yield run.publish_all.span, "publish-all", f"publishes every exposed port ({listed}) with -P"
        for spec, word in run.publish:
            if not is_all_interfaces(spec.host_ip) or spec.protocol != "tcp":
                continue
            hit = [p for p in ports if spec.container[0] <= p <= spec.container[1]]
            if hit:
                listed = ", ".join(str(p) for p in hit)
                yield word.span, f"p{hit[0]}", f"publishes container port {listed} on all interfaces"


def _source(env: RunEnvironment, reason: str) -> str:
    """`` (from .env.db:3)`` when the variable ``reason`` names was read from an env file."""
    source = env.sources.get(reason.split("=", 1)[0].split(" ", 1)[0])
    return f" (from {source})" if source else ""
