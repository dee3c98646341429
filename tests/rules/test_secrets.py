"""Lesson 4 (shared-environment-secret): fixtures, pre-commit runs, and no secret in any output."""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from guardrails.documents import TreeDocument
from guardrails.engine import Engine, Settings
from guardrails.facts import secrets
from guardrails.facts.environments import Environments
from guardrails.pipeline import load
from guardrails.registry import all_rules, find
from guardrails.testing import expectations, score_fixtures
from tests.conftest import REPO, run_cli, scan_json

CATEGORY = "shared-environment-secret"
FIXTURES = REPO / "fixtures" / "secrets"
CASES = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())
SS_RULES = tuple(r for r in all_rules() if r.category.value == CATEGORY)


def test_fixture_precision_and_recall(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    scores = score_fixtures(Path("fixtures/secrets"), all_rules(), CATEGORY)
    assert set(scores) == {"SS001", "SS002"}, "every rule of the category has fixtures that fire"
    for rule_id, score in scores.items():
        assert (score.precision, score.recall) == (1.0, 1.0), (rule_id, score.false_positives, score.false_negatives)


@pytest.mark.parametrize("case", CASES)
def test_scanning_one_case_reports_exactly_its_annotations(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _, report = scan_json(f"fixtures/secrets/{case}", "--select", CATEGORY, cwd=REPO)
    found = {(f["rule_id"], f["path"], f["line"]) for f in report["findings"]}
    monkeypatch.chdir(REPO)
    assert found == expectations(Path("fixtures/secrets") / case)
    for finding in report["findings"]:
        assert finding["related"], "a finding names the other environment's file and line"
        assert all({"path", "line", "environment", "key"} <= set(r) for r in finding["related"])


def _git_repo(tmp_path: Path, case: str) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / case, root)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


@pytest.mark.parametrize(
    ("case", "changed", "expected"),
    [
        ("dotenv-shared", ".env.production", {(".env.production", 5)}),
        ("terraform-defaults", "envs/prod/main.tf", {("envs/prod/main.tf", 5), ("envs/prod/main.tf", 11)}),
        # Only the staging file changed: the production copies are still reported, on the production file.
        ("terraform-defaults", "envs/staging/main.tf", {("envs/prod/main.tf", 5), ("envs/prod/main.tf", 11)}),
        ("base64-secret", "overlays/production/secrets.yaml", {("overlays/production/secrets.yaml", 17)}),
    ],
)
def test_pre_commit_passing_only_the_changed_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str, changed: str, expected: set[tuple[str, int]]
) -> None:
    root = _git_repo(tmp_path, case)
    monkeypatch.chdir(root / "..")  # the hook may run from anywhere; the repository is found from the file
    engine = Engine(Settings(rules=SS_RULES), cwd=root)
    result = engine.scan([Path(changed)])
    assert result.files_scanned == 1
    assert {(f.path, f.span.line) for f in result.findings if f.rule_id == "SS001"} == expected


