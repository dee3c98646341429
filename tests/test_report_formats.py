"""Every report format on the same fixture set (fixtures/gate): golden files, SARIF against the
OASIS schema, JUnit read back by junitparser, byte-identical output across runs.

Regenerate the golden files after an intended change with GUARDRAILS_UPDATE_GOLDEN=1.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import jsonschema
import pytest

from guardrails.report.github import escape_data, escape_property
from tests.conftest import REPO, SHARED, require_shared, run_cli

FIXTURES = REPO / "fixtures" / "gate"
GOLDEN = REPO / "tests" / "golden" / "gate"
SARIF_SCHEMA = SHARED / "schemas" / "sarif-schema-2.1.0.json"
OUTPUTS = {
    "text": "report.txt",
    "json": "report.json",
    "sarif": "report.sarif",
    "junit": "report.junit.xml",
    "github": "report.github.txt",
    "gitlab": "report.gitlab.json",
    "markdown": "report.md",
}
SELECT = ("--select", "ED001", "--select", "unparseable-input")


def _run_all(workdir: Path, outdir: Path) -> dict[str, str]:
    """One scan writing every format at once."""
    args = [arg for fmt, name in OUTPUTS.items() for arg in ("--format", f"{fmt}:{outdir / name}")]
    proc = run_cli("scan", *SELECT, *args, cwd=workdir)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout == "", "every format went to a file"
    return {fmt: (outdir / name).read_text(encoding="utf-8") for fmt, name in OUTPUTS.items()}


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], dict[str, str]]:
    base = tmp_path_factory.mktemp("gate")
    workdir = base / "repo"
    shutil.copytree(FIXTURES, workdir)
    (workdir / ".git").mkdir()
    first, second = base / "out1", base / "out2"
    first.mkdir()
    second.mkdir()
    return _run_all(workdir, first), _run_all(workdir, second)


@pytest.mark.parametrize("fmt", list(OUTPUTS))
def test_golden(reports: tuple[dict[str, str], dict[str, str]], fmt: str) -> None:
    produced = reports[0][fmt]
    golden = GOLDEN / OUTPUTS[fmt]
    if os.environ.get("GUARDRAILS_UPDATE_GOLDEN"):
        golden.write_text(produced, encoding="utf-8")
    assert produced == golden.read_text(encoding="utf-8"), f"{fmt} differs from {golden}"


@pytest.mark.parametrize("fmt", list(OUTPUTS))
def test_byte_identical_across_runs(reports: tuple[dict[str, str], dict[str, str]], fmt: str) -> None:
    assert reports[0][fmt] == reports[1][fmt]


def test_sarif_is_valid_and_carries_fingerprints_levels_and_suppressions(reports) -> None:  # type: ignore[no-untyped-def]
    require_shared("schemas", "sarif-schema-2.1.0.json")
    sarif = json.loads(reports[0]["sarif"])
    jsonschema.validate(sarif, json.loads(SARIF_SCHEMA.read_text(encoding="utf-8")))
    run = sarif["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert rules["ED001"]["helpUri"].endswith("docs/rules.md#ed001-compose-datastore-port-exposed")
    assert "How to fix it" in rules["ED001"]["help"]["text"]
    native = {f["fingerprint"]: f for f in json.loads(reports[0]["json"])["findings"]}
    levels = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
    for result in run["results"]:
        assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        finding = native[result["partialFingerprints"]["guardrails/v1"]]
        assert result["level"] == levels[finding["severity"]]
        region = result["locations"][0]["physicalLocation"]["region"]
        assert (region["startLine"], region["startColumn"]) == (finding["line"], finding["column"])
    [suppressed] = [r for r in run["results"] if "suppressions" in r]
    assert suppressed["suppressions"][0]["justification"] == "CI-only cache on a throwaway runner"


def test_junit_read_back_by_junitparser(reports, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from junitparser import Failure, JUnitXml, Skipped

    path = tmp_path / "report.xml"
    path.write_text(reports[0]["junit"], encoding="utf-8")
    xml = JUnitXml.fromfile(str(path))
    failures: list[tuple[str, str]] = []
    skipped: list[str] = []
    for suite in xml:
        for case in suite:
            for outcome in case.result:
                if isinstance(outcome, Failure):
                    failures.append((outcome.type, outcome.message))
                    assert case.classname and ":" in case.name, "location in the test case"
                    assert outcome.text and f"rule: {outcome.type}" in outcome.text
                elif isinstance(outcome, Skipped):
                    skipped.append(outcome.message)
    native = json.loads(reports[0]["json"])
    expected = sorted((f["rule_id"], f["message"]) for f in native["findings"] if f["suppressed"] is None)
    assert sorted((rule, message.split("] ", 1)[1]) for rule, message in failures) == expected
    assert skipped == ["suppressed: CI-only cache on a throwaway runner"]
    assert xml.failures == len(expected)


def test_gitlab_code_quality_fields(reports) -> None:  # type: ignore[no-untyped-def]
    issues = json.loads(reports[0]["gitlab"])
    native = [f for f in json.loads(reports[0]["json"])["findings"] if f["suppressed"] is None]
    assert len(issues) == len(native)
    for issue, finding in zip(issues, native, strict=True):
        assert issue["check_name"].startswith(finding["rule_id"])
        assert issue["fingerprint"] == finding["fingerprint"]
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert issue["location"] == {
            "path": finding["path"],
            "lines": {"begin": finding["line"], "end": finding["end_line"]},
        }
        assert finding["message"] in issue["description"]
    assert {i["severity"] for i in issues} >= {"blocker", "critical", "major", "minor"}


def test_github_annotations(reports) -> None:  # type: ignore[no-untyped-def]
    lines = reports[0]["github"].splitlines()
    assert all(line.startswith("::") for line in lines), "every line is a workflow command"
    commands = lines[:-1]
    assert len(commands) == len([f for f in json.loads(reports[0]["json"])["findings"] if f["suppressed"] is None])
    first = commands[0]
    assert first.startswith("::error file=broken.yaml,line=5,col=")
    assert ",endLine=" in first and ",endColumn=" in first and ",title=GR001 unparseable-input [high]::" in first
    assert all("\n" not in c for c in commands)
    assert lines[-1].startswith("::notice title=guardrails::guardrails: ")


def test_github_escaping() -> None:
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_data("a: b, c") == "a: b, c"
    assert escape_property("dir,x/a:b.yml%") == "dir%2Cx/a%3Ab.yml%25"


def test_text_counts_suppressed_and_json_keeps_the_reason(reports) -> None:  # type: ignore[no-untyped-def]
    summary = reports[0]["text"].splitlines()[-1]
    assert summary.startswith("8 findings (1 critical, 2 high, 3 medium, 2 low), 1 suppressed")
    assert "CI-only cache" not in reports[0]["text"]
    suppressed = [f for f in json.loads(reports[0]["json"])["findings"] if f["suppressed"]]
    assert [(f["rule_id"], f["line"], f["suppressed"]) for f in suppressed] == [
        ("ED001", 14, "CI-only cache on a throwaway runner")
    ]


def test_json_output_still_matches_documented_schema(reports) -> None:  # type: ignore[no-untyped-def]
    schema = json.loads((REPO / "docs" / "output.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(json.loads(reports[0]["json"]), schema)


def test_output_option_combinations(repo) -> None:  # type: ignore[no-untyped-def]
    root = repo({"docker-compose.yml": 'services:\n  db:\n    image: mongo:7\n    ports: ["27017:27017"]\n'})
    proc = run_cli("scan", "-f", "json", "-o", "out.json", cwd=root)
    assert proc.returncode == 1 and proc.stdout == ""
    assert json.loads((root / "out.json").read_text())["findings"][0]["rule_id"] == "ED001"
    proc = run_cli("scan", "--format", "sarif", "--output", "report.sarif", "--format", "text", cwd=root)
    assert proc.returncode == 1
    assert json.loads((root / "report.sarif").read_text())["version"] == "2.1.0"
    assert "ED001 [critical]" in proc.stdout
    proc = run_cli("scan", "-f", "json", "-f", "text", cwd=root)
    assert proc.returncode == 2 and "only one format can go to standard output" in proc.stderr
    proc = run_cli("scan", "-f", "yaml", cwd=root)
    assert proc.returncode == 2 and "'yaml' is not one of" in proc.stderr
