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
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from guardrails.documents import ShellDocument, TreeDocument, Word, instance_of
from guardrails.facts.helm_cli import UNKNOWN_TAG
from guardrails.facts.kubernetes import string_map
from guardrails.facts.load_balancers import SOURCE_RANGES_ANNOTATION, private_reason
from guardrails.facts.network import is_private_cidr, is_world
from guardrails.model import Document, Kind, LineMap, Node, ParseError, Span
from guardrails.project import Project
from guardrails.records import Frozen, Record

if TYPE_CHECKING:
    from guardrails.documents import Block, Expr, TerraformDocument
    from guardrails.facts.terraform import Module


_RENDERS = ("loadBalancerSourceRanges", "loadBalancerClass", "externalIPs")


class ServiceValues(Frozen):
    """A block of values the chart renders as a Service (``<path>.type``,
    ``.annotations``, and those of ``renders``: ``.loadBalancerSourceRanges``,
    ``.loadBalancerClass``, ``.externalIPs``; a value the template does not render
    restricts nothing), rendered only when every ``when`` value (path, expected) holds;
    ``network_policy`` is the block whose ``enabled: true`` with ``allowExternal: false``
    admits only labelled client pods."""

    path: str
    when: tuple[tuple[str, str], ...] = ()
    network_policy: str = ""
    renders: tuple[str, ...] = _RENDERS


