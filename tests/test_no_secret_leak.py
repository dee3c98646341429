"""No secret value reaches any output: every report format, stdout, stderr, errors.

fixtures/robust/secrets plants values in the places a scanner reads them: a password
shared by .env.production and .env.development (SS001 compares them), a Kubernetes
Secret (base64), compose environment and a URL with credentials, and two files that
do not parse with the secret on the broken line (the GR001 message and code frame
must not quote it). Each value is searched for as written and base64-encoded.
"""

from __future__ import annotations

import base64
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, run_cli

SECRETS_DIR = REPO / "fixtures" / "robust" / "secrets"
PLANTED = re.compile(r"Planted-[A-Za-z0-9-]+")


def planted_values() -> set[str]:
    """Every planted value, found in the fixture files themselves (so a new one is covered)."""
    values: set[str] = set()
    for path in SECRETS_DIR.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            values.update(PLANTED.findall(text))
            for encoded in re.findall(r"password: (\S+)", text):
                values.add(base64.b64decode(encoded).decode())
    return values


def forms(value: str) -> set[str]:
    raw = value.encode()
    return {value, base64.b64encode(raw).decode(), base64.b64encode(raw).decode().rstrip("="), raw.hex()}


def _formats() -> list[str]:
    help_text = run_cli("scan", "--help").stdout
    listed = re.search(r"\[((?:[a-z]+\|)+[a-z]+)\]", help_text)
    assert listed is not None, help_text
    return listed.group(1).split("|")


def _assert_clean(text: str, where: str) -> None:
    for value in planted_values():
        for form in forms(value):
            assert form not in text, f"{where} contains the planted secret {value!r} (as {form!r})"


def test_fixture_plants_every_kind_of_secret() -> None:
    values = planted_values()
    assert {"Planted-S3cret-Value-42", "Planted-K8s-Secret-77", "Planted-Compose-Pass-93"} <= values
    assert {"Planted-Shell-Pass-31", "Planted-Env-Token-64", "Planted-Url-Pass-58"} <= values


@pytest.mark.parametrize("fmt", _formats())
def test_no_planted_secret_in_any_format(fmt: str, tmp_path: Path) -> None:
    target = tmp_path / f"report.{fmt}"
    to_stdout = run_cli("scan", "-f", fmt, str(SECRETS_DIR.relative_to(REPO)), cwd=REPO)
    to_file = run_cli("scan", "-f", f"{fmt}:{target}", str(SECRETS_DIR.relative_to(REPO)), cwd=REPO)
    assert to_stdout.returncode == 1, to_stdout.stderr  # SS001 and two GR001 findings
    assert "SS001" in to_stdout.stdout and "GR001" in to_stdout.stdout
    for proc, name in ((to_stdout, "stdout"), (to_file, "file run")):
        _assert_clean(proc.stdout, f"{fmt} {name} stdout")
        _assert_clean(proc.stderr, f"{fmt} {name} stderr")
    _assert_clean(target.read_text(encoding="utf-8"), f"{fmt} report file")


def test_no_planted_secret_from_stdin_or_in_error_paths() -> None:
    """Standard input, an unknown rule (usage error) and a bad --config all echo nothing secret."""
    env = (SECRETS_DIR / ".env.staging").read_bytes()
    piped = run_cli("scan", "-f", "json", "-", "--stdin-filename", ".env.staging", stdin=env)
    assert '"GR001"' in piped.stdout
    _assert_clean(piped.stdout + piped.stderr, "stdin scan")
    usage = run_cli("scan", "--select", "Planted-Env-Token-64-rule", str(SECRETS_DIR), cwd=REPO)
    assert usage.returncode == 2  # the user typed that value on the command line; it is theirs to see
    config = run_cli("scan", "--config", str(SECRETS_DIR / ".env.production"), str(SECRETS_DIR), cwd=REPO)
    _assert_clean(config.stdout + config.stderr, "bad --config")


@pytest.mark.parametrize("method", ["check_summaries", "summarize"])
def test_no_planted_secret_in_a_crash_report(method: str) -> None:
    """A rule that crashes with the value in its exception, over the project or over one
    document: the GR000 message leaves the text out."""
    code = (
        "import sys\n"
        "from guardrails.rules.secrets import shared_production_secret as m\n"
        "def boom(self, docs, ctx):\n"
        "    raise ValueError('bad value Planted-S3cret-Value-42')\n"
        "cls = next(v for v in vars(m).values() if getattr(v, 'id', '') == 'SS001')\n"
        f"cls.{method} = boom\n"
        "from guardrails.cli import main\n"
        "sys.argv = ['guardrails', 'scan', '-f', 'json', sys.argv[1]]\n"
        "main()\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(SECRETS_DIR)], capture_output=True, text=True, timeout=120, cwd=REPO
    )
    assert proc.returncode == 1 and '"GR000"' in proc.stdout, proc.stderr
    _assert_clean(proc.stdout + proc.stderr, "crash report")
