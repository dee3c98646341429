"""A datastore container is reachable on its node's own address (hostPort, hostNetwork)."""

from __future__ import annotations

from collections.abc import Iterator

from guardrails.documents import TreeDocument
from guardrails.facts.datastores import DATASTORES_OPTION_HELP, NEWSBLUR, configured
from guardrails.facts.kubernetes import datastore_containers
from guardrails.facts.kustomize import manifests
from guardrails.facts.network import is_loopback
from guardrails.model import Category, Finding, Kind, Severity
from guardrails.rule import Bad, Good, Option, Rule, RuleContext


class KubernetesDatastoreHostNetwork(Rule):
    id = "ED006"
    name = "k8s-datastore-host-network"
    title = "Datastore container bound to the node's network (hostPort or hostNetwork)"
    category = Category.EXPOSED_DATASTORE
    severity = Severity.HIGH
    kinds = frozenset({Kind.KUBERNETES})
    incidents = (NEWSBLUR,)
    rationale = (
        "`hostPort` opens the datastore port on the node's address and `hostNetwork: true` runs the server in "
        "the node's network namespace: anything that can reach the node reaches the datastore, bypassing "
        "Services and NetworkPolicies. Kubernetes' own guidance is not to use hostPort unless absolutely "
        "necessary. Without authentication, or with a guessable password, it is critical."
    )
    remediation = (
        "Remove hostPort/hostNetwork and reach the datastore through a ClusterIP Service; if node-level access "
        "is really needed, set `hostIP: 127.0.0.1` and enable authentication."
    )
    options = {"datastores": Option([], DATASTORES_OPTION_HELP)}
    bad = (
        Bad(
            "redis.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: redis\nspec:\n  containers:\n    - name: redis\n"
            "      image: redis:7\n      ports:\n        - containerPort: 6379\n          hostPort: 6379\n",
            11,
        ),
        Bad(
            "pg.yaml",
            "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: pg\nspec:\n  template:\n    spec:\n"
            "      hostNetwork: true\n      containers:\n        - name: pg\n          image: postgres:16\n",
            8,
        ),
    )
    good = (
        Good(
            "web.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  hostNetwork: true\n  containers:\n"
            "    - name: web\n      image: nginx\n      ports:\n        - containerPort: 6379\n"
            "          hostPort: 6379\n",
            note="not a datastore image",
        ),
        Good(
            "redis.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: redis\nspec:\n  containers:\n    - name: redis\n"
            "      image: redis:7\n      ports:\n        - containerPort: 6379\n          hostPort: 6379\n"
            "          hostIP: 127.0.0.1\n",
            note="bound to the node's loopback",
        ),
    )

    def check(self, doc: TreeDocument, ctx: RuleContext) -> Iterator[Finding]:  # type: ignore[override]
        for manifest in manifests(doc, ctx.project):
            reported_specs: set[int] = set()
            for container in datastore_containers(manifest, configured(ctx.options)):
                assert container.store is not None
                auth = container.reachable_auth()
                severity = Severity.CRITICAL if auth.open else None
                who = f"{container.label} container '{container.name}' ({container.image}, {container.store.name})"
                host_network = container.spec.get("hostNetwork")
                place = manifest.place(host_network)
                if host_network is not None and host_network.value is True and id(container.spec) not in reported_specs:
                    reported_specs.add(id(container.spec))
                    if place is not None:
                        yield self.finding_at(
                            place,
                            f"{who} runs with hostNetwork: true, listening on the node's addresses; "
                            f"{auth.reason}{manifest.via}",
                            anchor=f"{container.label}/hostNetwork",
                            ctx=ctx,
                            severity=severity,
                        )
                for port in container.ports:
                    host_ip = port.node.get("hostIP")
                    if port.host_port is None or port.number not in container.store.ports:
                        continue
                    if host_ip is not None and is_loopback(host_ip.text):
                        continue
                    place = manifest.place(port.host_port)
                    if place is None:
                        continue
                    yield self.finding_at(
                        place,
                        f"{who} maps container port {port.number} to hostPort {port.host_port.text} on every node "
                        f"it runs on; {auth.reason}{manifest.via}",
                        anchor=f"{container.label}/{container.name}/hostPort/{port.number}",
                        ctx=ctx,
                        severity=severity,
                    )
