"""A script starts a datastore container with its port published on every interface."""

from __future__ import annotations

from collections.abc import Iterator
from typing import cast

from guardrails.documents import ShellDocument
from guardrails.facts.ansible_keywords import may_start_container
from guardrails.facts.ci_runners import hosted_runner
from guardrails.facts.container_start import ContainerStart
from guardrails.facts.datastores import (
    DATASTORES_OPTION_HELP,
    NEWSBLUR,
    auth_state,
    configured,
    weak_credentials,
)
from guardrails.facts.docker_run import (
    CONTAINER_PROGRAMS,
    ComposeCommand,
    compose_command,
    container_start,
    docker_run,
    environment,
)
from guardrails.facts.network import is_all_interfaces
from guardrails.facts.shells import names_any
from guardrails.model import Category, Document, Finding, Kind, Severity, Span
from guardrails.rule import Bad, Good, Option, Rule, RuleContext


class DockerRunDatastorePortExposed(Rule):
    id = "ED003"
    name = "docker-run-datastore-port-exposed"
    title = "Datastore container started with its port published on all interfaces"
    category = Category.EXPOSED_DATASTORE
    severity = Severity.HIGH
    kinds = frozenset({Kind.SHELL, Kind.ANSIBLE})
    incidents = (NEWSBLUR,)
    rationale = (
        "`docker run -p 27017:27017 mongo` binds 0.0.0.0 and [::], and Docker's iptables rules bypass ufw and "
        "firewalld: the datastore is on the internet as soon as the host is. `-P` publishes every exposed port "
        "the same way and `--network host` puts the server straight on the host's interfaces. Without "
        "authentication (critical) the first scanner to find it owns the data, as NewsBlur learned. "
        "`docker compose --env-file` in a script is judged too when the env file switches off the "
        "authentication of a service that publishes its port. So is the same start asked of Docker or Podman "
        "by an Ansible task (`community.docker.docker_container` with `published_ports`, `publish_all_ports` or "
        "`network_mode: host`; `containers.podman.podman_container`), the module NewsBlur's MongoDB was started "
        "with; a port without an address binds to `default_host_ip`, all interfaces unless it is set. A step of "
        "a GitHub Actions job on a GitHub-hosted runner (`runs-on: ubuntu-latest`, or a literal matrix of such "
        "labels) is not judged: that machine is made for the job and deleted with it; a self-hosted or custom "
        "runner is."
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
        Bad(
            "roles/db/tasks/main.yml",
            "- name: Start mongo\n  community.docker.docker_container:\n    name: mongo\n    image: mongo:3.6\n"
            "    published_ports:\n      - 27017:27017\n",
            6,
            note="Ansible, as NewsBlur started its MongoDB",
        ),
    )
    good = (
        Good("run-db.sh", "#!/bin/sh\ndocker run -d -p 127.0.0.1:27017:27017 mongo:4.4\n", note="loopback"),
        Good(
            "roles/db/tasks/main.yml",
            "- name: Start mongo\n  community.docker.docker_container:\n    name: mongo\n    image: mongo:4.4\n"
            "    default_host_ip: 127.0.0.1\n    published_ports:\n      - 27017:27017\n",
            note="Ansible: every port without an address binds to default_host_ip",
        ),
        Good("run-web.sh", "#!/bin/sh\ndocker run -d -p 5432:80 nginx\n", note="port 5432 on the host, nginx inside"),
    )

    def check(self, doc: Document, ctx: RuleContext) -> Iterator[Finding]:
        if doc.kind is Kind.ANSIBLE:
            if not may_start_container(doc.text):
                return
            from guardrails.facts.ansible_containers import container_starts

            for start in container_starts(doc, ctx.project):
                yield from self._judge(doc, start, ctx)
            return
        shell = cast("ShellDocument", doc)
        if not names_any(shell.text, CONTAINER_PROGRAMS):
            return  # runs no container: the script is not even walked
        if hosted_runner(shell):
            return  # a GitHub-hosted job's machine: what it starts is gone with the job
        for cmd in shell.commands:
            compose_run = compose_command(cmd)
            if compose_run is not None:
                yield from self._compose_cli(shell, compose_run, ctx)
                continue
            run = docker_run(cmd)
            if run is not None and run.image.static:
                yield from self._judge(doc, container_start(run, environment(run, shell, ctx.project)), ctx)

    def _judge(self, doc: Document, start: ContainerStart, ctx: RuleContext) -> Iterator[Finding]:
        """A datastore container published on every interface: critical when it asks for no
        credential or a guessable one, high when authenticated."""
        store = start.datastore(configured(ctx.options))
        if store is None:
            return
        auth = auth_state(store, start.env, start.args, start.image)
        weak = weak_credentials(store, start.env, start.args)
        hidden_env = bool(start.env_unknown) and not auth.explicit
        if auth.open and not hidden_env:
            severity, protection = Severity.CRITICAL, auth.reason + _source(start, auth.reason)
        elif weak:
            severity = Severity.CRITICAL
            protection = f"{weak[0].key} is {weak[0].description}{_source(start, weak[0].key)}"
        elif auth.open:
            severity, protection = Severity.HIGH, f"credentials may come from {', '.join(start.env_unknown)}"
        else:
            severity, protection = Severity.HIGH, f"authenticated ({auth.reason}), still reachable by anyone"
        image = f"; the image is set in {start.image_source}" if start.image_source else ""
        for span, anchor, what in self._exposures(start, store.ports):
            yield self.finding(
                doc,
                span,
                f"{start.what} ({store.name}) {what}; {protection}{image}",
                anchor=f"{start.key}:{start.image}:{anchor}",
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
    def _exposures(start: ContainerStart, ports: tuple[int, ...]) -> Iterator[tuple[Span, str, str]]:
        if start.host_network is not None:
            yield start.host_network.span, "network-host", f"runs on the host's network ({start.host_network.written})"
            return
        if start.publish_all is not None and ports:
            listed = ", ".join(str(p) for p in ports)
            what = f"publishes every exposed port ({listed}) with {start.publish_all.written}"
            yield start.publish_all.span, "publish-all", what
        for published in start.publish:
            spec = published.spec
            if not is_all_interfaces(spec.host_ip) or spec.protocol != "tcp":
                continue
            hit = [p for p in ports if spec.container[0] <= p <= spec.container[1]]
            if hit:
                listed = ", ".join(str(p) for p in hit)
                source = f" (set in {published.source})" if published.source else ""
                yield published.span, f"p{hit[0]}", f"publishes container port {listed} on all interfaces{source}"


def _source(start: ContainerStart, reason: str) -> str:
    """`` (from .env.db:3)`` when the variable ``reason`` names was read from a file of variables."""
    source = start.env_sources.get(reason.split("=", 1)[0].split(" ", 1)[0])
    return f" (from {source})" if source else ""