class ChartValues(Frozen):
    """One datastore chart (one range of major versions) and the value paths that matter.

    ``external``: blocks whose ``enabled: true`` renders one Service per node
    (``<path>.service.type``, LoadBalancer unless set); ``auth``: booleans whose false
    turns authentication off; ``passwords``: (password path, user path or ``=user``).
    ``defaults`` are the chart's values for the paths above, used when the chart's own
    values.yaml is not in the repository. ``overrides``: (``global.*`` path, value path):
    the chart's templates use the global value instead when it is not empty (``coalesce``),
    as an umbrella chart's ``global:`` reaches every sub-chart. ``image`` is the image the
    chart runs when it is not ``bitnami/<chart>`` (its ``image.repository``), which names the
    datastore family and its documented default credentials (facts/datastores.py).
    ``publisher`` names the row's entry of ``PUBLISHERS``: a chart is read with a row only
    when its repository (or its Chart.yaml) names that publisher.
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
    overrides: tuple[tuple[str, str], ...] = ()
    image: str = ""
    publisher: str = "bitnami"

    def default(self, path: str) -> str | None:
        return next((v for p, v in self.defaults if p == path), None)

    @property
    def image_name(self) -> str:
        return self.image or f"bitnami/{self.chart}"


_REPLICATION = (("architecture", "replication"),)
_RANGES = ("loadBalancerSourceRanges",)
_RANGES_AND_IPS = ("loadBalancerSourceRanges", "externalIPs")
_NO_SENTINEL = (("sentinel.enabled", "false"),)
_SENTINEL = (("sentinel.enabled", "true"),)

# Sources: bitnami/charts, bitnami/<chart>/values.yaml at the version named in ``source``;
# the legacy rows from the last version before the values were renamed. The rows of other
# publishers follow, each read from its publisher's repository at the version it names.
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
        # templates/_helpers.tpl and secrets.yaml: coalesce .Values.global.postgresql.auth.* .Values.auth.*
        overrides=(
            ("global.postgresql.auth.postgresPassword", "auth.postgresPassword"),
            ("global.postgresql.auth.password", "auth.password"),
            ("global.postgresql.auth.username", "auth.username"),
        ),
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
        # templates/_helpers.tpl "redis.password": providedValues (list "global.redis.password" "auth.password")
        overrides=(("global.redis.password", "auth.password"),),
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
    ChartValues(
        "opensearch",
        "bitnami/charts opensearch 2.0.11 values.yaml, templates/service.yaml",
        "OpenSearch",
        9200,
        (ServiceValues("service"),),
        auth=("security.enabled",),
        passwords=(("security.adminPassword", "=admin"),),
        defaults=(("security.enabled", "false"),),
    ),
    ChartValues(
        "postgresql-ha",
        # templates/pgpool/service.yaml renders service.*; the PostgreSQL Service is always ClusterIP.
        "bitnami/charts postgresql-ha 16.3.4 values.yaml, templates/pgpool/service.yaml",
        "PostgreSQL",
        5432,
        (ServiceValues("service", (), "pgpool.networkPolicy"),),
        passwords=(
            ("postgresql.password", "postgresql.username"),
            ("postgresql.postgresPassword", "=postgres"),
            ("postgresql.repmgrPassword", "postgresql.repmgrUsername"),
            ("pgpool.adminPassword", "pgpool.adminUsername"),
        ),
        defaults=(("postgresql.username", "postgres"), ("postgresql.repmgrUsername", "repmgr")),
        # templates/postgresql/secrets.yaml, pgpool/secrets.yaml: providedValues (list "global.*" "*");
        # templates/_helpers.tpl: coalesce ((.Values.global).postgresql).username .Values.postgresql.username
        overrides=(
            ("global.postgresql.password", "postgresql.password"),
            ("global.postgresql.username", "postgresql.username"),
            ("global.postgresql.repmgrPassword", "postgresql.repmgrPassword"),
            ("global.postgresql.repmgrUsername", "postgresql.repmgrUsername"),
            ("global.pgpool.adminPassword", "pgpool.adminPassword"),
            ("global.pgpool.adminUsername", "pgpool.adminUsername"),
        ),
        image="bitnami/postgresql-repmgr",
    ),
    ChartValues(
        "mongodb-sharded",
        "bitnami/charts mongodb-sharded 9.4.14 values.yaml, templates/mongos/mongos-service.yaml",
        "MongoDB",
        27017,
        (ServiceValues("service", (), "networkPolicy"),),
        auth=("auth.enabled",),
        passwords=(("auth.rootPassword", "auth.rootUser"),),
        defaults=(("auth.enabled", "true"), ("auth.rootUser", "root")),
    ),
    ChartValues(
        "redis-cluster",
        "bitnami/charts redis-cluster 13.0.5 values.yaml, templates/redis-svc.yaml, svc-cluster-external-access.yaml",
        "Redis",
        6379,
        (ServiceValues("service", (), "networkPolicy"),),
        external=(ServiceValues("cluster.externalAccess", (), "networkPolicy"),),
        auth=("usePassword",),
        passwords=(("password", "="),),
        defaults=(("usePassword", "true"),),
        # templates/_helpers.tpl: global.redis.password when not empty, else password
        overrides=(("global.redis.password", "password"),),
    ),
    ChartValues(
        "cassandra",
        "bitnami/charts cassandra 12.3.13 values.yaml, templates/service.yaml",
        "Cassandra",
        9042,
        (ServiceValues("service", (), "networkPolicy"),),
        passwords=(("dbUser.password", "dbUser.user"),),
        defaults=(("dbUser.user", "cassandra"),),
    ),
    ChartValues(
        "memcached",
        "bitnami/charts memcached 8.0.0 values.yaml, templates/service.yaml",
        "Memcached",
        11211,
        (ServiceValues("service", (), "networkPolicy"),),
        auth=("auth.enabled",),
        passwords=(("auth.password", "auth.username"),),
        defaults=(("auth.enabled", "false"),),
    ),
    ChartValues(
        "rabbitmq",
        "bitnami/charts rabbitmq 16.0.16 values.yaml, templates/svc.yaml",
        "RabbitMQ",
        5672,
        (ServiceValues("service", (), "networkPolicy"),),
        passwords=(("auth.password", "auth.username"),),
        defaults=(("auth.username", "user"),),
    ),
    ChartValues(
        "clickhouse",
        "bitnami/charts clickhouse 9.4.7 values.yaml, templates/service.yaml",
        "ClickHouse",
        8123,
        (ServiceValues("service", (), "networkPolicy"),),
        passwords=(("auth.password", "auth.username"),),
        defaults=(("auth.username", "default"),),
    ),
    ChartValues(
        "influxdb",
        "bitnami/charts influxdb 7.1.21 values.yaml (7.0.0 and later, InfluxDB 3 Core)",
        "InfluxDB",
        8181,
        (ServiceValues("service", (), "networkPolicy"),),
        auth=("auth.enabled",),
        defaults=(("auth.enabled", "true"),),
        versions=(7, 10_000),
    ),
    ChartValues(
        "influxdb",
        # auth.enabled is documented "in v2 it will be ignored": InfluxDB 2 always asks for a token.
        "bitnami/charts influxdb 6.6.16 values.yaml (before 7.0.0, InfluxDB 2)",
        "InfluxDB",
        8086,
        (ServiceValues("influxdb.service", (), "networkPolicy"),),
        passwords=(("auth.admin.password", "auth.admin.username"), ("auth.user.password", "auth.user.username")),
        defaults=(("auth.admin.username", "admin"),),
        versions=(0, 7),
    ),
    ChartValues(
        "redis-ha",
        # The Redis Services (headless, and one announce Service per replica) are always
        # ClusterIP; only HAProxy's is a value. auth: false is the chart's default.
        "DandyDeveloper/charts redis-ha 4.39.0 values.yaml, templates/redis-haproxy-service.yaml",
        "Redis",
        6379,
        (ServiceValues("haproxy.service", (("haproxy.enabled", "true"),), renders=_RANGES_AND_IPS),),
        auth=("auth",),
        passwords=(("redisPassword", "="), ("sentinel.password", "=")),
        defaults=(("haproxy.enabled", "false"), ("auth", "false")),
        versions=(4, 10_000),  # the chart's history in that repository starts at 4.4.2, with these paths
        image="redis",
        publisher="dandydeveloper",
    ),
    ChartValues(
        "postgres",
        # templates/secureconfig.yaml: POSTGRES_USER and POSTGRES_PASSWORD from the .value of each;
        # the official image refuses to start without a password (settings.authMethod aside).
        # loadBalancerSourceRanges is rendered from 1.5.6 (mariadb: 4.4.1) on.
        "groundhog2k/helm-charts postgres 1.6.7 values.yaml, templates/service.yaml (1.0.0 and later)",
        "PostgreSQL",
        5432,
        (ServiceValues("service", renders=_RANGES),),
        passwords=(
            ("settings.superuserPassword.value", "settings.superuser.value"),
            ("userDatabase.password.value", "userDatabase.user.value"),
        ),
        defaults=(("settings.superuser.value", "postgres"),),
        versions=(1, 10_000),
        image="postgres",
        publisher="groundhog2k",
    ),
    ChartValues(
        "postgres",
        "groundhog2k/helm-charts postgres 0.5.3 values.yaml, templates/service.yaml (before 1.0.0)",
        "PostgreSQL",
        5432,
        (ServiceValues("service", renders=()),),
        passwords=(
            ("settings.superuserPassword", "settings.superuser"),
            ("userDatabase.password", "userDatabase.user"),
        ),
        defaults=(("settings.superuser", "postgres"),),
        versions=(0, 1),
        image="postgres",
        publisher="groundhog2k",
    ),
    ChartValues(
        "mariadb",
        # templates/secureconfig.yaml: MARIADB_ROOT_PASSWORD and MARIADB_PASSWORD from the .value of
        # each; settings.allowEmptyRootPassword (a true that opens root) is not read.
        "groundhog2k/helm-charts mariadb 4.5.3 values.yaml, templates/service.yaml (1.0.0 and later)",
        "MariaDB",
        3306,
        (ServiceValues("service", renders=_RANGES),),
        passwords=(
            ("settings.rootPassword.value", "=root"),
            ("userDatabase.password.value", "userDatabase.user.value"),
        ),
        versions=(1, 10_000),
        image="mariadb",
        publisher="groundhog2k",
    ),
    ChartValues(
        "mariadb",
        "groundhog2k/helm-charts mariadb 0.10.0 values.yaml, templates/service.yaml (before 1.0.0)",
        "MariaDB",
        3306,
        (ServiceValues("service", renders=()),),
        passwords=(("settings.rootPassword", "=root"), ("userDatabase.password", "userDatabase.user")),
        versions=(0, 1),
        image="mariadb",
        publisher="groundhog2k",
    ),
    ChartValues(
        "elasticsearch",
        # 8.x: security is on and templates/statefulset.yaml sets ELASTIC_PASSWORD from secret.password
        # (generated when empty); 7.x turns security on in esConfig's free text: no row.
        "elastic/helm-charts elasticsearch 8.5.1 values.yaml, templates/service.yaml (8.0.0 and later)",
        "Elasticsearch",
        9200,
        (ServiceValues("service", (("service.enabled", "true"),), renders=_RANGES),),
        passwords=(("secret.password", "=elastic"),),
        defaults=(("service.enabled", "true"),),
        versions=(8, 10_000),
        image="docker.elastic.co/elasticsearch/elasticsearch",
        publisher="elastic",
    ),
    ChartValues(
        "cockroachdb",
        # templates/statefulset.yaml: --insecure (no authentication) unless tls.enabled;
        # service.public renders no source ranges, class or external IPs.
        "cockroachdb/helm-charts cockroachdb 21.0.1 values.yaml, templates/service.public.yaml, statefulset.yaml",
        "CockroachDB",
        26257,
        (ServiceValues("service.public", (("operator.enabled", "false"),), renders=()),),
        auth=("tls.enabled",),
        defaults=(("operator.enabled", "false"), ("tls.enabled", "true")),
        # cockroachdb/helm-charts issue #185: insecure by default "until version 6.0.9"; a
        # major alone cannot tell 6.0.9 from 6.1, so 6.x has no row (not judged).
        versions=(7, 10_000),
        image="cockroachdb/cockroach",
        publisher="cockroachdb",
    ),
    ChartValues(
        "cockroachdb",
        # Before 6.0.0 (4.0.3, 5.0.0 read): tls.enabled false by default, the same paths.
        "cockroachdb/helm-charts cockroachdb 5.0.0 values.yaml, templates/service.public.yaml",
        "CockroachDB",
        26257,
        (ServiceValues("service.public", renders=()),),
        auth=("tls.enabled",),
        defaults=(("tls.enabled", "false"),),
        versions=(0, 6),
        image="cockroachdb/cockroach",
        publisher="cockroachdb",
    ),
    ChartValues(
        "influxdb2",
        # InfluxDB 2 always asks for a token; adminUser.password is the admin's (random when empty).
        "influxdata/helm-charts influxdb2 2.1.2 values.yaml, templates/service.yaml",
        "InfluxDB",
        8086,
        (ServiceValues("service", renders=_RANGES),),
        passwords=(("adminUser.password", "adminUser.user"),),
        defaults=(("adminUser.user", "admin"),),
        image="influxdb",
        publisher="influxdata",
    ),
)


class Publisher(Frozen):
    """Who publishes a chart, as a deployment names it. ``repositories``: fragments of its
    chart repository URLs and OCI registries, found anywhere in a repository reference
    (bitnami's include the name ``bitnami`` itself); ``names``: the ``helm repo add`` names
    its documentation uses, matched whole (``dandydev/redis-ha``, ``@dandydev``) when the
    file adds no repository of that name; ``homes``: fragments of the URLs the Chart.yaml of
    its charts names (``home``, ``sources``, ``maintainers[].url``), in any case."""

    name: str
    repositories: tuple[str, ...]
    names: tuple[str, ...] = ()
    homes: tuple[str, ...] = ()


# Sources: each publisher's README (its ``helm repo add`` line) and its charts' Chart.yaml
# (cockroachdb and influxdb2 name only their vendor's site as ``home``).
PUBLISHERS: tuple[Publisher, ...] = (
    Publisher("bitnami", ("charts.bitnami.com", "bitnamicharts", "bitnami"), homes=("bitnami",)),
    Publisher(
        "dandydeveloper", ("dandydeveloper.github.io/charts",), ("dandydev",), ("github.com/dandydeveloper/charts",)
    ),
    Publisher(
        "groundhog2k", ("groundhog2k.github.io/helm-charts",), ("groundhog2k",), ("github.com/groundhog2k/helm-charts",)
    ),
    Publisher("elastic", ("helm.elastic.co",), ("elastic",), ("github.com/elastic/helm-charts",)),
    Publisher(
        "cockroachdb",
        ("charts.cockroachdb.com",),
        ("cockroachdb",),
        ("github.com/cockroachdb/helm-charts", "www.cockroachlabs.com"),
    ),
    Publisher(
        "influxdata",
        ("helm.influxdata.com",),
        ("influxdata",),
        ("github.com/influxdata/helm-charts", "www.influxdata.com"),
    ),
)


def publisher_of(repository: str) -> str | None:
    """The publisher a repository reference names (a URL, an OCI reference, a ``helm repo
    add`` name), in any case; None for any other: an unknown publisher's chart is not
    modelled, whatever its name."""
    text = repository.strip().lower()  # hosts are case-insensitive: https://Helm.elastic.co
    for publisher in PUBLISHERS:
        if any(r in text for r in publisher.repositories) or text.removeprefix("@") in publisher.names:
            return publisher.name
    return None


def chart_values(name: str, version: str = "", publisher: str = "bitnami") -> ChartValues | None:
    """The table's row for ``publisher``'s chart ``name`` at ``version`` (a version or a
    constraint such as ``~12.1.0`` or ``12.x.x``); the newest row when the version is unknown."""
    major = _major(version)
    rows = [c for c in CHARTS if c.chart == name and c.publisher == publisher]
    if major is None:
        return max(rows, key=lambda c: c.versions[0], default=None)
    return next((c for c in rows if c.versions[0] <= major < c.versions[1]), None)


def _major(version: str) -> int | None:
    match = re.match(r"^\s*[\^~>=v ]*(\d+)", version or "")
    return int(match.group(1)) if match else None


# --------------------------------------------------------------------------- layered values


class Layer(Frozen):
    """One values source: the mapping a chart sees (``root``), the file it is in, and
    ``top``, the mapping that holds its ``global:`` (the whole file, for an umbrella
    chart's sub-chart key). An ``opaque`` layer is one whose values are unknown (a file
    that cannot be read, the previous release's values): nothing below it is known.
    ``cited`` is where a command names the file (its ``-f`` word): findings about values
    of a file that no check of its own reads go there. ``via`` says where a value written
    as a reference comes from (`` (from var.password default (variables.tf:3))``).
    ``switched_on``: the value of a higher layer that turns on a sub-chart this file leaves
    off; its check reports this file's values for that sub-chart there."""

    doc: Document
    root: Node | None
    top: Node | None = None
    opaque: bool = False
    cited: tuple[Document, Span] | None = None
    via: str = ""
    switched_on: tuple[Document, Span] | None = None

    def lookup(self, path: str, own_global: bool = False) -> Node | None:
        """The node at ``path``; a ``global.*`` path is read from the mapping that holds the
        file's top-level ``global:``, or with ``own_global`` from the chart's own mapping (a
        sub-chart's ``global:`` under its key)."""
        top = path.startswith("global.") and not own_global
        base = (self.top if self.top is not None else self.root) if top else self.root
        return _walk(base, path) if base is not None else None


# Template markers (Helm/helmfile ``{{ }}``, Terraform or envsubst ``${ }``): the value is unknown.
_TEMPLATES = ("{{", "${")


class Value(Frozen):
    """A value and the layer that sets it; ``path`` is the value path it was read at (a
    chart's ``global.*`` override of the path asked for)."""

    node: Node
    layer: Layer
    path: str = ""

    @property
    def text(self) -> str:
        return self.node.text if self.node.is_scalar else ""

    @property
    def known(self) -> bool:
        """A scalar the scan can read: not a template, an expansion or an unknown file."""
        return self.node.is_scalar and self.node.tag != UNKNOWN_TAG and not any(t in self.text for t in _TEMPLATES)

    @property
    def location(self) -> str:
        """``path:line`` of the value in the file on disk."""
        return f"{self.layer.doc.host.path}:{self.layer.doc.host_span(self.node.span).line}"


class Deployment(Record):
    """A datastore chart with its values layered lowest first; ``label`` names it (the
    release, or the umbrella's key) in messages, ``origin`` the command that deploys it."""

    __slots__ = ("chart", "label", "layers", "origin")

    def __init__(self, chart: ChartValues, label: str, layers: list[Layer] | None = None, origin: str = "") -> None:
        self.chart = chart
        self.label = label
        self.layers: list[Layer] = [] if layers is None else layers
        self.origin = origin

    def get(self, path: str) -> Value | None:
        """The value Helm would use at ``path``: from the top-most layer that sets it, or the
        chart's ``global.*`` override of it when that is set and not empty. Helm merges the
        umbrella's ``global:`` over the sub-chart's own (Helm's ``coalesceGlobals``): a
        sub-chart's ``global:`` counts only where no file's top-level ``global:`` sets the path."""
        for global_path, value_path in self.chart.overrides:
            if value_path == path:
                override = self._get(global_path) or self._get(global_path, own_global=True)
                if override is not None and (not override.known or override.text.strip()):
                    return Value(override.node, override.layer, global_path)
        return self._get(path)

    def _get(self, path: str, own_global: bool = False) -> Value | None:
        for layer in reversed(self.layers):
            if layer.opaque:
                return Value(Node("scalar", "", Span.point(1), tag=UNKNOWN_TAG), layer, path)
            node = layer.lookup(path, own_global)
            if node is not None and not (node.is_scalar and node.value is None and node.tag != UNKNOWN_TAG):
                return Value(node, layer, path)
        return None

    def text(self, path: str) -> str | None:
        """A scalar at ``path`` (lowercased for booleans), from the layers or the chart's
        recorded default; None when unset, templated or unknown."""
        value = self.get(path)
        if value is None:
            return self.chart.default(path)
        if not value.known:
            return None
        return value.text.strip().lower() if isinstance(value.node.value, bool) else value.text.strip()

    def holds(self, conditions: tuple[tuple[str, str], ...]) -> bool:
        return all((self.text(path) or "").lower() == expected for path, expected in conditions)

    def strings(self, path: str) -> list[str]:
        value = self.get(path)
        if value is None or not value.node.is_seq:
            return []
        return [n.text for n in value.node.elements() if n.is_scalar]

    def mapping(self, path: str) -> dict[str, str]:
        """The string map at ``path`` merged over the layers, as Helm merges maps (an
        unknown layer hides what is below it)."""
        merged: dict[str, str] = {}
        for layer in reversed(self.layers):
            if layer.opaque:
                break
            node = layer.lookup(path)
            if node is not None and node.is_map:
                merged = {**string_map(node), **merged}
        return merged


def _walk(root: Node, path: str) -> Node | None:
    node: Node | None = root
    for key in path.split("."):
        node = node.get(key) if node is not None else None
    return node


class Exposure(Frozen):
    """A Service of the chart reachable from outside the cluster; ``value`` is the value
    that makes it so (its ``type``, ``externalIPs``, or the ``enabled`` of an external
    access block); ``when`` the values (path, expected) under which the chart renders it."""

    service: str
    how: str
    value: Value
    source_ranges: tuple[str, ...]
    when: tuple[tuple[str, str], ...] = ()


def exposures(deployment: Deployment) -> list[Exposure]:
    """The chart's Services that the layered values make reachable from outside the cluster
    (LoadBalancer without an internal annotation, NodePort, externalIPs, external access),
    unless the chart's NetworkPolicy admits only its client pods."""
    found: list[Exposure] = []
    for service in deployment.chart.services:
        if deployment.holds(service.when) and not _policy_closed(deployment, service):
            exposure = _service_exposure(deployment, service.path, "ClusterIP", service.renders)
            if exposure is not None and exposure[1] is not None:
                found.append(Exposure(service.path, exposure[0], exposure[1], exposure[2], service.when))
    for external in deployment.chart.external:
        enabled = deployment.get(f"{external.path}.enabled")
        if enabled is None or deployment.text(f"{external.path}.enabled") != "true":
            continue
        if not deployment.holds(external.when) or _policy_closed(deployment, external):
            continue
        exposure = _service_exposure(deployment, f"{external.path}.service", "LoadBalancer", external.renders)
        if exposure is not None:
            how = f"enabled (one {exposure[0].removeprefix('type ')} per member)"
            found.append(Exposure(external.path, how, enabled, exposure[2], external.when))
    return found


def rendered_by(
    deployment: Deployment, exposure: Exposure, doc: Document
) -> tuple[Value, tuple[Document, Span, str]] | None:
    """The value ``doc`` reports (its own, or a file its command names) that makes the chart
    render ``exposure`` when the other layers do not (an environment file's ``architecture:
    replication`` over a base that publishes the replica Service), and where to report it;
    None when the other layers render it too (their own check reports it) or ``doc`` sets
    none of its conditions."""
    anywhere = Node("scalar", "", Span.point(1))
    below = [layer for layer in deployment.layers if report_at(Value(anywhere, layer), doc) is None]
    if len(below) == len(deployment.layers) or Deployment(deployment.chart, "", below).holds(exposure.when):
        return None
    for path, _ in exposure.when:
        value = deployment.get(path)
        place = report_at(value, doc) if value is not None else None
        if value is not None and place is not None:
            return value, place
    return None


def _service_exposure(
    deployment: Deployment, path: str, default_type: str, renders: tuple[str, ...]
) -> tuple[str, Value | None, tuple[str, ...]] | None:
    """How the Service at ``path`` is reachable from outside, the value that says so (None
    for the chart's default type) and its load-balancer source ranges; of the values besides
    ``type`` and ``annotations``, only those the chart ``renders`` count."""
    kind = deployment.text(f"{path}.type") or default_type
    if kind == "LoadBalancer":
        annotations = deployment.mapping(f"{path}.annotations")
        load_balancer_class = deployment.text(f"{path}.loadBalancerClass") if "loadBalancerClass" in renders else None
        if private_reason(annotations, load_balancer_class or "") is not None:
            return None
        ranges = (
            tuple(deployment.strings(f"{path}.loadBalancerSourceRanges"))
            if "loadBalancerSourceRanges" in renders
            else ()
        )
        if not ranges and annotations.get(SOURCE_RANGES_ANNOTATION):
            ranges = tuple(r.strip() for r in annotations[SOURCE_RANGES_ANNOTATION].split(",") if r.strip())
        if ranges and not any(is_world(r) for r in ranges) and all(is_private_cidr(r) for r in ranges):
            return None
        return f"type {kind}", deployment.get(f"{path}.type"), ranges
    if kind == "NodePort":
        return f"type {kind}", deployment.get(f"{path}.type"), ()
    external_ips = deployment.get(f"{path}.externalIPs") if "externalIPs" in renders else None
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
    it is the chart's own default), or None when it asks for credentials. Only a boolean
    false counts: the string ``"false"`` (``--set-string``, a quoted YAML value) is true
    in the chart's ``{{ if }}``. A ``false`` that only repeats the chart's own default (the
    shipped values.yaml of memcached or opensearch) is the default, not a choice of the file."""
    for path in deployment.chart.auth:
        if deployment.text(path) == "false":
            value = deployment.get(path)
            if value is not None and not isinstance(value.node.value, bool):
                continue
            if deployment.chart.default(path) == "false":
                value = None
            return (f"{path}: false" + ("" if value is not None else " by the chart's default")), value
    return None


def passwords(deployment: Deployment) -> Iterator[tuple[str, Value, str]]:
    """(path, password value, user name) for each password the values set literally."""
    for password_path, user_ref in deployment.chart.passwords:
        value = deployment.get(password_path)
        if value is None or not value.known or not value.text:
            continue
        user = user_ref[1:] if user_ref.startswith("=") else (deployment.text(user_ref) or "")
        yield value.path, value, user


# --------------------------------------------------------------------------- where values come from


def _chart_yaml(project: Project, directory: PurePosixPath | Path) -> Node | None:
    for name in ("Chart.yaml", "Chart.yml"):
        doc = project.document(project.cwd / directory / name)
        if isinstance(doc, TreeDocument) and doc.roots and doc.roots[0].is_map:
            return doc.roots[0]
    return None


def _values_root(doc: TreeDocument) -> Node | None:
    return doc.roots[0] if doc.roots and doc.roots[0].is_map else None


def deployments_of(doc: Document, project: Project) -> list[Deployment]:
    """The chart deployments ``doc`` takes part in: as a values file of a chart, as a
    helmfile listing releases, a script running ``helm install``, or Terraform
    ``helm_release`` resources; none otherwise."""
    if instance_of(doc, "ShellDocument"):
        return command_deployments(doc, project)  # type: ignore[arg-type]
    if instance_of(doc, "TerraformDocument"):
        return release_deployments(doc, project)  # type: ignore[arg-type]
    if not isinstance(doc, TreeDocument):
        return []
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
    layers: list[Layer] = []
    if PurePosixPath(doc.path).name not in ("values.yaml", "values.yml"):
        base = project.document(project.cwd / directory / "values.yaml")
        if isinstance(base, TreeDocument) and base.path != doc.path:
            layers.append(Layer(base, _values_root(base)))
    layers.append(Layer(doc, root))
    return chart_deployments(project, directory, chart, layers)


def chart_deployments(
    project: Project,
    directory: PurePosixPath | Path,
    chart: Node,
    layers: list[Layer],
    label: str = "",
    origin: str = "",
) -> list[Deployment]:
    """The table's charts that the chart in ``directory`` deploys with ``layers`` (lowest
    first, each a whole values file): itself, and each dependency of its ``Chart.yaml``
    from a known publisher under its key (alias or name), over the vendored
    ``charts/<name>`` values; the top level's ``global:`` reaches every sub-chart."""
    found: list[Deployment] = []
    name = _text(chart.get("name"))
    publisher = local_publisher(chart)
    row = chart_values(name, _text(chart.get("version")), publisher) if publisher is not None else None
    if row is not None:
        found.append(Deployment(row, label or name, list(layers), origin))
    dependencies = chart.get("dependencies")
    for dep in dependencies.elements() if dependencies is not None else []:
        dep_name = _text(dep.get("name"))
        publisher = _dependency_publisher(project, directory, dep_name, _text(dep.get("repository")))
        row = chart_values(dep_name, _text(dep.get("version")), publisher) if publisher is not None else None
        if row is None or not _dependency_enabled(dep, layers):
            continue
        key = _text(dep.get("alias")) or dep_name
        deployment = Deployment(row, key, origin=origin)
        vendored = project.document(project.cwd / directory / "charts" / dep_name / "values.yaml")
        if isinstance(vendored, TreeDocument) and _values_root(vendored) is not None:
            deployment.layers.append(Layer(vendored, _values_root(vendored)))
        switch = _switch(dep, layers) if len(layers) > 1 and not _dependency_enabled(dep, layers[:1]) else None
        for number, layer in enumerate(layers):
            sub = layer.root.get(key) if layer.root is not None else None
            on = switch if number == 0 else None
            if layer.opaque or (sub is not None and sub.is_map):
                deployment.layers.append(Layer(layer.doc, sub, layer.root, layer.opaque, layer.cited, switched_on=on))
            elif layer.root is not None and layer.root.get("global") is not None:
                deployment.layers.append(Layer(layer.doc, None, layer.root, cited=layer.cited, switched_on=on))
        if deployment.layers:
            found.append(deployment)
    return found


def local_publisher(chart: Node) -> str | None:
    """The publisher of a chart directory of the repository, from the URLs its Chart.yaml
    names (``home``, ``sources``, ``maintainers[].url``). A Chart.yaml that names none (a
    copy trimmed to its name and version) is read with bitnami's rows, as before publishers
    were told apart; one whose URLs name no known publisher is not modelled."""
    urls = _chart_urls(chart)
    return _publisher_of_urls(urls) if urls else "bitnami"


def _dependency_publisher(project: Project, directory: PurePosixPath | Path, name: str, repository: str) -> str | None:
    """The publisher of a dependency: its ``repository``; for one vendored in the chart
    (no repository: ``charts/<name>``; ``file://<path>``), the URLs of that copy's
    Chart.yaml, which must name its publisher."""
    if repository and not repository.startswith("file://"):
        return publisher_of(repository)
    place = PurePosixPath(repository.removeprefix("file://")) if repository else PurePosixPath("charts", name)
    vendored = _chart_yaml(project, PurePosixPath(directory) / place)
    return _publisher_of_urls(_chart_urls(vendored)) if vendored is not None else None


def _chart_urls(chart: Node) -> list[str]:
    urls = [_text(chart.get("home"))]
    for key, field in (("sources", ""), ("maintainers", "url")):
        items = chart.get(key)
        for item in items.elements() if items is not None and items.is_seq else []:
            urls.append(_text(item.get(field)) if field else _text(item))
    return [url.lower() for url in urls if url]


def _publisher_of_urls(urls: list[str]) -> str | None:
    return next((p.name for p in PUBLISHERS if any(home in url for home in p.homes for url in urls)), None)


def _dependency_enabled(dep: Node, layers: list[Layer]) -> bool:
    """Whether Helm renders the dependency ``dep`` with the parent's ``layers``: its
    ``condition`` (comma-separated paths; the first one set to a boolean decides) and, when
    no condition decides, its ``tags`` (off only when every tag set is false). An unset or
    unknown value leaves it deployed, as Helm does for an unset one. Application charts
    ship their bundled database with ``enabled: false`` and a placeholder password."""
    condition = _text(dep.get("condition"))
    for path in (p.strip() for p in condition.split(",") if p.strip()):
        decided = _boolean(path, layers)
        if decided is not None:
            return decided is not False
    tags = dep.get("tags")
    states = [_boolean(f"tags.{_text(t)}", layers) for t in (tags.elements() if tags is not None else [])]
    return not (False in states and True not in states and "unknown" not in states)


def _switch(dep: Node, layers: list[Layer]) -> tuple[Document, Span] | None:
    """The top-most ``true`` among the condition paths and tags of ``dep``: the value that
    turns on a sub-chart the lowest layer leaves off."""
    tags = dep.get("tags")
    paths = [p.strip() for p in _text(dep.get("condition")).split(",") if p.strip()]
    paths += [f"tags.{_text(t)}" for t in (tags.elements() if tags is not None else [])]
    for layer in reversed(layers):
        for path in paths:
            node = layer.lookup(path)
            if node is not None and node.is_scalar and node.value is True:
                return layer.doc, node.span
    return None


def _boolean(path: str, layers: list[Layer]) -> bool | str | None:
    """The boolean the top-most layer setting ``path`` gives it; ``"unknown"`` when that value
    cannot be read (an opaque layer, a template); None when no layer sets it to a boolean."""
    for layer in reversed(layers):
        if layer.opaque:
            return "unknown"
        node = layer.lookup(path)
        if node is None or (node.is_scalar and node.value is None and node.tag != UNKNOWN_TAG):
            continue
        if node.tag == UNKNOWN_TAG or any(t in node.text for t in _TEMPLATES):
            return "unknown"
        return node.value if isinstance(node.value, bool) else None
    return None


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
        publisher = publisher_of(repositories.get(prefix, prefix))
        row = chart_values(name, _text(release.get("version")), publisher) if publisher is not None else None
        if row is None:
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
                    deployment.layers.append(Layer(source, source_root))
        sets = release.get("set")
        for entry in sets.elements() if sets is not None else []:
            layer = _helmfile_set(doc, entry)
            if layer is not None:
                deployment.layers.append(layer)
        if deployment.layers:
            found.append(deployment)
    return found


def _helmfile_set(doc: TreeDocument, entry: Node) -> Layer | None:
    """A helmfile release's ``set:`` entry (``name``, ``value``), which helmfile passes as
    ``--set name=value`` with the value's commas and braces escaped; a template is unknown."""
    from guardrails.facts.helm_cli import set_values

    name, value = entry.get("name"), entry.get("value")
    if name is None or value is None or not name.is_scalar or not value.is_scalar or "{{" in name.text:
        return None
    text = value.text.replace("{", "\\{").replace("}", "\\}").replace(",", "\\,")
    unknown = ["{{"] if "{{" in value.text else []
    root = set_values(f"{name.text}={text}", "--set", value.span, unknown)
    return Layer(doc, root) if root is not None else None


def command_deployments(doc: ShellDocument, project: Project) -> list[Deployment]:
    """The datastore charts each ``helm install``/``upgrade``/``template`` of a script deploys
    (not a ``--dry-run``): a bitnami chart by repository (``bitnami/redis`` from a repository
    whose URL is bitnami's, ``--repo``, ``oci://…/bitnamicharts/redis``) or a chart directory
    of the repository, with the chart's values.yaml, the ``-f`` files (relative to where
    the script runs, docker_run.working_directories) and the ``--set`` values layered in
    Helm's order; the previous release's values under ``--reuse-values`` are unknown."""
    from guardrails.facts.docker_run import script_path, working_directories
    from guardrails.facts.helm_cli import helm_command
    from guardrails.facts.local_clusters import local_cluster

    repositories = {
        cmd.argv[2]: cmd.argv[3]
        for cmd in doc.commands
        if cmd.command == "helm" and cmd.argv[:2] == ["repo", "add"] and len(cmd.argv) > 3
    }
    found: list[Deployment] = []
    for cmd in doc.commands:
        command = helm_command(cmd, doc)
        if command is None or command.dry_run or local_cluster(doc, cmd):
            continue  # a dry run, or a release on the job's own throwaway cluster
        layers = [Layer(doc, None, opaque=True)] if command.reuse_values else []
        for entry in command.files:
            word = Word(entry.word.text, entry.path, entry.word.static, entry.word.span, entry.word.expansions)
            path = script_path(word, cmd, doc, project)
            source = project.document(path) if path is not None else None
            if isinstance(source, TreeDocument):
                layers.append(Layer(source, _values_root(source), cited=(doc, entry.word.span)))
            else:
                layers.append(Layer(doc, None, opaque=True))
        layers.extend(Layer(doc, entry.root) for entry in command.sets)
        origin = f" (`helm {command.subcommand}{' ' + command.release if command.release else ''}`)"
        reference = command.chart.value
        directory = _chart_directory(reference, working_directories(cmd, doc, project), project)
        if directory is not None:
            chart = _chart_yaml(project, directory)
            own = project.document(directory / "values.yaml")
            below = [Layer(own, _values_root(own))] if isinstance(own, TreeDocument) else []
            if chart is not None:
                found.extend(chart_deployments(project, directory, chart, below + layers, command.release, origin))
            continue
        prefix, _, name = reference.rpartition("/")
        publisher = publisher_of(command.repo or repositories.get(prefix, prefix))
        row = chart_values(name, command.version, publisher) if publisher is not None else None
        if row is not None:
            found.append(Deployment(row, command.release or name, layers, origin))
    return found


def release_deployments(doc: TerraformDocument, project: Project) -> list[Deployment]:
    """The datastore charts each Terraform ``helm_release`` deploys, with its ``values``
    entries in order (``file(...)`` relative to the module, ``yamlencode({...})``, a YAML
    heredoc), then its ``set`` and ``set_sensitive`` values, as the Helm provider merges them
    (``set`` parsed like ``--set``, or like ``--set-string`` with ``type = "string"``)."""
    from guardrails.facts.helm_cli import set_values
    from guardrails.facts.terraform import attribute_value, module_for

    module = module_for(doc, project)
    directory = Path(doc.path).parent
    found: list[Deployment] = []
    for block in doc.resources("helm_release"):
        chart, repository, version, release = (
            attribute_value(block, name, module)[1] for name in ("chart", "repository", "version", "name")
        )
        if not chart.known or not isinstance(chart.value, str):
            continue
        layers: list[Layer] = []
        values = block.get("values")
        for item in _listed(values.expr) if values is not None else []:
            layers.append(_release_layer(doc, item, module, directory, project))
        for kind in ("set", "set_sensitive"):
            for entry in _set_entries(block, kind):
                name, value, typed = (attribute_value(entry, key, module) for key in ("name", "value", "type"))
                if not name[1].known or value[0] is None:
                    continue
                text = str(value[1].value).lower() if isinstance(value[1].value, bool) else str(value[1].value)
                family = "--set-string" if typed[1].value == "string" else "--set"
                unknown = [] if value[1].known else ["\x00"]
                root = set_values(
                    f"{name[1].value}={text if value[1].known else unknown[0]}", family, value[0].span, unknown
                )
                layers.append(Layer(doc, root, via=value[1].via) if root is not None else Layer(doc, None, opaque=True))
        label = release.value if release.known and isinstance(release.value, str) else block.labels[-1]
        origin = f" ({block.address})"
        local = _chart_directory(chart.value, [project.cwd / directory], project)
        if local is not None:
            chart_node = _chart_yaml(project, local)
            own = project.document(local / "values.yaml")
            below = [Layer(own, _values_root(own))] if isinstance(own, TreeDocument) else []
            if chart_node is not None:
                found.extend(chart_deployments(project, local, chart_node, below + layers, label, origin))
            continue
        prefix, _, name = chart.value.rpartition("/")
        where = repository.value if repository.known and isinstance(repository.value, str) else ""
        publisher = publisher_of(where or prefix)
        known = version.value if version.known and isinstance(version.value, str) else ""
        row = chart_values(name, known, publisher) if publisher is not None else None
        if row is not None:
            found.append(Deployment(row, label, layers, origin))
    return found


def _listed(expr: Expr) -> list[Expr]:
    """The items of a list expression, through ``compact(...)`` and ``concat(...)``; an
    expression that is not a list is one unknown item."""
    if expr.kind == "tuple":
        return list(expr.value)
    if expr.kind == "call" and expr.value in ("compact", "concat"):
        return [item for arg in expr.args for item in _listed(arg)]
    return [expr]


def _set_entries(block: Block, kind: str) -> list[Block]:
    """``set { name value }`` blocks, or the provider 3 list attribute ``set = [{...}]``
    (each object read as a block of attributes)."""
    from guardrails.documents import Attribute, Block

    entries = block.children(kind)
    attribute = block.get(kind)
    if attribute is not None and attribute.expr.kind == "tuple":
        for item in attribute.expr.value:
            if item.kind == "object":
                attributes = {key: Attribute(key, expr, expr.span) for key, expr in item.value.items()}
                entries.append(Block(kind, [], attributes, [], item.span))
    return entries


def _release_layer(doc: TerraformDocument, item: Expr, module: Module, directory: Path, project: Project) -> Layer:
    """One entry of a ``helm_release``'s ``values`` list as a layer (opaque when unknown)."""
    if item.kind == "call" and item.value == "file" and item.args:
        target = item.args[0].text.strip('"').replace("${path.module}", ".")
        if "${" not in target and not PurePosixPath(target).is_absolute():
            source = project.document(project.cwd / directory / target)
            if isinstance(source, TreeDocument):
                return Layer(source, _values_root(source), cited=(doc, item.span))
    elif item.kind == "call" and item.value == "yamlencode" and item.args and item.args[0].kind == "object":
        return Layer(doc, _expr_node(item.args[0], module))
    elif item.kind == "template" and item.text.startswith("<<") and "%{" not in item.value:
        from guardrails.parsers import parse

        try:
            child = parse(doc.path, str(item.value), Kind.YAML)
        except ParseError:
            return Layer(doc, None, opaque=True)
        host = doc.text.split("\n")
        lines = []
        for number, line in enumerate(str(item.value).split("\n"), start=item.span.line + 1):
            written = host[number - 1] if number <= len(host) else ""
            lines.append((number, len(written) - len(line) if line and written.endswith(line) else 0))
        child.parent, child.line_map = doc, LineMap(lines)
        if isinstance(child, TreeDocument):
            return Layer(child, _values_root(child))
    return Layer(doc, None, opaque=True)


def _expr_node(expr: Expr, module: Module) -> Node:
    """An HCL object or tuple as values nodes at their expressions' places; a value that
    does not resolve is unknown."""
    if expr.kind == "object":
        return Node(
            "map",
            [(Node("scalar", key, item.span), _expr_node(item, module)) for key, item in expr.value.items()],
            expr.span,
        )
    if expr.kind == "tuple":
        return Node("seq", [_expr_node(item, module) for item in expr.value], expr.span)
    resolved = module.resolve(expr)
    if not resolved.known or isinstance(resolved.value, (dict, list)) or resolved.value is None:
        return Node("scalar", "", expr.span, tag=UNKNOWN_TAG)
    raw = str(resolved.value).lower() if isinstance(resolved.value, bool) else None
    return Node("scalar", resolved.value, expr.span, raw=raw)


def _chart_directory(reference: str, places: list[Path], project: Project) -> Path | None:
    """The chart directory of the repository a chart reference names, when one of the
    places the command may run from holds it (Helm tries a local path first)."""
    if "://" in reference or reference.endswith(".tgz"):
        return None
    found = {
        (place / reference).resolve()
        for place in places
        if project.read_bytes(place / reference / "Chart.yaml") is not None
    }
    return found.pop() if len(found) == 1 else None


def report_at(value: Value, doc: Document) -> tuple[Document, Span, str] | None:
    """Where the check of ``doc`` reports ``value``: in the file that sets it when that is
    ``doc``; on a command's ``-f`` word for a plain YAML file it names (the third item then
    names the file's line, or where a Terraform reference's value comes from); in a plain
    YAML file a helmfile lists. None when the check of another file reports it (a values
    file beside ``Chart.yaml`` reports its own values)."""
    layer = value.layer
    if layer.doc is doc or layer.doc.parent is doc:
        return layer.doc, value.node.span, layer.via
    if layer.doc.path == doc.path and layer.doc.parent is None and doc.parent is None:
        return layer.doc, value.node.span, ""
    if layer.switched_on is not None:
        return (doc, layer.switched_on[1], f" (set in {value.location})") if layer.switched_on[0] is doc else None
    if layer.doc.kind is Kind.HELM_VALUES:
        return None
    if layer.cited is not None:
        return (doc, layer.cited[1], f" (set in {value.location})") if layer.cited[0] is doc else None
    if isinstance(doc, TreeDocument) and is_helmfile(doc.path):
        return layer.doc, value.node.span, ""
    return None


def is_helmfile(path: str) -> bool:
    name = PurePosixPath(path).name.lower()
    return name in ("helmfile.yaml", "helmfile.yml") or (
        PurePosixPath(path).parent.name == "helmfile.d" and name.endswith((".yaml", ".yml"))
    )


def _text(node: Node | None) -> str:
    return node.text if node is not None and node.is_scalar else ""
