"""A Kubernetes Service publishes a datastore outside the cluster."""

from __future__ import annotations

from collections.abc import Iterator

from guardrails.documents import TreeDocument
from guardrails.facts.datastores import DATASTORES_OPTION_HELP, NEWSBLUR, configured, stores_on_port
from guardrails.facts.kubernetes import Container, Service, ServicePort, containers, selects, services, target_ports
from guardrails.facts.network import is_private_cidr
from guardrails.model import Category, Document, Finding, Kind, Severity
from guardrails.rule import Bad, Good, Option, Rule, RuleContext

_DEPLOYMENT = (
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: mongo\nspec:\n  selector:\n    matchLabels:\n"
    "      app: mongo\n  template:\n    metadata:\n      labels:\n        app: mongo\n        tier: db\n"
    "    spec:\n      containers:\n        - name: mongo\n          image: mongo:7\n          ports:\n"
    "            - name: mongodb\n              containerPort: 27017\n"
)


class KubernetesServiceExposesDatastore(Rule):
    id = "ED005"
    name = "k8s-service-exposes-datastore"
    title = "Kubernetes Service of type LoadBalancer or NodePort reaches a datastore"
    category = Category.EXPOSED_DATASTORE
    severity = Severity.HIGH
    kinds = frozenset({Kind.KUBERNETES})
    project_wide = True
    incidents = (NEWSBLUR,)
    rationale = (
        "A LoadBalancer Service gets a public address by default, a NodePort opens the port on every node, and "
        "externalIPs route an outside address in: the datastore behind it is on the internet unless "
        "loadBalancerSourceRanges restricts who may connect. Without authentication (critical) that is the "
        "NewsBlur incident on a cluster. The Service is matched to its pods across files through its selector "
        "and target port, named ports included."
    )
    remediation = (
        "Use a ClusterIP Service for datastores (the default), an internal load balancer annotation when other "
        "networks must reach it, or `loadBalancerSourceRanges` limited to private ranges; enable authentication "
        "in the datastore."
    )
    options = {"datastores": Option([], DATASTORES_OPTION_HELP)}
    bad = (
        Bad(
            "service.yaml",
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: mongo\nspec:\n  type: LoadBalancer\n  selector:\n"
            "    app: mongo\n  ports:\n    - port: 27017\n      targetPort: mongodb\n",
            10,
            extra={"deployment.yaml": _DEPLOYMENT},
            note="named target port resolved in another file; no authentication: critical",
        ),
        Bad(
            "redis-svc.yaml",
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: cache\nspec:\n  type: NodePort\n  ports:\n"
            "    - port: 6379\n      nodePort: 30079\n",
            8,
            note="no workload in the scan: well-known port",
        ),
    )
    good = (
        Good(
            "service.yaml",
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: mongo\nspec:\n  selector:\n    app: mongo\n"
            "  ports:\n    - port: 27017\n",
            extra={"deployment.yaml": _DEPLOYMENT},
            note="ClusterIP",
        ),
        Good(
            "service.yaml",
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  type: LoadBalancer\n  selector:\n"
            "    app: web\n  ports:\n    - port: 5432\n      targetPort: 8080\n",
            extra={
                "web.yaml": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  labels:\n    app: web\nspec:\n"
                "  containers:\n    - name: web\n      image: nginx\n"
            },
            note="port 5432 on the load balancer, but it reaches nginx",
        ),
    )

    def check_project(self, docs: list[Document], ctx: RuleContext) -> Iterator[Finding]:
        extra = configured(ctx.options)
        trees = [d for d in docs if isinstance(d, TreeDocument)]
        workloads = [c for d in trees for c in containers(d, extra)]
        for doc in trees:
            for service in services(doc):
                exposure = self._exposure(service)
                if exposure is None:
                    continue
                selected = [
                    c for c in workloads if c.namespace == service.namespace and selects(service.selector, c.pod_labels)
                ]
                for port in service.ports:
                    yield from self._port(doc, service, port, selected, exposure, ctx)

    @staticmethod
    def _exposure(service: Service) -> str | None:
        if service.type == "LoadBalancer" and not service.internal_load_balancer:
            return "type LoadBalancer"
        if service.type == "NodePort":
            return "type NodePort"
        if service.external_ips:
            return f"externalIPs {', '.join(service.external_ips)}"
        return None

    def _port(
        self,
        doc: TreeDocument,
        service: Service,
        port: ServicePort,
        selected: list[Container],
        exposure: str,
        ctx: RuleContext,
    ) -> Iterator[Finding]:
        severity = Severity.HIGH
        if selected:
            hits = [
                (c, t) for c in selected if c.store is not None for t in target_ports(port, c) if t in c.store.ports
            ]
            if not hits:
                return
            container, target = hits[0]
            assert container.store is not None
            auth = container.auth()
            if auth.open:
                severity = Severity.CRITICAL
            what = (
                f"reaches container '{container.name}' of {container.label} ({container.image}, "
                f"{container.store.name}) on port {target}; {auth.reason}"
            )
        else:
            target = port.target if isinstance(port.target, int) else port.port
            stores = stores_on_port(target, configured(ctx.options))
            if not stores:
                return
            names = "/".join(sorted({s.name.split(" (", 1)[0] for s in stores}))
            what = f"targets port {target}, the {names} port (no workload in the scan matches its selector)"
        private = bool(service.source_ranges) and all(is_private_cidr(r) for r in service.source_ranges)
        if private:
            severity = Severity.MEDIUM
            what += f"; loadBalancerSourceRanges limited to private ranges ({', '.join(service.source_ranges)})"
        yield self.finding(
            doc,
            port.node.span,
            f"Service '{service.name}' ({exposure}) port {port.port} {what}",
            anchor=f"Service/{service.namespace}/{service.name}/ports/{port.port}",
            ctx=ctx,
            severity=severity,
        )
