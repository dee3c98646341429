"""Docs that run: every command and configuration example in README.md and docs/ is run or
validated as a user would use it, so a renamed option or key fails here, not for a reader."""

from __future__ import annotations

import contextlib
import io
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from guardrails import config as configuration
from guardrails.cli import parse
from tests.conftest import REPO

DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
# docs/rules.md quotes each rule's bad and good inputs (scripts a user must not run): its
# configuration and command examples are the rules' own, tested by tests/test_rule_examples.py.
USER_DOCS = [doc for doc in DOCS if doc.name != "rules.md"]
# Placeholders the docs write in capitals, and a value to run them with.
PLACEHOLDERS = {"RULE": "ED001", "FILE": "report.txt", "REF": "origin/main", "DIR": ".", "BYTES": "1000000"}
_FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.M | re.S)
_SPAN = re.compile(r"`(guardrails (?:scan|baseline|rules|explain)\b[^`]*)`")
COMPOSE = "services:\n  db:\n    image: mongo:7\n    ports:\n      - '27017:27017'\n"


def _blocks(lang: str) -> list[tuple[str, str]]:
    found = []
    for doc in USER_DOCS:
        for match in _FENCE.finditer(doc.read_text(encoding="utf-8")):
            if match.group(1) == lang:
                found.append((f"{doc.relative_to(REPO)}:{match.group(2)[:40]!r}", match.group(2)))
    return found


def _commands() -> list[tuple[str, str]]:
    """(where, command line) for every shell line of the docs, comments removed, pipelines split."""
    lines: list[tuple[str, str]] = []
    for doc in USER_DOCS:
        text = doc.read_text(encoding="utf-8")
        for match in _FENCE.finditer(text):
            if match.group(1) not in ("sh", "bash", ""):
                continue
            for line in match.group(2).splitlines():
                line = re.sub(r"\s+#\s.*$", "", line).strip()
                if line.startswith(("guardrails ", "python ", "python3 ")):
                    lines.append((f"{doc.relative_to(REPO)}: {line}", line))
        for span in _SPAN.findall(text):
            lines.append((f"{doc.relative_to(REPO)}: {span}", span))
    return lines


