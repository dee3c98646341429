"""A Kubernetes Service publishes a datastore outside the cluster."""

from __future__ import annotations

from collections.abc import Iterator

from guardrails.documents import TreeDocument
from guardrails.facts.datastores import DATASTORES_OPTION_HELP, NEWSBLUR, AuthState, configured, stores_on_port
from guardrails.facts.kubernetes import Container, Service, containers, selects, services
from guardrails.facts.kustomize import is_kustomization, manifests
from guardrails.facts.network import is_private_cidr, is_world
from guardrails.fixes import fix, replace_scalar
from guardrails.model import Category, Document, Finding, Fix, Kind, Safety, Severity
from guardrails.records import Frozen
from guardrails.rule import Bad, Good, Option, Place, Rule, RuleContext

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
    summarizes = True
    incidents = (NEWSBLUR,)
    rationale = (
        "A LoadBalancer Service gets a public address by default, a NodePort opens the port on every node, and "
        "externalIPs route an outside address in: the datastore behind it is on the internet. A load balancer "
        "marked internal (the cloud's annotation, or a private loadBalancerClass such as tailscale) or whose "
        "loadBalancerSourceRanges are all private ranges is not; public source ranges without 0.0.0.0/0 lower "
        "the severity. Without authentication, or with a guessable password (critical), that is the "
        "NewsBlur incident on a cluster. The Service is matched to its pods across files through its selector "
        "and target port, named ports included."
    )
    remediation = (
        "Use a ClusterIP Service for datastores (the default), an internal load balancer annotation when other "
        "networks must reach it, or `loadBalancerSourceRanges` limited to private ranges; enable authentication "
        "in the datastore."
    )
    options = {"datastores": Option([], DATASTORES_OPTION_HELP)}
    fix_safety = Safety.UNSAFE
    fix_note = (
        "sets the Service's `type` to ClusterIP (from LoadBalancer or NodePort): clients outside the cluster lose "
        "it; none when the spec sets a nodePort, externalTrafficPolicy, loadBalancer* field or externalIPs"
    )
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
        Bad(
            "overlays/prod/lb.yaml",
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: mongo\nspec:\n  type: LoadBalancer\n",
            6,
            extra={
                "overlays/prod/kustomization.yaml": "resources: [../../base]\npatches:\n  - path: lb.yaml\n",
                "base/kustomization.yaml": "resources: [deployment.yaml, service.yaml]\n",
                "base/deployment.yaml": _DEPLOYMENT,
                "base/service.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: mongo\nspec:\n"
                "  selector:\n    app: mongo\n  ports:\n    - port: 27017\n",
            },
            note="a Kustomize overlay's patch makes the base's ClusterIP Service public: on the patch's line",
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
        Good(
            "service.yaml",
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: mongo\n  annotations:\n"
            '    networking.gke.io/load-balancer-type: "Internal"\nspec:\n  type: LoadBalancer\n  selector:\n'
            "    app: mongo\n  ports:\n    - port: 27017\n",
            extra={"deployment.yaml": _DEPLOYMENT},
            note="an internal load balancer: reachable from the VPC, not the internet",
        ),
    )

    def summarize(self, doc: Document, ctx: RuleContext) -> Summary:
        if not isinstance(doc, TreeDocument):
            return Summary(())
        if is_kustomization(doc.path):
            return Summary((), doc.path)
        return Summary(self._scopes(doc, ctx))

    def _scopes(self, doc: TreeDocument, ctx: RuleContext) -> tuple[Scope, ...]:
        scopes = []
        for manifest in manifests(doc, ctx.project):
            backends = tuple(Backend.of(c) for c in containers(manifest, configured(ctx.options)))
            exposed = []
            for service in services(manifest):
                exposure = self._exposure(service)
                spec = service.node.get("spec")
                cause = (spec.get("type"), spec.get("externalIPs")) if spec is not None else ()
                ports = tuple(
                    (port.port, port.target, place)
                    for port in service.ports
                    if (place := manifest.place(port.node, *cause)) is not None
                )
                if exposure is not None and ports:
                    # The edit is made in this file: an overlay's Service may take its type from a patch.
                    remedy = _cluster_ip(doc, service) if exposure.startswith("type ") and not manifest.via else None
                    exposed.append(
                        Exposed(
                            service.name,
                            service.namespace,
                            service.selector,
                            exposure,
                            ports,
                            tuple(service.source_ranges),
                            manifest.via,
                            remedy,
                        )
                    )
            scopes.append(Scope(manifest.via, backends, tuple(exposed)))
        return tuple(scopes)

    def check_summaries(self, summaries: list[Summary], ctx: RuleContext) -> Iterator[Finding]:
        """A file's Services reach the pods of every file; a kustomization's, those it deploys."""
        scopes = [scope for summary in summaries for scope in summary.scopes]
        for summary in summaries:
            kustomization = (
                ctx.project.document(ctx.project.cwd / summary.kustomization) if summary.kustomization else None
            )
            if isinstance(kustomization, TreeDocument):
                scopes.extend(self._scopes(kustomization, ctx))
        files = [b for scope in scopes if not scope.via for b in scope.backends]
        for scope in scopes:
            workloads = scope.backends if scope.via else files
            for service in scope.services:
                selected = [
                    b for b in workloads if b.namespace == service.namespace and selects(service.selector, b.pod_labels)
                ]
                for port in service.ports:
                    yield from self._port(service, port, selected, ctx)

    @staticmethod
    def _exposure(service: Service) -> str | None:
        """How the Service is reached from outside the cluster, or None when it is not."""
        if service.type == "LoadBalancer" and service.private_reason is None:
            ranges = service.source_ranges
            if not ranges or any(is_world(r) for r in ranges) or not all(is_private_cidr(r) for r in ranges):
                return "type LoadBalancer"
        if service.type == "NodePort":
            return "type NodePort"
        if service.external_ips:
            return f"externalIPs {', '.join(service.external_ips)}"
        return None

    def _port(
        self, service: Exposed, port: tuple[int, int | str, Place], selected: list[Backend], ctx: RuleContext
    ) -> Iterator[Finding]:
        number, target_port, place = port
        severity = Severity.HIGH
        if selected:
            hits = [
                (b, t) for b in selected if b.store is not None for t in b.targets(target_port) if t in b.store_ports
            ]
            if not hits:
                return
            backend, target = hits[0]
            assert backend.auth is not None
            if backend.auth.open:
                severity = Severity.CRITICAL
            what = (
                f"reaches container '{backend.name}' of {backend.label} ({backend.image}, "
                f"{backend.store}) on port {target}; {backend.auth.reason}"
            )
        else:
            target = target_port if isinstance(target_port, int) else number
            stores = stores_on_port(target, configured(ctx.options))
            if not stores:
                return
            names = "/".join(sorted({s.name.split(" (", 1)[0] for s in stores}))
            what = f"targets port {target}, the {names} port (no workload in the scan matches its selector)"
        ranges = service.source_ranges
        if service.exposure == "type LoadBalancer" and ranges and not any(is_world(r) for r in ranges):
            severity = Severity.MEDIUM
            what += f"; loadBalancerSourceRanges limits it to {', '.join(ranges)}"
        yield self.finding_at(
            place,
            f"Service '{service.name}' ({service.exposure}) port {number} {what}{service.via}",
            anchor=f"Service/{service.namespace}/{service.name}/ports/{number}",
            ctx=ctx,
            severity=severity,
            fix=service.fix,
        )


