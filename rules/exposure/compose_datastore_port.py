"""A compose service runs a datastore and publishes its port on every interface."""

from __future__ import annotations

from collections.abc import Iterator

from guardrails.documents import TreeDocument
from guardrails.facts import compose
from guardrails.facts.datastores import DATASTORES_OPTION_HELP, NEWSBLUR, configured, weak_credentials
from guardrails.fixes import fix, replace_scalar
from guardrails.model import Category, Finding, Fix, Kind, Safety, Severity
from guardrails.rule import Bad, Good, Option, Rule, RuleContext


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
    options = {"datastores": Option([], DATASTORES_OPTION_HELP)}
    fix_safety = Safety.UNSAFE
    fix_note = (
        "rewrites the port mapping in `ports:` to publish on 127.0.0.1 (`5432:5432` becomes `127.0.0.1:5432:5432`; "
        "in the long syntax, a `host_ip` present becomes 127.0.0.1): other machines lose the port; none for "
        "`network_mode: host` or a mapping built from variables"
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
        for svc in compose.datastore_services(doc, ctx.project, configured(ctx.options)):
            weak = weak_credentials(
                svc.store, svc.env_values, [word for word, _, _ in compose.written_command(svc.model)]
            )
            if svc.auth.open:
                severity, protection = Severity.CRITICAL, svc.auth.reason
            elif weak:
                severity, protection = Severity.CRITICAL, f"{weak[0].key} is {weak[0].description}"
            else:
                severity, protection = Severity.HIGH, f"authenticated ({svc.auth.reason}), still reachable by anyone"
            by_node: dict[int, list[compose.Exposure]] = {}
            for exposure in (e for e in svc.exposures if e.path == doc.path):
                by_node.setdefault(id(exposure.node), []).append(exposure)
            for group in by_node.values():
                first = group[0]
                ports = ", ".join(str(e.port) for e in group)
                plural = "s" if len(group) > 1 else ""
                message = (
                    f"service '{svc.name}' ({svc.image}, {svc.store.name}) exposes container port{plural} {ports} "
                    f"{first.where}; {protection}{compose.merged_from(svc, doc)}"
                )
                yield self.finding(
                    doc,
                    first.node.span,
                    message,
                    anchor=f"services.{svc.name}.{first.anchor}",
                    ctx=ctx,
                    severity=severity,
                    fix=_bind_loopback(doc, first),
                )


def _bind_loopback(doc: TreeDocument, exposure: compose.Exposure) -> Fix | None:
    """The port published on 127.0.0.1 only: the host still reaches it, the network does not."""
    rewrite = compose.loopback_spec(exposure.binding) if exposure.binding is not None else None
    edit = replace_scalar(doc, *rewrite) if rewrite is not None else None
    return fix("publish the port on 127.0.0.1 only", Safety.UNSAFE, [edit] if edit else None)
