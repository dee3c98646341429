"""The exposed-datastore category: fixtures scored strictly, the NewsBlur replica, and
the datastore table's own facts (tag awareness, configuration)."""

from __future__ import annotations

from pathlib import Path

import pytest

from guardrails.engine import Engine, Settings
from guardrails.facts.datastores import (
    Datastore,
    auth_state,
    configured,
    find_datastore,
    server_command,
    weak_credentials,
)
from guardrails.facts.network import is_private_cidr, parse_port_spec
from guardrails.registry import all_rules
from guardrails.testing import score_fixtures

REPO = Path(__file__).resolve().parents[2]
CATEGORY = "exposed-datastore"
RULES = tuple(r for r in all_rules() if r.category.value == CATEGORY)


def _scan(path: Path) -> list[tuple[str, int, str]]:
    result = Engine(Settings(rules=RULES), cwd=REPO).scan([path.relative_to(REPO)])
    assert result.internal_errors == 0
    return [(f.path, f.span.line, f.rule_id) for f in result.findings]


def test_every_rule_of_the_category_is_scored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    scores = score_fixtures(Path("fixtures/exposure"), all_rules(), CATEGORY)
    assert {r.id for r in RULES} <= set(scores), "every exposure rule needs fixtures"
    for rule_id, score in scores.items():
        assert score.false_positives == [], rule_id
        assert score.false_negatives == [], rule_id
        assert score.precision == 1.0 and score.recall == 1.0, rule_id


def test_newsblur_replica_is_flagged_on_the_port_line() -> None:
    found = _scan(REPO / "fixtures/incidents/newsblur-2021")
    assert found == [("fixtures/incidents/newsblur-2021/docker-compose.yml", 11, "ED001")]
    result = Engine(Settings(rules=RULES), cwd=REPO).scan([Path("fixtures/incidents/newsblur-2021")])
    assert "27017" in result.findings[0].message and result.findings[0].severity.label == "critical"


def test_newsblur_fix_is_clean() -> None:
    assert _scan(REPO / "fixtures/incidents/newsblur-2021-fixed") == []


@pytest.mark.parametrize(
    ("image", "env", "expected_open"),
    [
        ("elasticsearch:7.17.10", {}, True),
        ("elasticsearch:8.13.0", {}, False),
        ("docker.elastic.co/elasticsearch/elasticsearch:8.13.0", {"xpack.security.enabled": "false"}, True),
        ("elasticsearch:6.8.0", {"xpack.security.enabled": "true"}, False),
        ("opensearchproject/opensearch:2.11.0", {}, True),
        ("opensearchproject/opensearch:2.12.0", {}, False),
        ("opensearchproject/opensearch:latest", {}, False),
        ("influxdb:1.8", {}, True),
        ("influxdb:1.8", {"INFLUXDB_HTTP_AUTH_ENABLED": "true"}, False),
        ("mongo:7", {"MONGO_INITDB_ROOT_USERNAME": "a", "MONGO_INITDB_ROOT_PASSWORD": None}, False),
        ("mongo:7", {}, True),
        ("postgres:16", {}, False),
        ("postgres:16", {"POSTGRES_HOST_AUTH_METHOD": "TRUST"}, True),
        # trust is pg_hba.conf's method for every host: the password is set but never asked for.
        ("postgres:16", {"POSTGRES_PASSWORD": None, "POSTGRES_HOST_AUTH_METHOD": "trust"}, True),
        ("postgres:16", {"POSTGRES_PASSWORD": None, "POSTGRES_HOST_AUTH_METHOD": "scram-sha-256"}, False),
        # The mysql and mariadb entrypoints test only that *_ALLOW_EMPTY_* is not empty.
        # Bitnami's is_boolean_yes: yes, true or 1, in any case.
        ("bitnami/redis:7.2", {"ALLOW_EMPTY_PASSWORD": "true"}, True),
        ("bitnami/postgresql:16", {"ALLOW_EMPTY_PASSWORD": "1"}, True),
        ("bitnami/postgresql:16", {"ALLOW_EMPTY_PASSWORD": "no"}, False),
        ("bitnami/elasticsearch:8.15", {}, True),
        ("bitnami/elasticsearch:8.15", {"ELASTICSEARCH_ENABLE_SECURITY": "1"}, False),
        ("bitnami/elasticsearch:8.15", {"ELASTICSEARCH_ENABLE_SECURITY": "TRUE"}, False),
        ("bitnami/elasticsearch:8.15", {"ELASTICSEARCH_ENABLE_SECURITY": "0"}, True),
        ("mysql:8.4", {"MYSQL_ALLOW_EMPTY_PASSWORD": "no"}, True),
        ("mariadb:11", {"MARIADB_ALLOW_EMPTY_ROOT_PASSWORD": "0"}, True),
        ("mysql:8.4", {"MYSQL_ALLOW_EMPTY_PASSWORD": ""}, False),
        ("mysql:8.4", {"MYSQL_ALLOW_EMPTY_PASSWORD": "false", "MYSQL_ROOT_PASSWORD": None}, False),
        ("bitnami/redis:7", {}, False),
        ("redis:7", {}, True),
        ("rabbitmq:3", {}, True),
        ("rabbitmq:3", {"RABBITMQ_DEFAULT_PASS": None}, False),
        ("clickhouse/clickhouse-server:24.3", {}, False),
        ("yandex/clickhouse-server:21.3", {}, True),
    ],
)
def test_auth_state_reads_image_tag_and_environment(
    image: str, env: dict[str, str | None], expected_open: bool
) -> None:
    store = find_datastore(image)
    assert store is not None
    assert auth_state(store, env, [], image).open is expected_open


