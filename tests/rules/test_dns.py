"""Lessons 3 and 5: short DNS TTLs and DNS single points of failure, over annotated fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from guardrails.engine import Engine, Settings
from guardrails.facts import dns
from guardrails.registry import all_rules
from guardrails.testing import score_fixtures
from tests.conftest import REPO

CATEGORIES = ("short-dns-ttl", "dns-single-point-of-failure")
INCIDENTS = ("facebook-2021", "dyn-2016")


def _dns_rules() -> tuple:  # type: ignore[type-arg]
    return tuple(r for r in all_rules() if r.category.value in CATEGORIES)


@pytest.mark.parametrize("category", CATEGORIES)
def test_fixtures_precision_and_recall(category: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    scores = score_fixtures(Path("fixtures/dns"), all_rules(), category)
    assert scores, "no finding and no annotation: the fixtures were not read"
    for rule_id, score in scores.items():
        assert score.false_positives == [], rule_id
        assert score.false_negatives == [], rule_id
        assert score.precision == score.recall == 1.0


@pytest.mark.parametrize("incident", INCIDENTS)
def test_incident_replica_flagged_and_fixed_clean(incident: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    bad = Path("fixtures/incidents") / incident
    for category in CATEGORIES:
        for rule_id, score in score_fixtures(bad, all_rules(), category).items():
            assert score.false_positives == [] and score.false_negatives == [], (rule_id, score)
    flagged = Engine(Settings(rules=_dns_rules())).scan([bad]).findings
    assert flagged, f"{incident} replica not flagged"
    fixed = Engine(Settings(rules=_dns_rules())).scan([Path("fixtures/incidents") / f"{incident}-fixed"])
    assert fixed.files_scanned > 0
    assert [f.message for f in fixed.findings] == []


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("3600", 3600), ("1h", 3600), ("1H30M", 5400), ("1w2d", 777600), ("1d", 86400), ("", None), ("1x", None)],
)
def test_bind_ttl_units(text: str, seconds: int | None) -> None:
    assert dns.parse_bind_ttl(text) == seconds


@pytest.mark.parametrize(
    ("text", "seconds"), [("60", 60), ("1m", 60), ("1h30m", 5400), ("1.5h", 5400), ("500ms", 0), ("1d", None)]
)
def test_go_durations(text: str, seconds: int | None) -> None:
    assert dns.parse_go_duration(text) == seconds


@pytest.mark.parametrize(
    ("hosts", "provider"),
    [
        (["ns-1051.awsdns-03.org", "ns-702.awsdns-23.net", "ns-1800.awsdns-33.co.uk"], "Amazon Route 53"),
        (["ns-cloud-a1.googledomains.com.", "ns-cloud-a2.googledomains.com."], "Google Cloud DNS"),
        (["maxim.ns.cloudflare.com", "sue.ns.cloudflare.com"], "Cloudflare"),
        (["ns1-01.azure-dns.com", "ns4-01.azure-dns.info"], "Azure DNS"),
        (["a.ns.facebook.com", "b.ns.facebook.com"], "facebook.com"),
        (["ns1.example.co.uk", "ns2.example.co.uk"], "example.co.uk"),
    ],
)
def test_one_provider_recognised_by_hostname(hosts: list[str], provider: str) -> None:
    verdict = dns.judge_nameservers([dns.host_server(h) for h in hosts])
    assert verdict is not None and verdict.culprit == provider


def test_two_providers_are_not_a_single_point_of_failure() -> None:
    servers = [dns.host_server(h) for h in ("ns-1051.awsdns-03.org", "dns1.p01.nsone.net")]
    assert dns.judge_nameservers(servers) is None


def test_policy_options_change_thresholds_and_bands() -> None:
    policy = dns.TtlPolicy.from_options({"thresholds": {"a": 600, "*": 0}, "severity_bands": {"high": 10}})
    assert policy.evaluate("A", 600) is None
    assert policy.evaluate("TXT", 5) is None
    verdict = policy.evaluate("A", 30)
    assert verdict is not None and verdict.severity.label == "medium"
