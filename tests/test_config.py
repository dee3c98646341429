"""Configuration: discovery, every key, and errors that name the key (exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from guardrails.config import ConfigError, Resolver, find, load
from guardrails.engine import Engine, Settings
from guardrails.registry import find as find_rule
from guardrails.rule import Option
from tests.conftest import run_cli, scan_json

COMPOSE = 'services:\n  db:\n    image: mongo:7\n    ports:\n      - "27017:27017"\n'


def test_found_by_walking_up_and_yaml_wins_over_pyproject(repo) -> None:  # type: ignore[no-untyped-def]
    root = repo({"pyproject.toml": "[tool.guardrails]\nfail-on = 'high'\n", "deploy/app/x.yml": "a: 1\n"})
    assert find(root / "deploy" / "app") == root / "pyproject.toml"
    (root / ".guardrails.yaml").write_text("fail-on: medium\n")
    assert find(root / "deploy" / "app" / "x.yml") == root / ".guardrails.yaml"


def test_pyproject_without_tool_table_is_passed_over(repo) -> None:  # type: ignore[no-untyped-def]
    root = repo({"pyproject.toml": "[project]\nname = 'x'\n"})
    assert find(root) is None
    assert load(None, root).path is None


def test_discovery_stops_at_the_repository_root(tmp_path: Path) -> None:
    (tmp_path / ".guardrails.yaml").write_text("fail-on: high\n")
    inner = tmp_path / "checkout"
    (inner / ".git").mkdir(parents=True)
    assert find(inner) is None


def test_select_ignore_severity_and_fail_on(repo) -> None:  # type: ignore[no-untyped-def]
    root = repo({"docker-compose.yml": COMPOSE, "broken.yaml": "a: [\n"})
    (root / ".guardrails.yaml").write_text("ignore: [unparseable-input]\nrules:\n  ED001: {severity: low}\n")
    code, report = scan_json(cwd=root)
    assert code == 1 and [(f["rule_id"], f["severity"]) for f in report["findings"]] == [("ED001", "low")]
    (root / ".guardrails.yaml").write_text("fail-on: medium\nrules:\n  ED001: {severity: low}\nselect: [ED001]\n")
    code, report = scan_json(cwd=root)
    assert code == 0 and len(report["findings"]) == 1
    code, _ = scan_json("--fail-on", "low", cwd=root)
    assert code == 1, "--fail-on on the command line wins over the configuration"


def test_rule_disabled_and_toml_form(repo) -> None:  # type: ignore[no-untyped-def]
    root = repo({"docker-compose.yml": COMPOSE})
    (root / "pyproject.toml").write_text("[tool.guardrails.rules.compose-datastore-port-exposed]\nenabled = false\n")
    code, report = scan_json(cwd=root)
    assert code == 0 and report["findings"] == []


def test_exclude_and_per_path_ignores(repo) -> None:  # type: ignore[no-untyped-def]
    root = repo(
        {
            "docker-compose.yml": COMPOSE,
            "examples/docker-compose.yml": COMPOSE,
            "tests/docker-compose.yml": COMPOSE,
            "vendorized/broken.yaml": "a: [\n",
        }
    )
    (root / ".guardrails.yaml").write_text(
        "exclude: ['vendorized/']\nper-path-ignores:\n  'examples/**': [exposed-datastore]\n"
    )
    code, report = scan_json(cwd=root)
    assert sorted(f["path"] for f in report["findings"]) == ["docker-compose.yml", "tests/docker-compose.yml"]
    assert report["counts"]["files_scanned"] == 4, "three compose files and .guardrails.yaml; vendorized/ left out"
    code, report = scan_json("examples/docker-compose.yml", "vendorized/broken.yaml", cwd=root / ".")
    assert code == 0 and report["findings"] == [], "explicitly passed files are excluded too (pre-commit)"


def test_explicit_config_and_datastores_reach_rules(repo) -> None:  # type: ignore[no-untyped-def]
    root = repo(
        {"ci/gate.yaml": "datastores:\n  - {name: CockroachDB, images: [cockroachdb/cockroach], ports: [26257]}\n"}
    )
    config = load(root / "ci" / "gate.yaml", root)
    [store] = config.datastores
    assert (store.name, store.ports, store.matches("cockroachdb/cockroach:v23.1")) == ("CockroachDB", (26257,), True)
    rule = find_rule("ED001")
    assert rule is not None
    ctx = Engine(Settings(rules=(rule,), extra={"datastores": config.datastores}))._context(rule(), None)  # type: ignore[arg-type]
    assert ctx.options["datastores"] == config.datastores


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("fail_on: high\n", "unknown key 'fail_on' (did you mean 'fail-on'?)"),
        ("rules:\n  ED999: {severity: high}\n", "rules.ED999: unknown rule 'ED999'"),
        ("rules:\n  ED001: {severity: urgent}\n", "rules.ED001.severity: unknown severity 'urgent'"),
        ("rules:\n  ED001: {level: high}\n", "rules.ED001: unknown key 'level'"),
        ("rules:\n  GR001: {options: {ttl: 3}}\n", "rules.GR001.options: GR001 takes no options (got 'ttl')"),
        ("select: [exposed-datastores]\n", "select: unknown rule or category 'exposed-datastores'"),
        ("exclude: 3\n", "exclude: expected a list of strings, got int"),
        ("datastores:\n  - {name: X, images: [x], ports: ['26257']}\n", "datastores[0].ports: expected a list of port"),
        ("datastores:\n  - {name: X, images: [x], ports: [1], tls: true}\n", "datastores[0]: unknown key 'tls'"),
        ("inline-suppressions: no-thanks\n", "inline-suppressions: expected true or false"),
        ("- a\n", "expected a mapping of settings, got list"),
        ("a: [\n", "invalid YAML"),
    ],
)
def test_invalid_configuration_names_the_key_and_exits_2(repo, text: str, error: str) -> None:  # type: ignore[no-untyped-def]
    root = repo({"docker-compose.yml": COMPOSE, ".guardrails.yaml": text})
    with pytest.raises(ConfigError) as raised:
        load(None, root)
    assert error in str(raised.value)
    proc = run_cli("scan", cwd=root)
    assert proc.returncode == 2 and error in proc.stderr


def test_rule_options_are_validated_with_the_rules_own_types(monkeypatch: pytest.MonkeyPatch, repo) -> None:  # type: ignore[no-untyped-def]
    rule = find_rule("ED001")
    assert rule is not None
    monkeypatch.setattr(rule, "options", {"min_ttl": Option(300, "seconds")})
    root = repo({".guardrails.yaml": "rules:\n  ED001:\n    options: {min_ttl: '300'}\n"})
    with pytest.raises(ConfigError, match=r"rules\.ED001\.options\.min_ttl: expected int, got str"):
        load(None, root)
    (root / ".guardrails.yaml").write_text("rules:\n  ED001:\n    options: {min_tll: 3}\n")
    with pytest.raises(ConfigError, match="unknown key 'min_tll' \\(did you mean 'min_ttl'\\?\\)"):
        load(None, root)
    (root / ".guardrails.yaml").write_text("rules:\n  ED001:\n    options: {min_ttl: 60}\n")
    assert load(None, root).rule_options == {"ED001": {"min_ttl": 60}}


def test_missing_explicit_config_is_an_error(repo) -> None:  # type: ignore[no-untyped-def]
    root = repo({"docker-compose.yml": COMPOSE})
    proc = run_cli("scan", "--config", "nope.yaml", cwd=root)
    assert proc.returncode == 2 and "nope.yaml: no such configuration file" in proc.stderr


def test_configuration_can_forbid_inline_suppressions(repo) -> None:  # type: ignore[no-untyped-def]
    root = repo({"docker-compose.yml": COMPOSE.replace('27017"\n', '27017"  # guardrails: ignore[ED001] dev only\n')})
    code, _ = scan_json(cwd=root)
    assert code == 0
    (root / ".guardrails.yaml").write_text("inline-suppressions: false\n")
    code, report = scan_json(cwd=root)
    assert code == 1 and report["findings"][0]["suppressed"] is None


def test_configured_datastore_is_used_by_the_compose_rule(repo) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import scan_json

    root = repo(
        {
            ".guardrails.yaml": "datastores:\n  - {name: CockroachDB, images: [cockroachdb/cockroach], "
            "ports: [26257]}\n",
            "compose.yaml": "services:\n  db:\n    image: cockroachdb/cockroach:v23.1\n    ports: ['26257:26257']\n",
        }
    )
    code, report = scan_json(cwd=root)
    assert code == 1
    assert [(f["rule_id"], f["line"]) for f in report["findings"]] == [("ED001", 4)]
    assert "CockroachDB" in report["findings"][0]["message"]


def test_the_nearest_configuration_rules_each_file_whatever_the_argument_order(repo) -> None:  # type: ignore[no-untyped-def]
    root = repo(
        {
            ".guardrails.yaml": "rules:\n  ED001: {severity: high}\n",
            "docker-compose.yml": COMPOSE,
            "svc/.guardrails.yaml": "ignore: [ED001]\n",
            "svc/docker-compose.yml": COMPOSE,
            "svc/broken.yaml": "a: [\n",
        }
    )
    expected = [("ED001", "high", "docker-compose.yml"), ("GR001", "high", "svc/broken.yaml")]
    for args in ((), (".",), ("docker-compose.yml", "svc"), ("svc", "docker-compose.yml")):
        _, report = scan_json(*args, cwd=root)
        assert [(f["rule_id"], f["severity"], f["path"]) for f in report["findings"]] == expected, args
    _, report = scan_json("..", cwd=root / "svc")
    assert [(f["rule_id"], f["severity"], f["path"]) for f in report["findings"]] == expected


def test_extend_inherits_a_parent_configuration(repo) -> None:  # type: ignore[no-untyped-def]
    root = repo(
        {
            ".guardrails.yaml": "exclude: ['svc/vendored/']\nrules:\n  ED001: {severity: medium}\nfail-on: high\n",
            "svc/.guardrails.yaml": "extend: ../.guardrails.yaml\nignore: [GR001]\n",
            "svc/docker-compose.yml": COMPOSE,
            "svc/broken.yaml": "a: [\n",
            "svc/vendored/broken.yaml": "a: [\n",
        }
    )
    code, report = scan_json("svc", cwd=root)
    assert [(f["rule_id"], f["severity"], f["path"]) for f in report["findings"]] == [
        ("ED001", "medium", "svc/docker-compose.yml")
    ]
    assert code == 0, "fail-on: high is inherited"
    (root / "svc" / ".guardrails.yaml").write_text("extend: ../nope.yaml\n")
    proc = run_cli("scan", "svc", cwd=root)
    assert proc.returncode == 2 and "extend: ../nope.yaml: no such configuration file" in proc.stderr


def test_the_resolver_finds_what_find_finds_from_its_parents_answers(tmp_path: Path) -> None:
    """``Resolver`` answers a directory from its parent's answer; ``find`` walks up from each:
    the same file for every directory, inside a repository, outside any, through a link."""
    repo, loose = tmp_path / "repo", tmp_path / "loose"
    for directory in ("a/b/c", "a/d", "e/f/g", "h/i"):
        (repo / directory).mkdir(parents=True)
    (loose / "x/y").mkdir(parents=True)
    (repo / ".git").mkdir()
    (repo / ".guardrails.yaml").write_text("fail-on: high\n", encoding="utf-8")
    (repo / "a/b/.guardrails.yml").write_text("fail-on: low\n", encoding="utf-8")
    (repo / "e/pyproject.toml").write_text("[tool.black]\nline-length = 100\n", encoding="utf-8")
    (repo / "e/f/pyproject.toml").write_text('[tool.guardrails]\nfail-on = "low"\n', encoding="utf-8")
    (repo / "h/.git").mkdir()  # a repository inside the repository: its own root
    (loose / ".guardrails.yaml").write_text("fail-on: high\n", encoding="utf-8")
    (repo / "link").symlink_to(repo / "a/b", target_is_directory=True)
    directories = [p for root in (repo, loose) for p in (root, *root.rglob("*")) if p.is_dir()]
    assert len(directories) > 12
    resolver = Resolver(None, repo)
    for directory in reversed(directories):  # children first, then in order: both ways through the memo
        assert resolver._nearest(directory) == find(directory), directory
    fresh = Resolver(None, repo)
    assert [fresh._nearest(d) for d in directories] == [find(d) for d in directories]
    assert find(repo / "a/b/c") == repo / "a/b/.guardrails.yml" and find(repo / "e/f/g") == repo / "e/f/pyproject.toml"
    assert find(repo / "e") == repo / ".guardrails.yaml" and find(repo / "h/i") is None
    assert find(loose / "x/y") is None and find(loose) == loose / ".guardrails.yaml"