def test_from_config_builds_and_validates_a_family() -> None:
    store = Datastore.from_config(
        {
            "name": "Acme KV",
            "images": ["acme/kv*"],
            "ports": [7777],
            "open_env": {"KV_AUTH": "off"},
            "auth_env": ["KV_PASSWORD"],
            "default_credentials": ["acme/acme"],
            "commands": ["kvd"],
            "open_flags": ["--insecure="],
            "bind_flags": ["--listen"],
        }
    )
    assert store.matches("registry.example.com/acme/kv-server:2")
    assert store.ports == (7777,)
    assert store.open_env == (("KV_AUTH", "off"),)
    assert store.default_credentials == (("acme", "acme"),)
    assert auth_state(store, {"KV_AUTH": "OFF"}, []).explicit
    assert not auth_state(store, {"KV_PASSWORD": "x"}, []).open
    assert weak_credentials(store, {"KV_PASSWORD": "changeme"})[0].key == "KV_PASSWORD"
    server = server_command(["kvd", "--insecure", "--listen", "0.0.0.0:7777"], (store,))
    assert server is not None and server.listens_all and server.auth.open
    assert find_datastore("acme/kv:1", configured({"datastores": [{"name": "X", "images": ["acme/kv"]}]})) is not None
    with pytest.raises(ValueError, match="unknown keys"):
        Datastore.from_config({"name": "X", "images": ["x"], "portz": [1]})
    with pytest.raises(ValueError, match="needs a name"):
        Datastore.from_config({"name": "X"})


def test_configured_family_reaches_the_rules(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "compose.yaml").write_text("services:\n  kv:\n    image: acme/kv:2\n    ports: ['7777:7777']\n")
    settings = Settings(
        rules=RULES,
        rule_options={"ED001": {"datastores": [{"name": "Acme KV", "images": ["acme/kv"], "ports": [7777]}]}},
    )
    result = Engine(settings, cwd=tmp_path).scan([Path(".")])
    assert [(f.rule_id, f.span.line, f.severity.label) for f in result.findings] == [("ED001", 4, "critical")]