def test_pre_commit_on_a_file_without_environment_reads_nothing_else(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _git_repo(tmp_path, "terraform-defaults")
    (root / "README.md").write_text("docs\n")
    (root / "main.tf").write_text('variable "db_password" {\n  default = "Vt5-Gr41-Hx8c-Lm"\n}\n')

    def no_walk(*args: object, **kwargs: object) -> list[Path]:
        raise AssertionError("the repository was walked although no scanned file names an environment")

    monkeypatch.setattr(secrets, "_environment_files", no_walk)
    result = Engine(Settings(rules=SS_RULES), cwd=root).scan([Path("main.tf")])
    assert result.findings == []


def test_directories_above_the_repository_name_no_environment(tmp_path: Path) -> None:
    root = tmp_path / "deploy" / "prod" / "shop"
    (root / ".git").mkdir(parents=True)
    (root / "values.yaml").write_text("db:\n  password: Hq4-Lm82-Vz\n")
    (root / "values-dev.yaml").write_text("db:\n  password: Hq4-Lm82-Vz\n")
    result = Engine(Settings(rules=SS_RULES), cwd=tmp_path).scan([Path("deploy/prod/shop")])
    assert result.findings == []
    (root / "values-prod.yaml").write_text("db:\n  password: Hq4-Lm82-Vz\n")
    result = Engine(Settings(rules=SS_RULES), cwd=tmp_path).scan([Path("deploy/prod/shop")])
    assert [(f.path, f.span.line) for f in result.findings] == [("deploy/prod/shop/values-prod.yaml", 2)]


@pytest.mark.parametrize(
    "order",
    [("deploy/prod.tfvars", "envs/dev/terraform.tfvars"), ("envs/dev/terraform.tfvars", "deploy/prod.tfvars")],
)
def test_outside_a_repository_the_report_does_not_depend_on_the_order_of_the_paths(
    tmp_path: Path, order: tuple[str, str]
) -> None:
    """Without .git the project is the directory holding every path: taken from the first path
    alone (envs/dev), the development file had no environment and nothing was reported."""
    for path in order:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text('db_password = "Xq7-pLm2-Rz9w"\n')
    _, report = scan_json(*order, "--no-cache", "--select", "SS001", cwd=tmp_path)
    found = [(f["path"], f["line"], [r["path"] for r in f["related"]]) for f in report["findings"]]
    assert found == [("deploy/prod.tfvars", 1, ["envs/dev/terraform.tfvars"])]


@pytest.mark.parametrize(
    ("path", "environment"),
    [
        (".env.production", "production"),
        (".env.production.local", "production"),
        (".env.development", "development"),
        (".env.test", "development"),
        (".env.local", "development"),
        (".env.example", None),
        (".env.sample", None),
        (".env.template", None),
        (".env", None),
        ("envs/prod/terraform.tfvars", "production"),
        ("environments/staging/main.tf", "staging"),
        ("infra/deploy/prd/app.yaml", "production"),
        ("k8s/overlays/production/kustomization.yaml", "production"),
        ("k8s/base/deployment.yaml", None),
        ("chart/values-prod.yaml", "production"),
        ("chart/values.staging.yaml", "staging"),
        ("chart/values.yaml", None),
        ("chart/values-prod.example.yaml", None),
        ("prod.tfvars", "production"),
        ("live.tfvars", "production"),
        ("inventories/production/group_vars/all.yml", "production"),
        ("group_vars/staging.yml", "staging"),
        ("group_vars/all.yml", None),
        ("src/main/resources/application-prod.yml", "production"),
        ("src/main/resources/application.yml", None),
        ("config/test.json", "development"),
        ("docker-compose.prod.yml", "production"),
        ("docker-compose.override.yml", None),
        ("tests/unit/prod_helpers.yaml", None),
        ("production/notes.yaml", None),
    ],
)
def test_environment_of_path(path: str, environment: str | None) -> None:
    assert Environments().of_path(path) == environment


def test_synonyms_are_configurable() -> None:
    envs = Environments({"production": ["prod", "prd"], "staging": ["acc"], "development": ["dev"]})
    assert envs.of_path("envs/acc/terraform.tfvars") == "staging"
    assert envs.of_path("envs/live/terraform.tfvars") is None
    assert envs.from_label("acc-eu-west") == "staging"
    assert envs.from_label("review/$CI_COMMIT_REF_SLUG") is None


@pytest.mark.parametrize(
    "value",
    [
        "",
        "${DB_PASSWORD}",
        "$DB_PASSWORD",
        "{{ .Values.password }}",
        "${{ secrets.DB_PASSWORD }}",
        "<redacted>",
        "<your-api-key>",
        "xxxxxxxx",
        "********",
        "changeme",
        "example-password",
        "fake-token-123456",
        "dummy",
        "true",
        "null",
        "((db_password))",
    ],
)
def test_placeholders_are_never_secrets(value: str) -> None:
    assert list(secrets.secret_in("DB_PASSWORD", value)) == []


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("PASSWORD_MIN_LENGTH", "12"),
        ("DB_PASSWORD_FILE", "/run/secrets/db_password"),
        ("existingSecret", "billing-db"),
        ("userPasswordKey", "user-password"),
        ("SECRET_NAME", "prod-db-credentials"),
        ("apiTokenHeader", "X-Api-Token"),
        ("AUTH_PROVIDER", "keycloak"),
        ("API_BASE", "notreallyentropic"),
        ("PASSWORD_RESET_URL", "https://acme.example/reset"),
    ],
)
def test_secret_sounding_settings_that_are_not_secrets(key: str, value: str) -> None:
    assert list(secrets.secret_in(key, value)) == []


