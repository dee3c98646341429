"""The chart table of facts/helm.py: each row names a datastore the scanner knows, and
environment files are judged over their base."""

from __future__ import annotations

from pathlib import Path

import pytest

from guardrails.engine import Engine, Settings
from guardrails.facts.datastores import find_datastore
from guardrails.facts.helm import CHARTS, PUBLISHERS, chart_values, local_publisher, publisher_of
from guardrails.model import Severity
from guardrails.registry import all_rules


@pytest.mark.parametrize("row", CHARTS, ids=lambda row: f"{row.publisher}-{row.chart}-{row.versions[0]}")
def test_each_chart_row_is_a_datastore_family_on_its_port(row) -> None:
    store = find_datastore(row.image_name)
    assert store is not None, row.chart
    assert row.port in store.ports, (row.chart, row.port, store.ports)


def test_each_row_names_a_publisher_of_the_table() -> None:
    names = {publisher.name for publisher in PUBLISHERS}
    assert {row.publisher for row in CHARTS} <= names
    assert all(row.image for row in CHARTS if row.publisher != "bitnami"), "only bitnami's images are bitnami/<chart>"


@pytest.mark.parametrize(
    ("repository", "publisher"),
    [
        ("https://charts.bitnami.com/bitnami", "bitnami"),
        ("oci://registry-1.docker.io/bitnamicharts", "bitnami"),
        ("bitnami", "bitnami"),
        ("https://dandydeveloper.github.io/charts", "dandydeveloper"),
        ("dandydev", "dandydeveloper"),
        ("@groundhog2k", "groundhog2k"),
        ("elastic", "elastic"),
        ("https://helm.influxdata.com/", "influxdata"),
        ("https://Helm.elastic.co", "elastic"),
        ("https://charts.cockroachdb.com/", "cockroachdb"),
        ("https://charts.acme.example.com", None),
        ("myelastic", None),
        ("file://../redis", None),
        ("", None),
    ],
)
def test_the_repository_names_the_publisher(repository: str, publisher: str | None) -> None:
    assert publisher_of(repository) == publisher


def test_a_chart_of_another_publisher_never_gets_bitnamis_row() -> None:
    assert chart_values("mariadb", "4.5.3", "groundhog2k").source.startswith("groundhog2k/")  # type: ignore[union-attr]
    assert chart_values("mariadb", "", "bitnami").source.startswith("bitnami/")  # type: ignore[union-attr]
    assert chart_values("redis", "2.4.4", "groundhog2k") is None  # its auth is in redisConfig's free text
    assert chart_values("elasticsearch", "7.17.3", "elastic") is None  # security in esConfig's free text


def _chart(text: str):
    from guardrails.model import Kind
    from guardrails.parsers import parse

    return parse("Chart.yaml", text, Kind.YAML).roots[0]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("chart", "publisher"),
    [
        ("name: redis\nversion: 23.1.1\n", "bitnami"),  # trimmed to name and version, as before
        (
            "name: redis\nhome: https://bitnami.com\nsources: [https://github.com/bitnami/charts/tree/main/bitnami/redis]\n",
            "bitnami",
        ),
        (
            "name: redis-ha\nhome: https://redis.io/\nsources: [https://github.com/DandyDeveloper/charts/blob/master/charts/redis-ha]\n",
            "dandydeveloper",
        ),
        (
            "name: postgres\nmaintainers:\n  - name: groundhog2k\n    url: https://github.com/groundhog2k/helm-charts\n",
            "groundhog2k",
        ),
        ("name: redis\nhome: https://github.com/acme/platform-charts\n", None),
    ],
)
def test_a_chart_directory_is_published_by_the_urls_of_its_chart_yaml(chart: str, publisher: str | None) -> None:
    assert local_publisher(_chart(chart)) == publisher


def test_versions_pick_the_row() -> None:
    assert chart_values("influxdb", "6.6.16").port == 8086  # type: ignore[union-attr]
    assert chart_values("influxdb", "7.1.21").port == 8181  # type: ignore[union-attr]
    assert chart_values("influxdb").port == 8181  # type: ignore[union-attr]


def _scan(root: Path) -> list[tuple[str, int, str, Severity]]:
    rules = tuple(r for r in all_rules() if r.id == "ED011")
    findings = Engine(Settings(rules=rules, jobs=1), cwd=root).scan([Path(".")]).findings
    return sorted((f.path, f.span.line, f.rule_id, f.severity) for f in findings)


@pytest.mark.parametrize(
    ("chart", "base", "switch"),
    [
        (
            "apiVersion: v2\nname: redis\nversion: 19.0.0\n",
            "architecture: standalone\nauth: {enabled: false}\nreplica: {service: {type: LoadBalancer}}\n",
            "architecture: replication\n",
        ),
        (
            "apiVersion: v2\nname: mongodb\nversion: 16.0.0\n",
            "architecture: standalone\nauth:\n  enabled: false\nexternalAccess:\n  enabled: true\n",
            "architecture: replicaset\n",
        ),
    ],
    ids=["redis", "mongodb"],
)
def test_an_environment_file_that_switches_the_architecture_is_judged_over_its_base(
    tmp_path: Path, chart: str, base: str, switch: str
) -> None:
    (tmp_path / "Chart.yaml").write_text(chart)
    (tmp_path / "values.yaml").write_text(base)
    (tmp_path / "values-production.yaml").write_text(switch)
    found = _scan(tmp_path)
    assert [(Path(p).name, line, severity) for p, line, _, severity in found] == [
        ("values-production.yaml", 1, Severity.CRITICAL),
        ("values.yaml", 3 if "mongodb" in chart else 2, Severity.HIGH),
    ]
