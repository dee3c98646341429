"""A datastore container in Kubernetes has authentication switched off."""

from __future__ import annotations

from collections.abc import Iterator

from guardrails.documents import TreeDocument
from guardrails.facts.datastores import DATASTORES_OPTION_HELP, NEWSBLUR, configured
from guardrails.facts.kubernetes import datastore_containers
from guardrails.facts.kustomize import manifests
from guardrails.model import Category, Finding, Kind, Node, Severity
from guardrails.rule import Bad, Good, Option, Rule, RuleContext


class KubernetesDatastoreAuthDisabled(Rule):
    id = "ED007"
    name = "k8s-datastore-auth-disabled"
    title = "Datastore container with authentication disabled through env or args"
    category = Category.EXPOSED_DATASTORE
    severity = Severity.HIGH
    kinds = frozenset({Kind.KUBERNETES})
    incidents = (NEWSBLUR,)
    rationale = (
        "Kubernetes networking is flat by default: every pod in the cluster can connect to every other pod. "
        "The switch counts wherever the pod reads it: its env, a ConfigMap or Secret through envFrom or "
        "valueFrom, or what a Kustomize overlay generates or patches in. "
        "A datastore with `POSTGRES_HOST_AUTH_METHOD=trust`, `NEO4J_AUTH=none`, `xpack.security.enabled=false` "
        "or `--protected-mode no` hands its data to any compromised pod, and to the internet the day a Service "
        "is switched to LoadBalancer. NewsBlur's fix was authentication on every database, not just a firewall."
    )
    remediation = (
        "Remove the switch that disables authentication and give the datastore credentials from a Secret "
        "(`valueFrom.secretKeyRef`); add a NetworkPolicy that admits only its clients."
    )
    options = {"datastores": Option([], DATASTORES_OPTION_HELP)}
    bad = (
        Bad(
            "pg.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: pg\nspec:\n  template:\n    spec:\n"
            "      containers:\n        - name: pg\n          image: postgres:16\n          env:\n"
            "            - name: POSTGRES_HOST_AUTH_METHOD\n              value: trust\n",
            13,
        ),
        Bad(
            "redis.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: redis\nspec:\n  containers:\n    - name: redis\n"
            "      image: redis:7\n      args: ['--protected-mode', 'no']\n",
            9,
        ),
        Bad(
            "cache.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cache\ndata:\n  ALLOW_EMPTY_PASSWORD: 'yes'\n---\n"
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: cache\nspec:\n  containers:\n    - name: redis\n"
            "      image: bitnami/redis:7.2\n      envFrom:\n        - configMapRef: {name: cache}\n",
            6,
            note="read through envFrom: on the ConfigMap's line",
        ),
        Bad(
            "overlays/dev/kustomization.yaml",
            "resources: [../../base]\nconfigMapGenerator:\n  - name: pg\n    literals:\n"
            "      - POSTGRES_HOST_AUTH_METHOD=trust\n",
            5,
            extra={
                "base/kustomization.yaml": "resources: [pg.yaml]\n",
                "base/pg.yaml": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: pg\nspec:\n  containers:\n"
                "    - name: pg\n      image: postgres:16\n      envFrom:\n        - configMapRef: {name: pg}\n",
            },
            note="a Kustomize overlay's generated ConfigMap: on the literal",
        ),
    )
    good = (
        Good(
            "pg.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: pg\nspec:\n  containers:\n    - name: pg\n"
            "      image: postgres:16\n      env:\n        - name: POSTGRES_HOST_AUTH_METHOD\n"
            "          value: scram-sha-256\n        - name: POSTGRES_PASSWORD\n          valueFrom:\n"
            "            secretKeyRef: {name: pg, key: password}\n",
        ),
        Good(
            "redis.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: redis\nspec:\n  containers:\n    - name: redis\n"
            "      image: redis:7\n      args: ['--protected-mode', 'no', '--requirepass', '$(REDIS_PASSWORD)']\n",
        ),
    )

    def check(self, doc: TreeDocument, ctx: RuleContext) -> Iterator[Finding]:  # type: ignore[override]
        for manifest in manifests(doc, ctx.project):
            for container in datastore_containers(manifest, configured(ctx.options)):
                auth = container.auth()
                if not auth.open or not auth.explicit:
                    continue
                store = container.store
                assert store is not None
                key = auth.reason.split("=", 1)[0].split(" ", 1)[0]
                env_var = container.env.get(key)
                node = self._where(env_var.node if env_var is not None else None, container.node, key)
                place = manifest.place(node, within=container.node)
                if place is None:
                    continue
                yield self.finding_at(
                    place,
                    f"{container.label} container '{container.name}' ({container.image}, {store.name}): "
                    f"{auth.reason}{manifest.via}",
                    anchor=f"{container.label}/{container.name}/auth",
                    ctx=ctx,
                )

    @staticmethod
    def _where(env_node: Node | None, container: Node, flag: str) -> Node:
        """The env value, else the command/args word holding the flag, else the container."""
        if env_node is not None:
            return env_node
        for key in ("command", "args"):
            words = container.get(key)
            for word in words.elements() if words is not None and words.is_seq else []:
                if word.text.split("=", 1)[0] == flag:
                    return word
        return container
