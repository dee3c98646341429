"""BIND configurations and Ansible INI inventories across files: what is resolved, what is not."""

from __future__ import annotations

from pathlib import Path

from guardrails.engine import Engine, Settings
from guardrails.model import Finding
from guardrails.registry import all_rules

# No $TTL first: only a named.conf stanza says that this file is a zone.
_ZONE = "@ IN SOA ns1 hostmaster ( 1 2h 15m 2w 300 )\n@ IN NS ns1\nwww IN A 192.0.2.10\n"


def scan(root: Path, *rule_ids: str) -> list[Finding]:
    rules = tuple(r for r in all_rules() if r.id in rule_ids)
    return Engine(Settings(rules=rules, jobs=1), cwd=root).scan([Path(".")]).findings


def test_a_stanza_outside_the_repository_is_never_read(tmp_path: Path) -> None:
    outside, repo = tmp_path / "outside", tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "zones").mkdir()
    outside.mkdir()
    stanza = 'zone "example.com" { type master; file "REPO/zones/example"; };\n'.replace("REPO", str(repo))
    (outside / "zones.conf").write_text(stanza)
    (repo / "named.conf").write_text(f'include "../outside/zones.conf";\ninclude "{outside}/zones.conf";\n')
    (repo / "zones" / "example").write_text(_ZONE)
    assert scan(repo, "DS002", "DT002") == []
    (repo / "named.conf.local").write_text(stanza)  # the same stanza inside the repository
    assert {(f.rule_id, f.path) for f in scan(repo, "DS002", "DT002")} == {
        ("DS002", "zones/example"),
        ("DT002", "zones/example"),
    }


def test_directory_option_and_deployed_paths(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    bind = tmp_path / "etc" / "bind"
    (bind / "master").mkdir(parents=True)
    (bind / "named.conf").write_text('include "/etc/bind/named.conf.options";\ninclude "/etc/bind/named.conf.local";\n')
    (bind / "named.conf.options").write_text('options { directory "/etc/bind/master"; };\n')
    (bind / "named.conf.local").write_text('zone "example.org" { type primary; file "example.org.hosts"; };\n')
    (bind / "master" / "example.org.hosts").write_text(_ZONE)
    found = scan(tmp_path, "DS002")
    assert [(f.path, "zone example.org" in f.message) for f in found] == [("etc/bind/master/example.org.hosts", True)]


def test_inventory_secret_shared_between_environments_is_never_printed(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    for env in ("prod", "dev"):
        (tmp_path / "inventories" / env).mkdir(parents=True)
        (tmp_path / "inventories" / env / "hosts").write_text("[db:vars]\ndb_password=Pq8-Lw3z-Xn5v\n")
    found = scan(tmp_path, "SS001")
    assert [(f.rule_id, f.path, f.span.line) for f in found] == [("SS001", "inventories/prod/hosts", 2)]
    assert all("Pq8-Lw3z-Xn5v" not in f.message for f in found)


def test_an_included_file_of_any_name_is_read(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "named.conf").write_text('include "/etc/bind/zones.internal";\n')
    (tmp_path / "zones.internal").write_text('zone "example.com" { type master; file "example"; };\n')
    (tmp_path / "example").write_text(_ZONE)
    found = scan(tmp_path, "DS002")
    assert [(f.path, "zone example.com" in f.message) for f in found] == [("example", True)]