#: Service fields that only a LoadBalancer or NodePort may set: the API rejects them on a ClusterIP.
_EXTERNAL_ONLY = (
    "loadBalancerIP",
    "loadBalancerSourceRanges",
    "loadBalancerClass",
    "externalTrafficPolicy",
    "healthCheckNodePort",
    "allocateLoadBalancerNodePorts",
)


def _cluster_ip(doc: TreeDocument, service: Service) -> Fix | None:
    """``type: ClusterIP`` in place of LoadBalancer or NodePort, when nothing else in the spec
    belongs to those types (a ``nodePort``, ``externalTrafficPolicy``...): in-cluster clients
    keep the Service, clients outside the cluster lose it."""
    spec = service.node.get("spec")
    kind = spec.get("type") if spec is not None else None
    if spec is None or kind is None or service.external_ips or any(spec.get(k) is not None for k in _EXTERNAL_ONLY):
        return None
    if any(port.node_port is not None for port in service.ports):
        return None
    edit = replace_scalar(doc, kind, "ClusterIP")
    return fix("make the Service ClusterIP", Safety.UNSAFE, [edit] if edit else None)


class Backend(Frozen):
    """What a Service port can reach in a container (``Container`` without its nodes): the
    datastore family's name and ports, and its authentication state."""

    label: str
    namespace: str
    pod_labels: dict[str, str]
    name: str
    image: str
    store: str | None
    store_ports: tuple[int, ...]
    auth: AuthState | None
    ports: tuple[tuple[str, int], ...]

    @classmethod
    def of(cls, container: Container) -> Backend:
        store = container.store
        ports = tuple((p.name, p.number) for p in container.ports)
        auth = container.reachable_auth() if store is not None else None
        return cls(
            container.label,
            container.namespace,
            container.pod_labels,
            container.name,
            container.image,
            store.name if store is not None else None,
            store.ports if store is not None else (),
            auth,
            ports,
        )

    def targets(self, target: int | str) -> list[int]:
        """The container port a Service port reaches: a number, or a named container port."""
        if isinstance(target, int):
            return [target]
        return [number for name, number in self.ports if name == target]


class Exposed(Frozen):
    """A Service reachable from outside the cluster, with its ports (number, target, place)."""

    name: str
    namespace: str
    selector: dict[str, str]
    exposure: str
    ports: tuple[tuple[int, int | str, Place], ...]
    source_ranges: tuple[str, ...]
    via: str = ""
    fix: Fix | None = None


class Scope(Frozen):
    """Objects judged together (a file's, or a kustomization's build named by ``via``): their
    containers, and their Services reachable from outside."""

    via: str
    backends: tuple[Backend, ...]
    services: tuple[Exposed, ...]


class Summary(Frozen):
    """ED005's summary of one document; a kustomization's build reads other files, so it is
    built in ``check_summaries`` from the kustomization's path."""

    scopes: tuple[Scope, ...]
    kustomization: str = ""