@pytest.mark.parametrize(
    ("key", "value", "secret"),
    [
        ("DB_PASSWORD", "Tq8-vRm3", "Tq8-vRm3"),
        ("DATABASE_URL", "postgres://app:Rb7-Yk21@db:5432/app", "Rb7-Yk21"),
        ("REDIS_URL", "redis://:Pw-Only-81@cache:6379/0", "Pw-Only-81"),
        ("ConnectionStrings", "Server=db;User Id=app;Password=Qz-73-Lk;", "Qz-73-Lk"),
        ("SENTRY_AUTH_TOKEN", "9f3b2c7e81d44a0bb6e5c2d7a1f04e93", "9f3b2c7e81d44a0bb6e5c2d7a1f04e93"),
    ],
)
def test_secrets_found(key: str, value: str, secret: str) -> None:
    assert [s for _, s in secrets.secret_in(key, value)] == [secret]


@pytest.mark.parametrize(
    ("value", "reference"),
    [
        ("vault:secret/data/app/db#password", "vault:secret/app/db"),
        ("ref+vault://secret/app/db#/password", "vault:secret/app/db"),
        (
            "arn:aws:secretsmanager:eu-west-1:111122223333:secret:shop/db-a1B2c3:password::",
            "arn:aws:secretsmanager:eu-west-1:111122223333:secret:shop/db-a1B2c3",
        ),
        ("projects/acme/secrets/db-password/versions/latest", "gcp-secret:projects/acme/secrets/db-password"),
        ("sm://acme/db-password", "sm://acme/db-password"),
        ("{{resolve:secretsmanager:prod/db:SecretString:password}}", "aws-secretsmanager:prod/db"),
        ("https://acme-kv.vault.azure.net/secrets/db-password/", "azure-keyvault:acme-kv/db-password"),
    ],
)
def test_secret_manager_references(value: str, reference: str) -> None:
    assert secrets.reference_of(value) == reference
    assert list(secrets.secret_in("DB_PASSWORD", value)) == []


# ----------------------------------------------------------------------------- no value in any output


def _planted_values() -> set[str]:
    """Every secret value the fixtures hold (as extracted), and the base64 forms of Kubernetes data."""
    envs = Environments()
    planted: set[str] = set()
    for path in sorted(p for p in FIXTURES.rglob("*") if p.is_file()):
        display = path.relative_to(REPO).as_posix()
        doc = load(path, display, 1 << 20).document
        if doc is None:
            continue
        for item in secrets.extract(doc, envs).secrets:
            planted.add(item.value)
            planted.add(base64.b64encode(item.value.encode()).decode())
        for root in doc.roots if isinstance(doc, TreeDocument) else []:
            is_secret = root.is_map and root.get("kind") is not None and root.path("kind").text == "Secret"
            data = root.get("data") if is_secret else None
            planted.update(v.text for _, _, v in (data.items() if data is not None else ()))
    return {v for v in planted if len(v) >= 6}


def _formats() -> list[str]:
    help_text = run_cli("scan", "--help", cwd=REPO).stdout
    match = re.search(r"--format \[([\w|-]+)\]", help_text)
    assert match, help_text
    return match.group(1).split("|")


def test_no_output_format_contains_a_secret_value(tmp_path: Path) -> None:
    planted = _planted_values()
    assert len(planted) > 20
    formats = _formats()
    assert {"text", "json"} <= set(formats)
    for fmt in formats:
        proc = run_cli("scan", "fixtures/secrets", "--format", fmt, cwd=REPO)
        assert proc.returncode == 1, proc.stderr
        output = proc.stdout + proc.stderr
        assert "SS001" in output and "SS002" in output
        leaked = sorted(v for v in planted if v in output)
        assert not leaked, f"{fmt} output reproduces {len(leaked)} secret value(s)"
        written = tmp_path / f"report.{fmt}"
        run_cli("scan", "fixtures/secrets", "--format", fmt, "--output", str(written), cwd=REPO)
        content = written.read_text(encoding="utf-8")
        assert "SS001" in content and not [v for v in planted if v in content]


def test_text_output_masks_the_code_frame() -> None:
    proc = run_cli("scan", "fixtures/secrets/three-envs", "--format", "text", cwd=REPO)
    frames = [line for line in proc.stdout.splitlines() if re.match(r"^\s+\d+ \| ", line)]
    assert frames and all(line.endswith("<value not shown>") for line in frames)


def test_explain_renders_the_rules() -> None:
    for rule_id in ("SS001", "SS002"):
        rule = find(rule_id)
        assert rule is not None and rule.project_wide
        proc = run_cli("explain", rule_id, cwd=REPO)
        assert proc.returncode == 0 and rule.title in proc.stdout