def _guardrails_args(line: str) -> list[str] | None:
    """The arguments of the guardrails command in ``line`` (after a pipe, if any)."""
    for part in line.split("|"):
        words = [PLACEHOLDERS.get(w, w) for w in shlex.split(part) if w not in ("…", "...")]  # "…": the rest
        if words and words[0] == "guardrails":
            return words[1:]
    return None


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small repository the documented commands can run in: a git checkout with a branch
    point (origin/main), the incident replicas, infra/, a compose file and a plan (tfplan.json)."""
    root = tmp_path_factory.mktemp("docs-sample")
    shutil.copytree(REPO / "fixtures" / "incidents", root / "fixtures" / "incidents")
    (root / "infra").mkdir()
    (root / "infra" / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n')
    (root / "docker-compose.yml").write_text(COMPOSE)
    shutil.copy(REPO / "fixtures" / "destructive-iac" / "plan" / "values-bad.json", root / "tfplan.json")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], cwd=root, check=True)
    subprocess.run([*git, "add", "."], cwd=root, check=True)
    subprocess.run([*git, "commit", "-qm", "sample"], cwd=root, check=True)
    subprocess.run([*git, "update-ref", "refs/remotes/origin/main", "HEAD"], cwd=root, check=True)
    return root


COMMANDS = _commands()


def _usage_error(args: list[str]) -> str | None:
    """What the command line parser says about ``args``, or None when they parse (-h and
    --version included)."""
    said = io.StringIO()
    with contextlib.redirect_stderr(said), contextlib.redirect_stdout(io.StringIO()):
        try:
            parse(list(args))
        except SystemExit as exit_:
            return said.getvalue() if exit_.code else None
    return None


def test_the_docs_have_commands() -> None:
    assert len([c for _, c in COMMANDS if c.startswith("guardrails ")]) >= 10


@pytest.mark.parametrize("line", [c for _, c in COMMANDS], ids=[w for w, _ in COMMANDS])
def test_every_documented_command_runs(line: str, sample: Path) -> None:
    args = _guardrails_args(line)
    if args is not None:
        error = _usage_error(args)
        if error is not None:
            pytest.fail(f"{line}: {error}")
        if (args and args[0] in ("scan", "baseline") and "--changed-since" not in " ".join(args[1:])) or args[:1] in (
            ["rules"],
            ["explain"],
        ):
            stdin = COMPOSE if "-" in args else None
            if "--baseline" in args:
                baseline = args[args.index("--baseline") + 1]
                subprocess.run([sys.executable, "-m", "guardrails", "baseline", "-o", baseline], cwd=sample, check=True)
            proc = subprocess.run(
                [sys.executable, "-m", "guardrails", *args],
                cwd=sample,
                input=stdin,
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert proc.returncode in (0, 1), f"{line}: exit {proc.returncode}\n{proc.stderr}"
        elif "--changed-since" in args:
            proc = subprocess.run(
                [sys.executable, "-m", "guardrails", *args], cwd=sample, capture_output=True, text=True, timeout=300
            )
            assert proc.returncode in (0, 1), f"{line}: exit {proc.returncode}\n{proc.stderr}"
        return
    words = shlex.split(line)
    if "-c" in words:  # python -c "...": run as written, from the repository
        proc = subprocess.run([sys.executable, *words[1:]], cwd=REPO, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, f"{line}\n{proc.stderr}"
    elif words[1] == "-m":
        module = words[2]
        assert __import__("importlib").util.find_spec(module) is not None, line
    else:  # a script: it exists and takes the documented options
        script = REPO / words[1]
        assert script.is_file(), line
        proc = subprocess.run([sys.executable, str(script), "--help"], capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, f"{line}\n{proc.stderr}"
        for option in (w.split("=")[0] for w in words[2:] if w.startswith("--")):
            assert option in proc.stdout, f"{line}: {option} is not an option of {words[1]}"


@pytest.mark.parametrize(("where", "text"), _blocks("yaml"), ids=[w for w, _ in _blocks("yaml")])
def test_every_yaml_example_parses_and_configurations_validate(where: str, text: str, tmp_path: Path) -> None:
    data = yaml.safe_load(text)
    first = text.splitlines()[0]
    if first.startswith("# .guardrails.y") or (isinstance(data, dict) and set(data) <= set(configuration.TOP_KEYS)):
        path = tmp_path / "svc" / ".guardrails.yaml"
        path.parent.mkdir()
        path.write_text(text, encoding="utf-8")
        if isinstance(data, dict) and "extend" in data:  # what it extends, empty
            (path.parent / data["extend"]).write_text("{}\n", encoding="utf-8")
        configuration.load_file(path)
    for line in _workflow_commands(data):
        args = _guardrails_args(line)
        if args is not None:
            error = _usage_error(args)
            if error is not None:
                pytest.fail(f"{where}: {line}: {error}")
    if first.startswith("# .pre-commit-config.yaml") or (isinstance(data, list) and "hooks" in str(data)):
        hooks = {h["id"] for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
        repos = data["repos"] if isinstance(data, dict) else data
        assert all(h["id"] in hooks for r in repos for h in r["hooks"]), where


def _workflow_commands(data: object) -> list[str]:
    """Every `run:` and `script:` line of a GitHub or GitLab workflow."""
    found: list[str] = []
    if isinstance(data, dict):
        for key, value in data.items():
            if key in ("run", "script") and isinstance(value, str):
                found.extend(value.splitlines())
            elif key == "script" and isinstance(value, list):
                found.extend(str(v) for v in value)
            else:
                found.extend(_workflow_commands(value))
    elif isinstance(data, list):
        for item in data:
            found.extend(_workflow_commands(item))
    return found


@pytest.mark.parametrize(("where", "text"), _blocks("toml"), ids=[w for w, _ in _blocks("toml")])
def test_every_toml_configuration_validates(where: str, text: str, tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(text, encoding="utf-8")
    configuration.load_file(path)


def test_user_docs_never_link_outside_the_repository() -> None:
    for doc in DOCS:
        assert "../shared" not in doc.read_text(encoding="utf-8"), doc.name


def test_kubernetes_ignore_annotation_in_ci_docs_names_the_service_rule() -> None:
    text = (REPO / "docs" / "ci.md").read_text(encoding="utf-8")
    [rule] = re.findall(r"guardrails\.dev/ignore-(\w+): \"internal load balancer", text)
    from guardrails.registry import find

    found = find(rule)
    assert found is not None and found.name == "k8s-service-exposes-datastore", found
