"""The GitHub Action (action.yml): valid metadata, inputs that cannot inject shell, and its scan
step run in bash as the runner runs it (inputs through the environment, outputs and the job
summary through the files GitHub names), against a small repository."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tests.conftest import REPO

ACTION = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
SCHEMA = REPO / "tests" / "data" / "github-action.schema.json"  # SchemaStore's (tests/data/README.md)
_INPUT = re.compile(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}")
COMPOSE = "services:\n  db:\n    image: mongo:7\n    ports:\n      - '27017:27017'\n"


def _step(step_id: str) -> dict[str, Any]:
    [step] = [s for s in ACTION["runs"]["steps"] if s.get("id") == step_id or s.get("name") == step_id]
    return step


def test_action_metadata_is_valid_against_the_github_action_schema() -> None:
    jsonschema.validate(ACTION, json.loads(SCHEMA.read_text(encoding="utf-8")))
    assert ACTION["runs"]["using"] == "composite"
    assert {"paths", "fail-on", "format", "baseline", "changed-since", "upload-sarif"} <= set(ACTION["inputs"])


def test_the_schema_rejects_what_github_rejects() -> None:
    """The schema is the real one, not a stand-in that accepts anything."""
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    broken = {**ACTION, "runs": {**ACTION["runs"], "using": "docker"}}  # docker needs an image
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({k: v for k, v in ACTION.items() if k != "runs"}, schema)


def test_no_expression_inside_a_script() -> None:
    """An input expanded into a script is shell injection; they go through env instead."""
    for step in ACTION["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), step.get("name")
    install = _step("Install guardrails from this action's checkout")
    assert install["env"]["ACTION_PATH"] == "${{ github.action_path }}", "installed from the action's own ref"
    uses = [s["uses"] for s in ACTION["runs"]["steps"] if "uses" in s]
    assert any(u.startswith("actions/setup-python@") for u in uses)
    assert any(u.startswith("github/codeql-action/upload-sarif@") for u in uses)


def _scan(workdir: Path, tmp: Path, **given: str) -> tuple[int, dict[str, str], str]:
    """Run the scan step's script as the runner would: the step's env with the inputs expanded,
    and guardrails where the install step puts it. Returns the exit code, GITHUB_OUTPUT and the
    job summary."""
    step = _step("scan")
    inputs = {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()} | given
    env = {name: _INPUT.sub(lambda m: inputs[m.group(1)], value) for name, value in step["env"].items()}
    runner_temp = tmp / "runner"
    (runner_temp / "guardrails-venv" / "bin").mkdir(parents=True, exist_ok=True)
    executable = runner_temp / "guardrails-venv" / "bin" / "guardrails"
    if not executable.exists():
        executable.symlink_to(Path(sys.executable).with_name("guardrails"))
    output, summary = tmp / "output", tmp / "summary.md"
    output.write_text("")
    summary.write_text("")
    base = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    proc = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        cwd=workdir,
        env={
            **base,
            **env,
            "RUNNER_TEMP": str(runner_temp),
            "GITHUB_OUTPUT": str(output),
            "GITHUB_STEP_SUMMARY": str(summary),
        },
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, f"the scan step itself never fails (the gate step does)\n{proc.stderr}"
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
    return int(outputs["exit-code"]), outputs, summary.read_text()


@pytest.fixture()
def workdir(tmp_path: Path) -> Path:
    if not Path(sys.executable).with_name("guardrails").exists() or shutil.which("bash") is None:
        pytest.skip("needs bash and the guardrails script beside this Python (pip install -e .)")
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / "docker-compose.yml").write_text(COMPOSE)
    (root / "infra").mkdir()
    (root / "infra" / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n')
    return root


def test_scan_step_defaults_gate_and_summarize(workdir: Path, tmp_path: Path) -> None:
    code, outputs, summary = _scan(workdir, tmp_path)
    assert code == 1, "the exposed MongoDB fails the default gate"
    assert summary.startswith("## guardrails") and "ED001" in summary, "the summary is appended"
    assert "sarif-file" not in outputs


def test_scan_step_inputs(workdir: Path, tmp_path: Path) -> None:
    code, outputs, _ = _scan(workdir, tmp_path, **{"upload-sarif": "true", "paths": "infra\n docker-compose.yml"})
    assert code == 1
    sarif = json.loads(Path(outputs["sarif-file"]).read_text())
    assert {r["ruleId"] for r in sarif["runs"][0]["results"]} == {"ED001"}
    assert _scan(workdir, tmp_path, paths="infra")[0] == 0, "only the paths given"
    assert _scan(workdir, tmp_path, **{"fail-on": "critical"})[0] == 1, "ED001 on MongoDB is critical"
    assert _scan(workdir, tmp_path, **{"fail-on": "nonsense"})[0] == 2, "a usage error is exit 2"
    code, _, summary = _scan(workdir, tmp_path, summary="false", format="json:out/report.json concise")
    assert code == 1 and summary == "" and (workdir / "out" / "report.json").is_file()


def test_scan_step_baseline(workdir: Path, tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "guardrails", "baseline", "-o", "base.json"], cwd=workdir, check=True)
    code, _, summary = _scan(workdir, tmp_path, baseline="base.json")
    assert code == 0 and "1 baselined" in summary


def test_gate_step_exits_with_the_scan_code() -> None:
    gate = _step("Gate")
    for code in ("0", "1", "2", ""):
        proc = subprocess.run(["bash", "-c", gate["run"]], env={**os.environ, "CODE": code}, check=False)
        assert proc.returncode == int(code or 2)


def test_documented_uses_name_only_real_inputs() -> None:
    found = 0
    for doc in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]:
        for block in re.findall(r"^```yaml\n(.*?)^```", doc.read_text(encoding="utf-8"), re.M | re.S):
            for step in _steps(yaml.safe_load(block)):
                if str(step.get("uses", "")).startswith("guardrails-lint/guardrails@"):
                    found += 1
                    assert set(step.get("with", {})) <= set(ACTION["inputs"]), (doc.name, step)
    assert found, "docs/ci.md shows the action"


def _steps(data: object) -> list[dict[str, Any]]:
    if isinstance(data, dict):
        own = [data] if "uses" in data else []
        return own + [s for v in data.values() for s in _steps(v)]
    if isinstance(data, list):
        return [s for item in data for s in _steps(item)]
    return []
