"""Containers started by Ansible tasks: how sure each ED003 finding is, and where its values come from."""

from __future__ import annotations

from pathlib import Path

from guardrails.engine import Engine, Settings
from guardrails.model import Finding
from guardrails.registry import all_rules

_FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "exposure" / "ansible"


def scan(root: Path) -> list[Finding]:
    rules = tuple(r for r in all_rules() if r.id == "ED003")
    return Engine(Settings(rules=rules, jobs=1), cwd=root).scan([Path(".")]).findings


def test_severity_says_what_is_known_of_authentication() -> None:
    found = {(f.path, f.span.line): f for f in scan(_FIXTURES)}
    severities = {key: finding.severity.label for key, finding in found.items()}
    assert severities == {
        ("cache-playbook.yml", 14): "critical",  # the play's vars: 0.0.0.0, redis with no password
        ("cache-playbook.yml", 39): "critical",  # vars_files: over the play's vars: 0.0.0.0
        ("roles/cache/tasks/main.yml", 10): "critical",  # --requirepass changeme
        ("roles/mongo/tasks/main.yml", 16): "critical",  # no root user: open
        ("roles/mongo/tasks/main.yml", 28): "high",  # a configuration file may enable authorization
        ("roles/mongo/tasks/main.yml", 73): "high",  # its variables are rendered whole: unknown
        ("roles/search/tasks/main.yml", 9): "critical",  # Elasticsearch 7 from the role's defaults
    }
    message = found[("roles/search/tasks/main.yml", 9)].message
    assert "set in roles/search/defaults/main.yml:4" in message
    assert "the image is set in roles/search/defaults/main.yml:2" in message


def test_a_role_default_overridden_by_the_roles_vars_is_not_used(tmp_path: Path) -> None:
    role = tmp_path / "roles" / "db"
    for name, text in {
        "defaults/main.yml": "bind: 0.0.0.0\n",
        "vars/main.yml": "bind: 127.0.0.1\n",
        "tasks/main.yml": "- community.docker.docker_container:\n    image: redis:7\n"
        '    ports: ["{{ bind }}:6379:6379"]\n',
    }.items():
        (role / name).parent.mkdir(parents=True, exist_ok=True)
        (role / name).write_text(text)
    (tmp_path / ".git").mkdir()
    assert scan(tmp_path) == []
    (role / "vars" / "main.yml").write_text("other: 1\n")
    assert [(f.path, f.severity.label) for f in scan(tmp_path)] == [("roles/db/tasks/main.yml", "critical")]
