"""A compose service runs a datastore and publishes its port on every interface."""

from __future__ import annotations

from collections.abc import Iterator

from guardrails.documents import TreeDocument
from guardrails.facts import compose
from guardrails.facts.datastores import auth_state, find_datastore
from guardrails.model import Category, Finding, Incident, Kind, Severity
from guardrails.rule import Bad, Good, Rule, RuleContext

NEWSBLUR = Incident(
    "NewsBlur: MongoDB published by Docker past the firewall, database dropped by a bot",
    "2021-06-23",
    "https://blog.newsblur.com/2021/06/28/story-of-a-hacking/",
)


class ComposeDatastorePortExposed(Rule):
    id = "ED001"
    name = "compose-datastore-port-exposed"
    title = "Datastore port published on all interfaces by docker-compose"
    category = Category.EXPOSED_DATASTORE
    severity = Severity.HIGH
    kinds = frozenset({Kind.COMPOSE})
    incidents = (NEWSBLUR,)
    rationale = (
        "A port in `ports:` without a host IP binds 0.0.0.0 and [::], and Docker inserts its own iptables "
        "rules ahead of ufw or firewalld: the datastore is reachable from the internet even when the host "
        "firewall says otherwise. NewsBlur's MongoDB was found and dropped within hours. Without "
        "authentication (critical) anyone can read and delete the data; with it (high) the datastore is "
        "still one leaked or weak password away."
    )
    remediation = (
        "Do not publish datastore ports: let other services reach it over the compose network (use "
        "`expose:` or nothing), or bind to loopback (`127.0.0.1:27017:27017`). Always enable "
        "authentication (MONGO_INITDB_ROOT_USERNAME/PASSWORD, `redis-server --requirepass`, ...)."
    )
    bad = (
        Bad(
            "docker-compose.yml",
            'services:\n  db:\n    image: mongo:4.4\n    ports:\n      - "27017:27017"\n',
            5,
            note="NewsBlur: mongo published on every interface, no authentication",
        ),
        Bad(
            "compose.yaml",
            "services:\n  cache:\n    image: redis:7\n    command: redis-server --requirepass ${REDIS_PASSWORD}\n"
            "    ports:\n      - target: 6379\n        published: 16379\n",
            6,
            note="long syntax without host_ip, non-standard host port: high (authenticated)",
        ),
    )
    good = (
        Good(
            "docker-compose.yml",
            'services:\n  db:\n    image: mongo:4.4\n    ports:\n      - "127.0.0.1:27017:27017"\n',
            note="bound to loopback",
        ),
        Good(
            "compose.yaml",
            "services:\n  db:\n    image: postgres:16\n    expose:\n      - '5432'\n  web:\n    image: nginx\n"
            "    ports:\n      - '80:80'\n",
            note="expose is internal; the published port belongs to a web server",
        ),
        Good(
            "compose.yaml",
            "services:\n  db:\n    image: redis:7\n    ports:\n      - '[::1]:6379:6379'\n",
            note="IPv6 loopback",
        ),
    )

    def check(self, doc: TreeDocument, ctx: RuleContext) -> Iterator[Finding]:  # type: ignore[override]
        variables = compose.project_variables(doc, ctx.project)
        interpolate = compose.Interpolator(variables)
        for root in doc.roots:
            services = root.get("services")
            for name, _, service in services.items() if services is not None else ():
                if not service.is_map:
                    continue
                image_node = service.get("image")
                image = interpolate(image_node.text) if image_node is not None else None
                store = find_datastore(image) if image else None
                if store is None:
                    continue
                env = {k: v.value for k, v in compose.environment(service, doc, ctx.project, interpolate).items()}
                auth = auth_state(store, env, compose.command_words(service, interpolate))
                severity = Severity.CRITICAL if auth.open else Severity.HIGH
                for binding in compose.ports(service, interpolate):
                    if not compose.is_all_interfaces(binding.host_ip) or binding.protocol != "tcp":
                        continue
                    for port in binding.container_ports(store.ports):
                        host_port = binding.host_port_for(port)
                        published = f"host port {host_port}" if host_port else "a random host port"
                        message = (
                            f"service '{name}' ({image}, {store.name}) publishes container port {port} on all "
                            f"interfaces ({published}); {auth.reason}"
                        )
                        yield self.finding(
                            doc,
                            binding.node.span,
                            message,
                            anchor=f"services.{name}.ports.{port}",
                            ctx=ctx,
                            severity=severity,
                        )