def test_weak_credentials_never_reveal_a_private_value() -> None:
    store = find_datastore("postgres:16")
    assert store is not None
    weak = weak_credentials(store, {"POSTGRES_USER": "s3cr3t-team", "POSTGRES_PASSWORD": "s3cr3t-team"})
    from guardrails.fingerprint import secret_fingerprint

    assert weak and "s3cr3t-team" not in weak[0].description
    assert f"fingerprint {secret_fingerprint('s3cr3t-team')}" in weak[0].description
    assert weak_credentials(store, {"POSTGRES_PASSWORD": "k8#Lq2!vX9"}) == []


@pytest.mark.parametrize(
    ("spec", "host_ip", "container"),
    [
        ("27017", "", (27017, 27017)),
        ("127.0.0.1:27017:27017", "127.0.0.1", (27017, 27017)),
        ("[::1]:6379:6379", "::1", (6379, 6379)),
        ("6300-6400:6300-6400/tcp", "", (6300, 6400)),
        ("::1:6379:6379", "::1", (6379, 6379)),
    ],
)
def test_port_specs(spec: str, host_ip: str, container: tuple[int, int]) -> None:
    parsed = parse_port_spec(spec)
    assert parsed is not None and parsed.host_ip == host_ip and parsed.container == container


def test_private_ranges() -> None:
    assert is_private_cidr("10.0.0.0/8") and is_private_cidr("fd00::/8")
    assert not is_private_cidr("0.0.0.0/0") and not is_private_cidr("203.0.113.0/24")


def _severities(path: str) -> dict[tuple[int, str], str]:
    result = Engine(Settings(rules=RULES), cwd=REPO).scan([Path(path)])
    assert result.internal_errors == 0
    return {(f.span.line, f.rule_id): f.severity.name.lower() for f in result.findings}


def test_database_exposure_is_high_when_known_medium_when_not() -> None:
    """A group admitting the internet is high; groups that cannot be resolved here are medium."""
    found = _severities("fixtures/exposure/terraform/aws-rds/main.tf")
    ed009 = {line: severity for (line, rule), severity in found.items() if rule == "ED009"}
    assert sorted(ed009.values()) == ["high", "high", "medium", "medium", "medium"]


def test_every_internal_load_balancer_fact_names_its_source() -> None:
    from guardrails.facts.load_balancers import INTERNAL_ANNOTATIONS, PRIVATE_CLASSES, private_reason

    assert all(m.source.startswith("https://") for m in INTERNAL_ANNOTATIONS)
    assert all(c.source.startswith("https://") for c in PRIVATE_CLASSES)
    assert private_reason({"service.beta.kubernetes.io/azure-load-balancer-internal": "false"}, "") is None
    assert private_reason({}, "service.k8s.aws/nlb") is not None
    scheme = {"service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing"}
    assert private_reason(scheme, "service.k8s.aws/nlb") is None


def test_engine_default_ports() -> None:
    from guardrails.facts.tf_network import ENGINE_PORTS

    def port(engine: str) -> int | None:
        return next((p for prefix, p in ENGINE_PORTS if engine.startswith(prefix)), None)

    assert port("aurora-postgresql") == 5432
    assert port("aurora") == 3306
    assert port("sqlserver-ex") == 1433
    assert port("custom-oracle-ee") == 1521


def test_kubernetes_exposure_of_a_guessable_credential_is_critical() -> None:
    """ED005 and ED006 rate a store whose password is guessable like one without any, as ED001 does in compose."""
    result = Engine(Settings(rules=RULES), cwd=REPO).scan([Path("fixtures/exposure/kubernetes/objects-weak-key.yaml")])
    rated = {f.rule_id: f for f in result.findings}
    for rule_id in ("ED005", "ED006"):
        assert rated[rule_id].severity.label == "critical", rule_id
        assert "the user name with a common suffix" in rated[rule_id].message
        assert "objects123" not in rated[rule_id].message
