"""Lessons 3 and 5: short DNS TTLs and DNS single points of failure, over annotated fixtures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from guardrails.engine import Engine, Settings
from guardrails.facts import dns
from guardrails.registry import all_rules
from guardrails.testing import score_fixtures
from tests.conftest import REPO, run_cli

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


# --------------------------------------------------------------------------- the TTL policy


def test_soa_and_hour_long_ns_are_not_short() -> None:
    policy = dns.TtlPolicy.from_options({})
    assert policy.evaluate("SOA", 60) is None, "the SOA record's TTL bounds negative caching"
    assert policy.evaluate("NS", 3600) is None
    verdict = policy.evaluate("NS", 300)
    assert verdict is not None and policy.alone(verdict), "an NS set below an hour stands alone"


@pytest.mark.parametrize(
    ("address", "private"),
    [("127.0.0.1", True), ("10.1.2.3", True), ("fd00::1", True), ("fe80::1", True), ("192.0.2.1", False), ("x", False)],
)
def test_private_addresses(address: str, private: bool) -> None:
    assert dns.private_address(address) is private


@pytest.mark.parametrize(
    ("names", "outside"),
    [
        (["docs-rs-staging.rust-lang.net"], True),
        (["api.dev.example.com"], True),
        (["www.example.com"], False),
        (["www.staging.example.com", "www.example.com"], False),
        ([], False),
    ],
)
def test_non_production_names(names: list[str], outside: bool) -> None:
    assert bool(dns.TtlPolicy.from_options({}).outside(names)) is outside


def _scan_json(*args: str) -> list[dict]:  # type: ignore[type-arg]
    proc = run_cli("scan", "--no-cache", "-f", "json", *args, cwd=REPO)
    return json.loads(proc.stdout)["findings"]


def test_many_short_records_of_a_module_are_one_finding_with_every_record_related() -> None:
    findings = _scan_json("--select", "DT001", "fixtures/dns/terraform/policy/cdn")
    assert len(findings) == 1
    (finding,) = findings
    assert finding["message"].startswith("12 records in module fixtures/dns/terraform/policy/cdn")
    assert len(finding["related"]) == 12
    assert {(r["path"], r["line"]) for r in finding["related"]} >= {(finding["path"], finding["line"])}
    assert all("ttl = 300" in r["message"] for r in finding["related"])


def test_a_group_keeps_what_each_provider_record_says() -> None:
    (group,) = [f for f in _scan_json("--select", "DT001", "fixtures/dns/terraform/providers") if "related" in f]
    said = " | ".join(r["message"] for r in group["related"])
    assert "Cloudflare serves as 300 s" in said
    assert "digitalocean_record defaults to 1800" in said


def test_text_and_sarif_show_related_locations() -> None:
    target = "fixtures/dns/zones-policy/db.example.io"
    text = run_cli("scan", "--no-cache", "--select", "DT002", target, cwd=REPO).stdout
    assert f"= at {target}:27: cdn2.example.io CNAME: TTL 300 s (5m)" in text
    sarif = json.loads(run_cli("scan", "--no-cache", "--select", "DT002", "-f", "sarif", target, cwd=REPO).stdout)
    related = [r["relatedLocations"] for r in sarif["runs"][0]["results"] if "relatedLocations" in r]
    assert len(related) == 1 and len(related[0]) == 5
    assert related[0][1]["physicalLocation"]["region"]["startLine"] == 27
    assert related[0][1]["message"]["text"] == "cdn2.example.io CNAME: TTL 300 s (5m)"
