"""The chart table of facts/helm.py: each row names a datastore the scanner knows, and
environment files are judged over their base."""

from __future__ import annotations

from pathlib import Path

import pytest

from guardrails.engine import Engine, Settings
from guardrails.facts.datastores import find_datastore
from guardrails.facts.helm import CHARTS, chart_values
from guardrails.model import Severity
from guardrails.registry import all_rules


@pytest.mark.parametrize("row", CHARTS, ids=lambda row: f"{row.chart}-{row.versions[0]}")
def test_each_chart_row_is_a_datastore_family_on_its_port(row) -> None:
    store = find_datastore(row.image_name)
    assert store is not None, row.chart
    assert row.port in store.ports, (row.chart, row.port, store.ports)


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
