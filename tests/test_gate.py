"""A gate that cannot be fooled: exit codes, unread files, crashes that stay with their file,
reports that always get written, paths relative to the repository root, --changed-since."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import invoke, run_cli

COMPOSE = "services:\n  db:\n    image: mongo:7\n    ports:\n      - '27017:27017'\n"
PLAN = (
    '{"format_version": "1.2", "resource_changes": [{"address": "aws_db_instance.main", '
    '"type": "aws_db_instance", "change": {"actions": ["delete", "create"]}}], "padding": "%s"}\n'
)


def _repo(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    (tmp_path / ".git").mkdir(exist_ok=True)
    for rel, content in files.items():
        target = tmp_path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    return tmp_path


def _json(proc: subprocess.CompletedProcess[str]) -> dict:
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)


def test_a_path_that_does_not_exist_is_exit_2(tmp_path: Path) -> None:
    _repo(tmp_path, {"docker-compose.yml": COMPOSE})
    proc = run_cli("scan", "nope/", cwd=tmp_path)
    assert proc.returncode == 2
    assert "nope: no such file or directory" in proc.stderr and "Traceback" not in proc.stderr


def test_paths_with_no_file_at_all_are_exit_2(tmp_path: Path) -> None:
    _repo(tmp_path, {"empty/.gitignore": "*\n", "empty/ignored.tf": ""})
    proc = run_cli("scan", "empty", cwd=tmp_path)
    assert proc.returncode == 2 and "no file found in empty" in proc.stderr
    # Files of no supported kind were found: nothing to report, but not a mistyped path.
    _repo(tmp_path, {"docs/readme.md": "# hi\n"})
    assert run_cli("scan", "docs", cwd=tmp_path).returncode == 0


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("main.tf", b'resource "a" "b" {\n  x = "\x00"\n}\n', "binary"),
        ("deploy.sh", b"#!/bin/sh\n" + b"#" * 3000, "too-large"),
    ],
)
def test_an_unread_file_of_a_supported_kind_is_a_high_finding(
    tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    _repo(tmp_path, {name: content, "README.md": "x" * 3000})
    proc = run_cli("scan", "-f", "json", "--max-file-size", "2000", ".", cwd=tmp_path)
    report = _json(proc)
    assert proc.returncode == 1
    assert [(f["rule_id"], f["severity"], f["path"]) for f in report["findings"]] == [("GR006", "high", name)]
    assert reason in report["findings"][0]["message"]
    # Still listed as skipped; a file of no supported kind (README.md) over the limit is not a finding.
    assert {s["path"]: s["reason"] for s in report["skipped"]} == {name: reason}


def test_a_plan_larger_than_the_file_limit_is_still_read(tmp_path: Path) -> None:
    """A 12 MB `terraform show -json` plan that replaces the database: reported, not skipped."""
    _repo(tmp_path, {"tfplan.json": PLAN % ("x" * 12_000_000)})
    report = _json(run_cli("scan", "-f", "json", ".", cwd=tmp_path))
    assert [f["rule_id"] for f in report["findings"]] == ["DO057"]
    assert report["skipped"] == []


def test_an_identifier_libcst_refuses_is_unparseable_input(tmp_path: Path) -> None:
    """libcst raised CSTValidationError on an identifier with an unassigned code point, and the
    whole scan died with a traceback and exit 1."""
    _repo(tmp_path, {"a.py": "import os\nos.syst\U000315c0m('rm -rf /')\n", "docker-compose.yml": COMPOSE})
    proc = run_cli("scan", "-f", "json", ".", cwd=tmp_path)
    report = _json(proc)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert {(f["rule_id"], f["path"]) for f in report["findings"]} == {
        ("GR001", "a.py"),
        ("ED001", "docker-compose.yml"),
    }


class _BoomError(Exception):
    """Stands for any bug in a parser."""


def test_a_parser_crash_stays_with_its_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import libcst

    def boom(text: str) -> None:
        raise _BoomError("quoting the file: hunter2")

    monkeypatch.setattr(libcst, "parse_module", boom)
    # Text CPython refuses (Python 2), so that libcst is asked to read it at all.
    script = "import subprocess\nprint 'cleaning'\nsubprocess.run(['rm', '-rf', 'build'])\n"
    _repo(tmp_path, {"a.py": script, "docker-compose.yml": COMPOSE})
    monkeypatch.chdir(tmp_path)
    code, out = invoke("scan", "-j", "1", "-f", "json", ".")
    assert code == 1, out
    report = json.loads(out)
    assert {(f["rule_id"], f["path"]) for f in report["findings"]} == {
        ("GR000", "a.py"),
        ("ED001", "docker-compose.yml"),
    }
    crash = next(f for f in report["findings"] if f["rule_id"] == "GR000")
    assert "_BoomError" in crash["message"] and "hunter2" not in crash["message"] and crash["severity"] == "high"
    assert report["counts"]["internal_errors"] == 1
    code, text = invoke("scan", "-j", "1", "--exit-zero", ".")
    assert "1 internal error" in text and code == 0
    sarif = json.loads(invoke("scan", "-j", "1", "-f", "sarif", ".")[1])
    assert sarif["runs"][0]["invocations"][0]["executionSuccessful"] is False


def test_a_rule_crash_is_contained_in_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from guardrails.engine import Engine, Settings
    from guardrails.registry import all_rules

    rule = next(r for r in all_rules() if r.id == "ED001")

    def boom(self, doc, ctx):  # type: ignore[no-untyped-def]
        raise KeyError("a secret value")

    monkeypatch.setattr(rule, "check", boom)
    _repo(tmp_path, {"docker-compose.yml": COMPOSE, "b/docker-compose.yml": COMPOSE})
    result = Engine(Settings(rules=(rule,), jobs=1), cwd=tmp_path).scan([Path(".")])
    assert [(f.rule_id, f.path) for f in result.findings] == [
        ("GR000", "b/docker-compose.yml"),
        ("GR000", "docker-compose.yml"),
    ]
    assert result.internal_errors == 2
    assert all("KeyError" in f.message and "secret" not in f.message for f in result.findings)


def test_warnings_over_scanned_content_never_reach_the_terminal(tmp_path: Path) -> None:
    _repo(tmp_path, {"a.py": 'import os\nos.system("rm -rf \\d")\nx = "\\q"\n', "b.py": "x = 1 is 1\n"})
    proc = run_cli("scan", ".", cwd=tmp_path)
    assert "Warning" not in proc.stderr, proc.stderr


def test_report_directories_are_created_and_a_failed_write_is_exit_2(tmp_path: Path) -> None:
    _repo(tmp_path, {"docker-compose.yml": COMPOSE})
    proc = run_cli("scan", "-f", "sarif:reports/g.sarif", "-f", "text", "-o", "reports/deep/r.txt", ".", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert (tmp_path / "reports" / "g.sarif").is_file() and (tmp_path / "reports" / "deep" / "r.txt").is_file()
    proc = run_cli("baseline", "-o", "reports/b/b.json", ".", cwd=tmp_path)
    assert proc.returncode == 0 and (tmp_path / "reports" / "b" / "b.json").is_file()
    (tmp_path / "blocked").write_text("a file, not a directory")
    proc = run_cli("scan", "-o", "blocked/r.txt", ".", cwd=tmp_path)
    assert proc.returncode == 2 and "cannot write blocked/r.txt" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("fmt", ["json", "sarif", "gitlab", "github", "junit", "text"])
def test_paths_are_relative_to_the_repository_root_in_every_format(tmp_path: Path, fmt: str) -> None:
    _repo(tmp_path, {"docker-compose.yml": COMPOSE, "infra/main.tf": "# nothing\n"})
    from_sub = run_cli("scan", "-f", fmt, "..", cwd=tmp_path / "infra").stdout
    from_root = run_cli("scan", "-f", fmt, ".", cwd=tmp_path).stdout
    absolute = run_cli("scan", "-f", fmt, str(tmp_path / "docker-compose.yml"), cwd=tmp_path / "infra").stdout
    assert "../" not in from_sub and "docker-compose.yml" in from_sub
    assert from_sub == from_root
    assert "../" not in absolute and str(tmp_path) not in absolute


def test_root_option_sets_the_base_of_reported_paths(tmp_path: Path) -> None:
    _repo(tmp_path, {"svc/docker-compose.yml": COMPOSE})
    report = _json(run_cli("scan", "-f", "json", "--root", "svc", "svc", cwd=tmp_path))
    assert [f["path"] for f in report["findings"]] == ["docker-compose.yml"]


def _git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=root, check=True, capture_output=True
    )


def test_changed_since_is_from_the_merge_base_plus_the_working_tree(tmp_path: Path) -> None:
    _git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "base.yaml").write_text("a: 1\n")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-qm", "base")
    _git(tmp_path, "checkout", "-qb", "feature")
    (tmp_path / "branch.yaml").write_text("a: [\n")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-qm", "on the branch")
    _git(tmp_path, "checkout", "-q", "main")
    (tmp_path / "only-main.yaml").write_text("a: [\n")  # changed on main after the branch left it
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-qm", "on main")
    _git(tmp_path, "checkout", "-q", "feature")
    (tmp_path / "staged.yaml").write_text("a: [\n")
    _git(tmp_path, "add", "staged.yaml")
    (tmp_path / "base.yaml").write_text("a: [\n")  # unstaged
    (tmp_path / "untracked.yaml").write_text("a: [\n")
    report = _json(run_cli("scan", "-f", "json", "--changed-since", "main", cwd=tmp_path))
    assert sorted(f["path"] for f in report["findings"]) == [
        "base.yaml",
        "branch.yaml",
        "staged.yaml",
        "untracked.yaml",
    ]


def test_a_large_plan_is_read_without_several_copies(tmp_path: Path) -> None:
    """Read once, decoded in place: the bytes, the text and the parsed padding value, no more."""
    import tracemalloc

    from guardrails.engine import Engine, Settings
    from guardrails.registry import all_rules

    size = 12_000_000
    _repo(tmp_path, {"tfplan.json": PLAN % ("x" * size)})
    tracemalloc.start()
    try:
        result = Engine(Settings(rules=all_rules(), jobs=1, use_cache=False), cwd=tmp_path).scan([Path(".")])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [f.rule_id for f in result.findings] == ["DO057"]
    assert peak < 4 * size, f"peak {peak / 1e6:.0f} MB for a {size / 1e6:.0f} MB plan"


def test_parallel_and_results_do_not_import_the_engine() -> None:
    """engine imports parallel; parallel and the reporters' ScanResult never import engine back."""
    code = (
        "import sys, guardrails.parallel, guardrails.result, guardrails.report.text\n"
        "assert 'guardrails.engine' not in sys.modules, sorted(m for m in sys.modules if m.startswith('guardrails'))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
