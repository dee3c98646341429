"""Baselines keyed by fingerprint (never lines) and --changed-since."""

from __future__ import annotations

import json
import subprocess

from tests.conftest import run_cli, scan_json

COMPOSE = (
    'services:\n  db:\n    image: mongo:7\n    ports:\n      - "27017:27017"\n'
    '  cache:\n    image: redis:7\n    ports:\n      - "6379:6379"\n'
)


def test_baseline_survives_ten_inserted_lines(repo) -> None:  # type: ignore[no-untyped-def]
    root = repo({"docker-compose.yml": COMPOSE})
    proc = run_cli("baseline", "-o", "baseline.json", cwd=root)
    assert proc.returncode == 0, proc.stderr
    data = json.loads((root / "baseline.json").read_text())
    assert [(e["rule_id"], e["path"], e["anchor"]) for e in data["findings"]] == [
        ("ED001", "docker-compose.yml", "services.cache.ports.6379"),
        ("ED001", "docker-compose.yml", "services.db.ports.27017"),
    ]
    assert "line" not in json.dumps(data)
    (root / "docker-compose.yml").write_text("".join(f"# note {i}\n" for i in range(10)) + COMPOSE)
    code, report = scan_json("--baseline", "baseline.json", cwd=root)
    assert code == 0
    assert report["findings"] == []
    assert report["baseline"] == {"matched": 2, "stale": []}


def test_new_findings_and_stale_entries(repo) -> None:  # type: ignore[no-untyped-def]
    root = repo({"docker-compose.yml": COMPOSE})
    assert run_cli("baseline", "-o", "baseline.json", cwd=root).returncode == 0
    fixed = COMPOSE.replace('"6379:6379"', '"127.0.0.1:6379:6379"')
    (root / "docker-compose.yml").write_text(fixed + "  pg:\n    image: postgres:16\n    ports: ['5432:5432']\n")
    code, report = scan_json("--baseline", "baseline.json", cwd=root)
    assert code == 1
    assert [f["message"].split(" ")[1] for f in report["findings"]] == ["'pg'"]
    assert report["baseline"]["matched"] == 1
    assert [e["anchor"] for e in report["baseline"]["stale"]] == ["services.cache.ports.6379"]
    text = run_cli("scan", "--baseline", "baseline.json", cwd=root).stdout
    assert "1 baselined" in text and "stale docker-compose.yml: ED001 services.cache.ports.6379" in text


def test_partial_scans_do_not_call_other_entries_stale(repo) -> None:  # type: ignore[no-untyped-def]
    root = repo({"docker-compose.yml": COMPOSE, "other/compose.yaml": COMPOSE})
    assert run_cli("baseline", "-o", "baseline.json", cwd=root).returncode == 0
    code, report = scan_json("--baseline", "baseline.json", "other/compose.yaml", cwd=root)
    assert code == 0 and report["baseline"] == {"matched": 2, "stale": []}
    code, report = scan_json("--baseline", "baseline.json", "--select", "unparseable-input", cwd=root)
    assert code == 0 and "baseline" not in report


def test_unreadable_baseline_exits_2(repo) -> None:  # type: ignore[no-untyped-def]
    root = repo({"docker-compose.yml": COMPOSE, "baseline.json": "[1, 2]"})
    proc = run_cli("scan", "--baseline", "baseline.json", cwd=root)
    assert proc.returncode == 2 and "not a guardrails baseline" in proc.stderr


def _git(root, *args: str) -> None:  # type: ignore[no-untyped-def]
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


def test_changed_since_scans_only_changed_files(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    _git(tmp_path, "init", "-q")
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "docker-compose.yml").write_text(COMPOSE)
    (tmp_path / "new.yaml").write_text("a: 1\n")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-qm", "base")
    (tmp_path / "new.yaml").write_text("a: [\n")
    code, report = scan_json("--changed-since", "HEAD", cwd=tmp_path)
    assert code == 1
    assert [(f["rule_id"], f["path"]) for f in report["findings"]] == [("GR001", "new.yaml")]
    assert report["counts"]["files_scanned"] == 1
    proc = run_cli("scan", "--changed-since", "no-such-ref", cwd=tmp_path)
    assert proc.returncode == 2 and "git diff --name-only no-such-ref...HEAD failed" in proc.stderr
