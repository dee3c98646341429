"""Real input (../shared/corpus, files nobody here wrote): no crash, no internal error,
and every file that is not valid YAML is reported (GR001) or set aside as a Helm
template, never passed silently. The expected list below was reviewed file by file."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from guardrails.engine import Engine, ScanResult, Settings
from guardrails.registry import all_rules
from tests.conftest import SHARED, require_shared

# Reviewed: each is an unrendered {{...}} template (a flow mapping used as a key), from the
# archived kubernetes/examples; kubectl and PyYAML refuse them too.
UNPARSEABLE = {
    "kubernetes-examples/_archived/newrelic-infrastructure/newrelic-config-template.yaml": (7, 12),
    "kubernetes-examples/_archived/newrelic/newrelic-config-template.yaml": (7, 12),
    "kubernetes-examples/_archived/storage/vitess/etcd-controller-template.yaml": (6, 14),
    "kubernetes-examples/_archived/storage/vitess/etcd-service-template.yaml": (7, 12),
    "kubernetes-examples/_archived/storage/vitess/vtgate-controller-template.yaml": (6, 14),
}

CORPUS = SHARED / "corpus"


@pytest.fixture(scope="module")
def scanned() -> ScanResult:
    require_shared("corpus")
    return Engine(Settings(rules=all_rules()), cwd=CORPUS).scan([Path(".")])


def _not_yaml() -> set[str]:
    """The oracle: files PyYAML's safe loader refuses."""
    refused = set()
    for path in sorted(CORPUS.rglob("*.y*ml")):
        try:
            list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
        except yaml.YAMLError:
            refused.add(path.relative_to(CORPUS).as_posix())
    return refused


def test_no_crash_and_no_internal_error(scanned: ScanResult) -> None:
    assert scanned.internal_errors == 0
    assert not [f for f in scanned.findings if f.rule_id == "GR000"]
    assert scanned.files_scanned >= 290


def test_every_file_that_is_not_yaml_is_reported(scanned: ScanResult) -> None:
    reported = {f.path: (f.span.line, f.span.column) for f in scanned.findings if f.rule_id == "GR001"}
    helm = {s.path for s in scanned.skipped if s.reason == "helm-template"}
    assert reported == UNPARSEABLE
    assert _not_yaml() <= set(reported) | helm


def test_nothing_is_skipped_silently(scanned: ScanResult) -> None:
    """Every file is scanned, listed as skipped with a reason, or of no supported kind."""
    on_disk = [p for p in CORPUS.rglob("*") if p.is_file()]
    assert scanned.files_scanned + len(scanned.skipped) + scanned.unsupported == len(on_disk)
