"""A server configuration file that compose services mount: the services' ports decide its reach."""

from __future__ import annotations

from pathlib import Path

from guardrails.engine import Engine, Settings
from guardrails.model import Finding, Severity
from guardrails.registry import all_rules

_CONF = "bind 0.0.0.0\nprotected-mode no\n"
_SERVICE = (
    "services:\n  cache:\n    image: redis:7\n{ports}    volumes:\n"
    "      - ./redis.conf:/usr/local/etc/redis/redis.conf\n"
    '    command: ["redis-server", "/usr/local/etc/redis/redis.conf"]\n'
)


def scan(root: Path, files: dict[str, str]) -> list[Finding]:
    (root / ".git").mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    rules = tuple(r for r in all_rules() if r.id == "ED004")
    return Engine(Settings(rules=rules, jobs=1), cwd=root).scan([Path(".")]).findings


def test_a_file_mounted_only_by_an_unpublished_service_is_medium(tmp_path: Path) -> None:
    found = scan(tmp_path, {"redis.conf": _CONF, "docker-compose.yml": _SERVICE.format(ports="")})
    assert [f.severity for f in found] == [Severity.MEDIUM]
    assert "mounted by compose service 'cache'" in found[0].message


def test_a_published_service_keeps_it_critical(tmp_path: Path) -> None:
    ports = '    ports:\n      - "6379:6379"\n'
    found = scan(tmp_path, {"redis.conf": _CONF, "docker-compose.yml": _SERVICE.format(ports=ports)})
    assert [f.severity for f in found] == [Severity.CRITICAL]


def test_a_file_no_service_mounts_keeps_it_critical(tmp_path: Path) -> None:
    other = _SERVICE.format(ports="").replace("./redis.conf", "./other.conf")
    found = scan(tmp_path, {"redis.conf": _CONF, "docker-compose.yml": other})
    assert [f.severity for f in found] == [Severity.CRITICAL]
