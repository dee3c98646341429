"""The CLI contract: exit codes, unparseable input, JSON schema, stdin, explain."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import REPO, run_cli, scan_json

COMPOSE = 'services:\n  db:\n    image: mongo:4.4\n    ports:\n      - "{}"\n'


def test_exposed_mongo_is_critical_and_loopback_is_clean(repo) -> None:  # type: ignore[no-untyped-def]
    root = repo({"docker-compose.yml": COMPOSE.format("27017:27017")})
    code, report = scan_json(cwd=root)
    assert code == 1
    [finding] = report["findings"]
    assert (finding["rule_id"], finding["severity"], finding["category"]) == ("ED001", "critical", "exposed-datastore")
    assert (finding["path"], finding["line"], finding["column"]) == ("docker-compose.yml", 5, 9)
    (root / "docker-compose.yml").write_text(COMPOSE.format("127.0.0.1:27017:27017"))
    code, report = scan_json(cwd=root)
    assert code == 0 and report["findings"] == []


@pytest.mark.parametrize(
    ("name", "content", "line"),
    [
        ("docker-compose.yml", "services:\n  db:\n    image: mongo\n   ports: []\n", 4),
        ("main.tf", 'resource "aws_s3_bucket" "b" {\n  bucket = "x"\n  acl = \n}\n', 3),
        ("Dockerfile", "FROM alpine\nRUN echo ok\nCOPYY a b\n", 3),
    ],
)
def test_broken_files_are_findings(repo, name: str, content: str, line: int) -> None:  # type: ignore[no-untyped-def]
    root = repo({name: content})
    code, report = scan_json(cwd=root)
    assert code == 1
    [finding] = report["findings"]
    assert (finding["rule_id"], finding["category"], finding["severity"]) == ("GR001", "unparseable-input", "high")
    assert (finding["path"], finding["line"]) == (name, line)


def test_json_output_matches_documented_schema(repo) -> None:  # type: ignore[no-untyped-def]
    root = repo(
        {
            "docker-compose.yml": COMPOSE.format("27017:27017"),
            "broken.yaml": "a: [\n",
            "c/Chart.yaml": "name: c\n",
            "c/templates/x.yaml": "{{ x }}\n",
        }
    )
    (root / "blob.sh").write_bytes(b"\x00\x01")
    _, report = scan_json(cwd=root)
    schema = json.loads((REPO / "docs" / "output.schema.json").read_text())
    jsonschema.validate(report, schema)
    assert {f["rule_id"] for f in report["findings"]} == {"ED001", "GR001", "GR006"}, "blob.sh: a binary script"
    assert {s["reason"] for s in report["skipped"]} == {"helm-template", "binary"}
    required = set(schema["$defs"]["finding"]["required"])
    assert all(required <= set(f) for f in report["findings"])


def test_fingerprint_ignores_line_shifts(repo) -> None:  # type: ignore[no-untyped-def]
    root = repo({"docker-compose.yml": COMPOSE.format("27017:27017")})
    _, before = scan_json(cwd=root)
    (root / "docker-compose.yml").write_text("# a comment\n\n" + COMPOSE.format("27017:27017"))
    _, after = scan_json(cwd=root)
    assert before["findings"][0]["line"] != after["findings"][0]["line"]
    assert before["findings"][0]["fingerprint"] == after["findings"][0]["fingerprint"]


def test_stdin(repo) -> None:  # type: ignore[no-untyped-def]
    root = repo({})
    proc = run_cli(
        "scan",
        "-",
        "--stdin-filename",
        "docker-compose.yml",
        "--format",
        "json",
        cwd=root,
        stdin=COMPOSE.format("27017:27017").encode(),
    )
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["findings"][0]["path"] == "docker-compose.yml"
    proc = run_cli("scan", "-", cwd=root, stdin=b"x")
    assert proc.returncode == 2 and "--stdin-filename" in proc.stderr


def test_text_output_and_fail_on(repo) -> None:  # type: ignore[no-untyped-def]
    root = repo({"docker-compose.yml": COMPOSE.format("27017:27017")})
    proc = run_cli("scan", cwd=root)
    assert proc.returncode == 1
    assert "docker-compose.yml\n  5:9  ED001 [critical]" in proc.stdout
    assert '      5 |       - "27017:27017"' in proc.stdout
    assert "\033[" not in proc.stdout
    assert "https://blog.newsblur.com/" in proc.stdout
    assert run_cli("scan", "--select", "destructive-operation", cwd=root).returncode == 0
    assert run_cli("scan", "--select", "NOPE1", cwd=root).returncode == 2


def test_rules_and_explain() -> None:
    listing = json.loads(run_cli("rules", "--format", "json").stdout)
    assert {"ED001", "GR001"} <= {r["id"] for r in listing}
    proc = run_cli("explain", "compose-datastore-port-exposed")
    assert proc.returncode == 0
    for part in ("ED001", "Why it matters", "https://blog.newsblur.com/", "How to fix it", "bad:", "good:"):
        assert part in proc.stdout
    assert run_cli("explain", "XX999").returncode == 2


def test_version_and_help() -> None:
    assert run_cli("--version").stdout.startswith("guardrails, version ")
    assert "Exit codes" in run_cli("--help").stdout


def test_internal_error_is_contained(repo, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from guardrails.engine import Engine, Settings
    from guardrails.registry import find

    rule = find("ED001")
    assert rule is not None

    def boom(self, doc, ctx):  # type: ignore[no-untyped-def]
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(rule, "check", boom)
    root = repo({"docker-compose.yml": COMPOSE.format("27017:27017"), "other.sh": "echo\n"})
    result = Engine(Settings(rules=(rule,)), cwd=root).scan([Path(".")])
    [finding] = result.findings
    assert finding.rule_id == "GR000" and "ED001" in finding.message and finding.path == "docker-compose.yml"
    assert result.internal_errors == 1 and result.files_scanned == 2


def test_after_double_dash_every_word_is_a_path(repo) -> None:  # type: ignore[no-untyped-def]
    """As with every Unix tool (the GitHub Action passes `-- PATHS`): an option after `--` is a
    path, never a flag that would turn the gate green."""
    root = repo({"-broken.yaml": "a: [\n"})
    proc = run_cli("scan", "-q", "--", ".", "--exit-zero", cwd=root)
    assert proc.returncode == 2 and "--exit-zero: no such file or directory" in proc.stderr
    proc = run_cli("scan", "--", "-h", cwd=root)
    assert proc.returncode == 2 and "-h: no such file or directory" in proc.stderr
    proc = run_cli("scan", "-f", "json", "--", "-broken.yaml", cwd=root)
    assert proc.returncode == 1 and [f["path"] for f in json.loads(proc.stdout)["findings"]] == ["-broken.yaml"]


def test_a_closed_standard_output_is_no_crash(repo) -> None:  # type: ignore[no-untyped-def]
    root = repo({"docker-compose.yml": COMPOSE.format("27017:27017")})
    script = f"{sys.executable} -m guardrails rules >&-; echo $?; {sys.executable} -m guardrails scan . >&-; echo $?"
    proc = subprocess.run(["sh", "-c", script], cwd=root, capture_output=True, text=True, timeout=120)
    assert proc.stdout.split() == ["0", "1"] and "Traceback" not in proc.stderr, proc.stderr
