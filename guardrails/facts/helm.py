"""Helm values of the datastore charts: which value paths publish a datastore outside the
cluster, turn its authentication off or set its passwords (data per chart and version,
read from each chart's own values.yaml), and values layered the way Helm and helmfile
apply them, each value traced to the file line that sets it.

Layers, lowest first: the chart's own ``values.yaml`` when the chart is in the repository
(else the defaults recorded here), then the values file being judged: an environment file
beside ``Chart.yaml`` (``values-production.yaml``), a umbrella chart's key for a sub-chart
(its name, or ``alias`` from the ``Chart.yaml`` dependencies), or each entry of a helmfile
release's ``values:`` list in order. Templates are not rendered: a ``{{ }}`` value is unknown.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import NamedTuple

from guardrails.documents import TreeDocument
from guardrails.facts.kubernetes import string_map
from guardrails.facts.load_balancers import SOURCE_RANGES_ANNOTATION, private_reason
from guardrails.facts.network import is_private_cidr, is_world
from guardrails.model import Kind, Node
from guardrails.project import Project
from guardrails.records import Record


class ServiceValues(NamedTuple):
    """A block of values the chart renders as a Service (``<path>.type``,
    ``.annotations``, ``.loadBalancerSourceRanges``, ``.externalIPs``), rendered only
    when every ``when`` value (path, expected) holds; ``network_policy`` is the block
    whose ``enabled: true`` with ``allowExternal: false`` admits only labelled client pods."""

    path: str
    when: tuple[tuple[str, str], ...] = ()
    network_policy: str = ""


class ChartValues(NamedTuple):
    """One datastore chart (one range of major versions) and the value paths that matter.

    ``external``: blocks whose ``enabled: true`` renders one Service per node
    (``<path>.service.type``, LoadBalancer unless set); ``auth``: booleans whose false
    turns authentication off; ``passwords``: (password path, user path or ``=user``).
    ``defaults`` are the chart's values for the paths above, used when the chart's own
    values.yaml is not in the repository.
    """

    chart: str
    source: str
    family: str
    port: int
    services: tuple[ServiceValues, ...]
    external: tuple[ServiceValues, ...] = ()
    auth: tuple[str, ...] = ()
    passwords: tuple[tuple[str, str], ...] = ()
    defaults: tuple[tuple[str, str], ...] = ()
    versions: tuple[int, int] = (0, 10_000)

    def default(self, path: str) -> str | None:
        return next((v for p, v in self.defaults if p == path), None)


_REPLICATION = (("architecture", "replication"),)
_NO_SENTINEL = (("sentinel.enabled", "false"),)
_SENTINEL = (("sentinel.enabled", "true"),)

# Sources: bitnami/charts, bitnami/<chart>/values.yaml at the version named in ``source``;
# the legacy rows from the last version before the values were renamed.
CHARTS: tuple[ChartValues, ...] = (
    ChartValues(
        "postgresql",
        "bitnami/charts postgresql 17.1.0 values.yaml (11.0.0 and later)",
        "PostgreSQL",
        5432,
        (
            ServiceValues("primary.service", (), "primary.networkPolicy"),
            ServiceValues("readReplicas.service", _REPLICATION, "readReplicas.networkPolicy"),
        ),
        passwords=(("auth.postgresPassword", "=postgres"), ("auth.password", "auth.username")),
        defaults=(("architecture", "standalone"),),
        versions=(11, 10_000),
    ),
    ChartValues(
        "postgresql",
        "bitnami/charts postgresql 10.16.3 values.yaml (before 11.0.0)",
        "PostgreSQL",
        5432,
        (ServiceValues("service"),),
        passwords=(("postgresqlPostgresPassword", "=postgres"), ("postgresqlPassword", "postgresqlUsername")),
        versions=(0, 11),
    ),
    ChartValues(
        "mysql",
        "bitnami/charts mysql 14.0.5 values.yaml",
        "MySQL",
        3306,
        (
            ServiceValues("primary.service", (), "networkPolicy"),
            ServiceValues("secondary.service", _REPLICATION, "networkPolicy"),
        ),
        passwords=(("auth.rootPassword", "=root"), ("auth.password", "auth.username")),
        defaults=(("architecture", "standalone"),),
    ),
    ChartValues(
        "mariadb",
        "bitnami/charts mariadb 23.0.1 values.yaml",
        "MariaDB",
        3306,
        (
            ServiceValues("primary.service", (), "networkPolicy"),
            ServiceValues("secondary.service", _REPLICATION, "networkPolicy"),
        ),
        passwords=(("auth.rootPassword", "=root"), ("auth.password", "auth.username")),
        defaults=(("architecture", "standalone"),),
    ),
    ChartValues(
        "mongodb",
        "bitnami/charts mongodb 17.0.2 values.yaml (8.0.0 and later)",
        "MongoDB",
        27017,
        (ServiceValues("service", (), "networkPolicy"),),
        external=(
            ServiceValues("externalAccess", (("architecture", "replicaset"),), "networkPolicy"),
            ServiceValues(
                "externalAccess.hidden",
                (("architecture", "replicaset"), ("externalAccess.enabled", "true")),
                "networkPolicy",
            ),
        ),
        auth=("auth.enabled",),
        passwords=(("auth.rootPassword", "auth.rootUser"), ("auth.password", "auth.username")),
        defaults=(("architecture", "standalone"), ("auth.enabled", "true"), ("auth.rootUser", "root")),
        versions=(8, 10_000),
    ),
    ChartValues(
        "mongodb",
        "bitnami/charts mongodb 7.14.8 values.yaml (before 8.0.0)",
        "MongoDB",
        27017,
        (ServiceValues("service"),),
        auth=("usePassword",),
        passwords=(("mongodbRootPassword", "=root"), ("mongodbPassword", "mongodbUsername")),
        defaults=(("usePassword", "true"),),
        versions=(0, 8),
    ),
    ChartValues(
        "redis",
        "bitnami/charts redis 23.1.1 values.yaml (14.0.0 and later)",
        "Redis",
        6379,
        (
            ServiceValues("master.service", _NO_SENTINEL, "networkPolicy"),
            ServiceValues("replica.service", _REPLICATION, "networkPolicy"),
            ServiceValues("sentinel.service", _SENTINEL, "networkPolicy"),
            ServiceValues("sentinel.masterService", _SENTINEL, "networkPolicy"),
        ),
        external=(ServiceValues("sentinel.externalAccess", _SENTINEL, "networkPolicy"),),
        auth=("auth.enabled",),
        passwords=(("auth.password", "="),),
        defaults=(("architecture", "replication"), ("sentinel.enabled", "false"), ("auth.enabled", "true")),
        versions=(14, 10_000),
    ),
    ChartValues(
        "redis",
        "bitnami/charts redis 13.0.2 values.yaml (before 14.0.0)",
        "Redis",
        6379,
        (
            ServiceValues("master.service", _NO_SENTINEL),
            ServiceValues("slave.service", (("cluster.enabled", "true"),)),
            ServiceValues("sentinel.service", _SENTINEL),
        ),
        auth=("usePassword",),
        passwords=(("password", "="),),
        defaults=(("cluster.enabled", "true"), ("sentinel.enabled", "false"), ("usePassword", "true")),
        versions=(0, 14),
    ),
    ChartValues(
        "valkey",
        "bitnami/charts valkey 4.0.2 values.yaml",
        "Valkey",
        6379,
        (
            ServiceValues("primary.service", _NO_SENTINEL, "networkPolicy"),
            ServiceValues("replica.service", _REPLICATION, "networkPolicy"),
            ServiceValues("sentinel.service", _SENTINEL, "networkPolicy"),
        ),
        auth=("auth.enabled",),
        passwords=(("auth.password", "="),),
        defaults=(("architecture", "replication"), ("sentinel.enabled", "false"), ("auth.enabled", "true")),
    ),
    ChartValues(
        "elasticsearch",
        "bitnami/charts elasticsearch 22.1.7 values.yaml",
        "Elasticsearch",
        9200,
        (ServiceValues("service"),),
        auth=("security.enabled",),
        passwords=(("security.elasticPassword", "=elastic"),),
        defaults=(("security.enabled", "false"),),
    ),
)

_BITNAMI_REPOSITORIES = ("charts.bitnami.com", "bitnamicharts", "bitnami")


def chart_values(name: str, version: str = "") -> ChartValues | None:
    """The table's row for chart ``name`` at ``version`` (a version or a constraint such as
    ``~12.1.0`` or ``12.x.x``); the newest row when the version is unknown."""
    major = _major(version)
    rows = [c for c in CHARTS if c.chart == name]
    if major is None:
        return max(rows, key=lambda c: c.versions[0], default=None)
    return next((c for c in rows if c.versions[0] <= major < c.versions[1]), None)


def _major(version: str) -> int | None:
    match = re.match(r"^\s*[\^~>=v ]*(\d+)", version or "")
    return int(match.group(1)) if match else None


# --------------------------------------------------------------------------- layered values


class Layer(NamedTuple):
    """One values source: the mapping a chart sees (``root``) and the file it is in."""

    doc: TreeDocument
    root: Node


class Value(NamedTuple):
    node: Node
    layer: Layer

    @property
    def text(self) -> str:
        return self.node.text if self.node.is_scalar else ""


class Deployment(Record):
    """A datastore chart with its values layered lowest first; ``label`` names it (the
    release, or the umbrella's key) in messages."""

    __slots__ = ("chart", "label", "layers")

    def __init__(self, chart: ChartValues, label: str, layers: list[Layer] | None = None) -> None:
        self.chart = chart
        self.label = label
        self.layers: list[Layer] = [] if layers is None else layers

    def get(self, path: str) -> Value | None:
        """The value Helm would use at ``path``: from the top-most layer that sets it."""
        for layer in reversed(self.layers):
            node = _walk(layer.root, path)
            if node is not None and not (node.is_scalar and node.value is None):
                return Value(node, layer)
        return None

    def text(self, path: str) -> str | None:
        """A scalar at ``path`` (lowercased for booleans), from the layers or the chart's
        recorded default; None when unset or templated."""
        value = self.get(path)
        if value is None:
            return self.chart.default(path)
        if not value.node.is_scalar or "{{" in value.text:
            return None
        return value.text.strip().lower() if isinstance(value.node.value, bool) else value.text.strip()

    def holds(self, conditions: tuple[tuple[str, str], ...]) -> bool:
        return all((self.text(path) or "").lower() == expected for path, expected in conditions)

    def strings(self, path: str) -> list[str]:
        value = self.get(path)
        if value is None or not value.node.is_seq:
            return []
        return [n.text for n in value.node.elements() if n.is_scalar]


def _walk(root: Node, path: str) -> Node | None:
    node: Node | None = root
    for key in path.split("."):
        node = node.get(key) if node is not None else None
    return node


class Exposure(NamedTuple):
    """A Service of the chart reachable from outside the cluster; ``value`` is the value
    that makes it so (its ``type``, ``externalIPs``, or the ``enabled`` of an external
    access block)."""

    service: str
    how: str
    value: Value
    source_ranges: tuple[str, ...]


def exposures(deployment: Deployment) -> list[Exposure]:
    """The chart's Services that the layered values make reachable from outside the cluster
    (LoadBalancer without an internal annotation, NodePort, externalIPs, external access),
    unless the chart's NetworkPolicy admits only its client pods."""
    found: list[Exposure] = []
    for service in deployment.chart.services:
        if deployment.holds(service.when) and not _policy_closed(deployment, service):
            exposure = _service_exposure(deployment, service.path, "ClusterIP")
            if exposure is not None and exposure[1] is not None:
                found.append(Exposure(service.path, exposure[0], exposure[1], exposure[2]))
    for external in deployment.chart.external:
        enabled = deployment.get(f"{external.path}.enabled")
        if enabled is None or deployment.text(f"{external.path}.enabled") != "true":
            continue
        if not deployment.holds(external.when) or _policy_closed(deployment, external):
            continue
        exposure = _service_exposure(deployment, f"{external.path}.service", "LoadBalancer")
        if exposure is not None:
            how = f"enabled (one {exposure[0].removeprefix('type ')} per member)"
            found.append(Exposure(external.path, how, enabled, exposure[2]))
    return found


def _service_exposure(
    deployment: Deployment, path: str, default_type: str
) -> tuple[str, Value | None, tuple[str, ...]] | None:
    """How the Service at ``path`` is reachable from outside, the value that says so (None
    for the chart's default type) and its load-balancer source ranges."""
    kind = deployment.text(f"{path}.type") or default_type
    if kind == "LoadBalancer":
        annotations_value = deployment.get(f"{path}.annotations")
        annotations = string_map(annotations_value.node) if annotations_value is not None else {}
        if private_reason(annotations, deployment.text(f"{path}.loadBalancerClass") or "") is not None:
            return None
        ranges = tuple(deployment.strings(f"{path}.loadBalancerSourceRanges"))
        if not ranges and annotations.get(SOURCE_RANGES_ANNOTATION):
            ranges = tuple(r.strip() for r in annotations[SOURCE_RANGES_ANNOTATION].split(",") if r.strip())
        if ranges and not any(is_world(r) for r in ranges) and all(is_private_cidr(r) for r in ranges):
            return None
        return f"type {kind}", deployment.get(f"{path}.type"), ranges
    if kind == "NodePort":
        return f"type {kind}", deployment.get(f"{path}.type"), ()
    external_ips = deployment.get(f"{path}.externalIPs")
    if external_ips is not None and external_ips.node.is_seq and external_ips.node.elements():
        return "externalIPs", external_ips, ()
    return None


def _policy_closed(deployment: Deployment, service: ServiceValues) -> bool:
    """A NetworkPolicy rendered by the chart that admits only its labelled client pods."""
    if not service.network_policy:
        return False
    enabled = deployment.text(f"{service.network_policy}.enabled")
    allow_external = deployment.text(f"{service.network_policy}.allowExternal")
    return enabled == "true" and allow_external == "false"


def auth_off(deployment: Deployment) -> tuple[str, Value | None] | None:
    """Why the chart runs without authentication, and the value that says so (None when
    it is the chart's own default), or None when it asks for credentials."""
    for path in deployment.chart.auth:
        if deployment.text(path) == "false":
            value = deployment.get(path)
            return (f"{path}: false" + ("" if value is not None else " by the chart's default")), value
    return None


def passwords(deployment: Deployment) -> Iterator[tuple[str, Value, str]]:
    """(path, password value, user name) for each password the values set literally."""
    for password_path, user_ref in deployment.chart.passwords:
        value = deployment.get(password_path)
        if value is None or not value.node.is_scalar or not value.text or "{{" in value.text:
            continue
        user = user_ref[1:] if user_ref.startswith("=") else (deployment.text(user_ref) or "")
        yield password_path, value, user


# --------------------------------------------------------------------------- where values come from


def _chart_yaml(project: Project, directory: PurePosixPath) -> Node | None:
    for name in ("Chart.yaml", "Chart.yml"):
        doc = project.document(project.cwd / directory / name)
        if isinstance(doc, TreeDocument) and doc.roots and doc.roots[0].is_map:
            return doc.roots[0]
    return None


def _values_root(doc: TreeDocument) -> Node | None:
    return doc.roots[0] if doc.roots and doc.roots[0].is_map else None


def deployments_of(doc: TreeDocument, project: Project) -> list[Deployment]:
    """The chart deployments ``doc`` takes part in: as a values file of a chart, or as a
    helmfile listing releases; none for any other YAML."""
    if doc.kind is Kind.HELM_VALUES:
        return values_deployments(doc, project)
    if is_helmfile(doc.path):
        return helmfile_deployments(doc, project)
    return []


def values_deployments(doc: TreeDocument, project: Project) -> list[Deployment]:
    """The datastore charts a values file beside ``Chart.yaml`` configures: the chart itself
    when it is one of the table's, and each bitnami sub-chart of its dependencies (under
    the dependency's alias or name); the chart's own values.yaml is the layer below."""
    directory = PurePosixPath(doc.path).parent
    chart = _chart_yaml(project, directory)
    root = _values_root(doc)
    if chart is None or root is None:
        return []
    layers_below: list[TreeDocument] = []
    if PurePosixPath(doc.path).name not in ("values.yaml", "values.yml"):
        base = project.document(project.cwd / directory / "values.yaml")
        if isinstance(base, TreeDocument) and base.path != doc.path:
            layers_below.append(base)
    found: list[Deployment] = []
    row = chart_values(_text(chart.get("name")), _text(chart.get("version")))
    if row is not None:
        deployment = Deployment(row, _text(chart.get("name")))
        for below in layers_below:
            below_root = _values_root(below)
            if below_root is not None:
                deployment.layers.append(Layer(below, below_root))
        deployment.layers.append(Layer(doc, root))
        found.append(deployment)
    dependencies = chart.get("dependencies")
    for dep in dependencies.elements() if dependencies is not None else []:
        name = _text(dep.get("name"))
        repository = _text(dep.get("repository"))
        row = chart_values(name, _text(dep.get("version")))
        if row is None or not any(r in repository for r in _BITNAMI_REPOSITORIES):
            continue
        key = _text(dep.get("alias")) or name
        deployment = Deployment(row, key)
        vendored = project.document(project.cwd / directory / "charts" / name / "values.yaml")
        sources = ([vendored] if isinstance(vendored, TreeDocument) else []) + layers_below + [doc]
        for index, source in enumerate(sources):
            source_root = _values_root(source)
            sub = source_root if index == 0 and source is vendored else (source_root.get(key) if source_root else None)
            if sub is not None and sub.is_map:
                deployment.layers.append(Layer(source, sub))
        if deployment.layers:
            found.append(deployment)
    return found


def helmfile_deployments(doc: TreeDocument, project: Project) -> list[Deployment]:
    """Each helmfile release of a bitnami datastore chart, its ``values:`` entries (files
    relative to the helmfile, or inline mappings) layered in order."""
    root = _values_root(doc)
    if root is None:
        return []
    repositories = {
        _text(r.get("name")): _text(r.get("url"))
        for r in (root.get("repositories").elements() if root.get("repositories") is not None else [])  # type: ignore[union-attr]
    }
    directory = PurePosixPath(doc.path).parent
    found: list[Deployment] = []
    releases = root.get("releases")
    for release in releases.elements() if releases is not None else []:
        reference = _text(release.get("chart"))
        prefix, _, name = reference.rpartition("/")
        where = repositories.get(prefix, prefix)
        row = chart_values(name, _text(release.get("version")))
        if row is None or not any(r in where for r in _BITNAMI_REPOSITORIES):
            continue
        deployment = Deployment(row, _text(release.get("name")) or name)
        values = release.get("values")
        for entry in values.elements() if values is not None else []:
            if entry.is_map:
                deployment.layers.append(Layer(doc, entry))
            elif entry.is_scalar and "{{" not in entry.text:
                source = project.document(project.cwd / directory / entry.text)
                source_root = _values_root(source) if isinstance(source, TreeDocument) else None
                if source is not None and source_root is not None:
                    deployment.layers.append(Layer(source, source_root))  # type: ignore[arg-type]
        if deployment.layers:
            found.append(deployment)
    return found


def owned(layer: Layer, doc: TreeDocument) -> bool:
    """A value is reported by the check of the file that holds it; a helmfile also reports
    for the plain YAML values files it lists (no other check reads them)."""
    if layer.doc.path == doc.path:
        return True
    return doc.kind is not Kind.HELM_VALUES and layer.doc.kind is not Kind.HELM_VALUES


def is_helmfile(path: str) -> bool:
    name = PurePosixPath(path).name.lower()
    return name in ("helmfile.yaml", "helmfile.yml") or (
        PurePosixPath(path).parent.name == "helmfile.d" and name.endswith((".yaml", ".yml"))
    )


def _text(node: Node | None) -> str:
    return node.text if node is not None and node.is_scalar else ""
