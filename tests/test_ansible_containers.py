"""Containers started by Ansible tasks: how sure each ED003 finding is, and where its values come from."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from guardrails.engine import Engine, Settings
from guardrails.model import Finding
from guardrails.registry import all_rules
from tests.conftest import write_repo

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


_MONGO = (
    "- name: Start mongo\n  community.docker.docker_container:\n    name: mongo\n    image: mongo:4.4\n"
    '    published_ports:\n      - "{{ bind }}:27017:27017"\n'
)


def test_what_ansible_sets_above_a_default_leaves_it_unknown_or_overrides_it(tmp_path: Path) -> None:
    role = "roles/db/tasks/"
    write_repo(
        tmp_path,
        {
            "roles/db/defaults/main.yml": "bind: 0.0.0.0\n",
            # a block's vars: over the role's defaults
            f"{role}block.yml": "- vars:\n    bind: 127.0.0.1\n  block:\n"
            + "".join("    " + line + "\n" for line in _MONGO.splitlines()),
            # include_vars may set any name; set_fact and register set theirs
            f"{role}include.yml": "- ansible.builtin.include_vars: hardened.yml\n" + _MONGO,
            f"{role}fact.yml": "- set_fact:\n    bind: 127.0.0.1\n" + _MONGO,
            # an unreadable vars_files: entry (templated) may set any name
            "play.yml": "- hosts: db\n  vars:\n    bind: 0.0.0.0\n  vars_files:\n    - 'vars/{{ stage }}.yml'\n"
            "  tasks:\n" + "".join("    " + line + "\n" for line in _MONGO.splitlines()),
            # the same task with nothing above the default is reported
            f"{role}main.yml": _MONGO,
        },
    )
    assert [f.path for f in scan(tmp_path)] == ["roles/db/tasks/main.yml"]


def test_rendering_is_bounded_and_a_templated_command_is_never_quoted(tmp_path: Path) -> None:
    levels = {f"v{i}": ("{{ v" + str(i + 1) + " }}") * 8 for i in range(12)}
    defaults = "".join(f'{name}: "{value}"\n' for name, value in levels.items()) + "v12: '0'\n"
    task = _MONGO.replace("{{ bind }}", "{{ v0 }}") + (
        "- name: Start redis\n  community.docker.docker_container:\n    name: redis\n    image: redis:7\n"
        '    command: "redis-server --requirepass Xq9-not-shown {{ extra }}"\n    published_ports: ["6379:6379"]\n'
    )
    write_repo(tmp_path, {"roles/r/defaults/main.yml": defaults, "roles/r/tasks/main.yml": task})
    [finding] = scan(tmp_path)  # v0 renders past the length bound: unknown, so mongo is not judged
    assert finding.severity.label == "high" and "Xq9-not-shown" not in finding.message
    assert "its templated command" in finding.message


def test_containers_of_one_image_keep_their_own_fingerprints(tmp_path: Path) -> None:
    two = _MONGO.replace("{{ bind }}:", "") + _MONGO.replace("{{ bind }}:", "").replace(
        "name: mongo\n", "name: mongo-b\n"
    )
    write_repo(tmp_path, {"roles/db/tasks/main.yml": two})
    assert len({f.fingerprint for f in scan(tmp_path)}) == 2


def test_a_null_default_host_ip_is_unset(tmp_path: Path) -> None:
    task = _MONGO.replace("{{ bind }}:", "").replace("    image:", "    default_host_ip:\n    image:")
    write_repo(tmp_path, {"roles/db/tasks/main.yml": task})
    assert [f.severity.label for f in scan(tmp_path)] == ["critical"]


_REDIS = (
    "- name: Start redis\n  community.docker.docker_container:\n    name: redis\n    image: redis:{{ redis.version }}\n"
    '    ports:\n      - "{{ redis.port }}:6379"\n'
    "    command: /bin/sh -c \"docker-entrypoint.sh --requirepass {{ redis['password'] }}\"\n"
)


def test_dotted_names_read_the_playbooks_group_vars_all(tmp_path: Path) -> None:
    """apache/openwhisk's Redis: a mapping in group_vars/all, read as ``redis.port`` and
    ``redis['password']``; the password, passed through ``sh -c``, is never quoted."""
    write_repo(
        tmp_path,
        {
            "ansible/ansible.cfg": "[defaults]\n",
            "ansible/group_vars/all": "redis:\n  version: 4.0\n  port: 6379\n  password: Xq9-not-shown\n",
            # an inventory's group_vars/all ranks below the playbook's
            "ansible/environments/local/group_vars/all": "redis:\n  port: 16379\n",
            "ansible/environments/local/hosts": "[redis]\n172.17.0.1 ansible_connection=local\n",
            "ansible/roles/redis/tasks/main.yml": _REDIS,
        },
    )
    [finding] = scan(tmp_path)
    assert finding.severity.label == "high" and "authentication enabled on the command line" in finding.message
    assert "(set in ansible/group_vars/all:3)" in finding.message and "Xq9-not-shown" not in finding.message


def test_a_value_set_otherwise_for_a_group_or_a_host_is_unknown(tmp_path: Path) -> None:
    files = {
        "group_vars/all.yml": "bind: 0.0.0.0\n",
        "site.yml": "- hosts: db\n  roles: [db]\n",
        "roles/db/tasks/main.yml": _MONGO,
    }
    write_repo(tmp_path, files)
    assert [f.path for f in scan(tmp_path)] == ["roles/db/tasks/main.yml"]
    for where, text in {
        "group_vars/db.yml": "bind: 127.0.0.1\n",
        "host_vars/db1/main.yml": "bind: 127.0.0.1\n",
        "hosts": "[db]\ndb1 bind=127.0.0.1\n",
        "host_vars/db2.yml": "$ANSIBLE_VAULT;1.1;AES256\n6231336539666234\n",  # may set any name
    }.items():
        write_repo(tmp_path, {where: text})
        assert scan(tmp_path) == [], where
        (tmp_path / where).unlink()
    write_repo(tmp_path, {"group_vars/db.yml": "bind: 0.0.0.0\n"})  # agrees: still known
    assert len(scan(tmp_path)) == 1


def test_inventories_are_read_only_when_a_template_asks(tmp_path: Path, monkeypatch: Any) -> None:
    """A container written as it runs, and tasks that start nothing and destroy nothing, read no
    inventory, whatever templates they hold."""
    from guardrails.facts import ansible_inventory_vars

    def fail(*_: object) -> None:
        raise AssertionError("inventories read")

    monkeypatch.setattr(ansible_inventory_vars, "_read_levels", fail)
    write_repo(
        tmp_path,
        {
            "group_vars/all.yml": "bind: 0.0.0.0\n",
            "hosts": "[db]\ndb1\n",
            "roles/db/tasks/main.yml": _MONGO.replace("{{ bind }}:", ""),
            "roles/web/tasks/main.yml": "- ansible.builtin.template:\n    src: app.conf.j2\n"
            "    dest: '{{ conf_dir }}/app.conf'\n"
            "- ansible.builtin.shell: echo {{ greeting }} > /etc/motd\n"
            "- ansible.builtin.apt:\n    name: '{{ packages }}'\n",
        },
    )
    found = Engine(Settings(rules=tuple(all_rules()), jobs=1), cwd=tmp_path).scan([Path(".")]).findings
    assert [(f.rule_id, f.path) for f in found] == [("ED003", "roles/db/tasks/main.yml")]


def test_a_vault_value_is_unknown_and_an_unsafe_one_is_its_text(tmp_path: Path) -> None:
    from guardrails.facts.ansible_containers import container_starts
    from guardrails.project import Project

    write_repo(
        tmp_path,
        {
            "group_vars/all.yml": "pg_password: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  6231336539\n"
            "pg_user: !unsafe '{{ not a template }}'\n",
            "roles/db/tasks/main.yml": "- community.docker.docker_container:\n    name: db\n    image: postgres:16\n"
            "    env:\n      POSTGRES_PASSWORD: '{{ pg_password }}'\n      POSTGRES_USER: '{{ pg_user }}'\n",
        },
    )
    project = Project(tmp_path, tmp_path, 1_000_000)
    doc = project.document(tmp_path / "roles/db/tasks/main.yml")
    assert doc is not None
    [start] = container_starts(doc, project)
    assert start.env == {"POSTGRES_PASSWORD": None, "POSTGRES_USER": "{{ not a template }}"}


_PORT_TASK = (
    "- community.docker.docker_container:\n    name: db\n    image: mongo:7\n"
    "    published_ports:\n      - '{{ bind }}:27017:27017'\n"
)


def _vars_parses(root: Path, monkeypatch: Any) -> tuple[int, int]:
    """(findings, how many times a group_vars/host_vars file was parsed) of a scan of ``root``."""
    from guardrails.project import Project

    parses = [0]
    parse_as = Project.parse_as

    def counting(self: Project, path: Path, kind: Any) -> Any:
        parses[0] += "host_vars" in str(path)
        return parse_as(self, path, kind)

    monkeypatch.setattr(Project, "parse_as", counting)
    found = Engine(Settings(rules=tuple(all_rules()), jobs=1, use_cache=False), cwd=root).scan([Path(".")]).findings
    return len(found), parses[0]


def test_each_vars_file_is_parsed_once_however_many_roles_read_it(tmp_path: Path, monkeypatch: Any) -> None:
    """Each role's tasks are checked apart; the inventory levels they share are not rebuilt per role."""
    roles = 20
    files = {"site.yml": "- hosts: all\n  roles: [" + ", ".join(f"r{i}" for i in range(roles)) + "]\n"}
    for i in range(roles):
        files[f"roles/r{i}/tasks/main.yml"] = _PORT_TASK
        files[f"roles/r{i}/defaults/main.yml"] = "bind: 0.0.0.0\n"
    files.update({f"inventory/host_vars/h{j}.yml": f"x{j}: 1\n" for j in range(30)})
    write_repo(tmp_path, files)
    assert _vars_parses(tmp_path, monkeypatch) == (roles, 30)


def test_a_name_the_task_sets_reads_no_inventory(tmp_path: Path, monkeypatch: Any) -> None:
    play = "- hosts: all\n  tasks:\n" + "".join(f"    {line}\n" for line in _PORT_TASK.splitlines())
    play += "      vars:\n        bind: 0.0.0.0\n"
    files = {"ansible.cfg": "[defaults]\n", **{f"p{i}/site.yml": play for i in range(20)}}
    files.update({f"host_vars/h{j}.yml": f"x{j}: 1\n" for j in range(30)})
    write_repo(tmp_path, files)
    assert _vars_parses(tmp_path, monkeypatch) == (20, 0)


def test_a_vars_file_of_no_group_hides_nothing(tmp_path: Path) -> None:
    """``group_vars/README`` is read for no host; an unreadable file of a group that an inventory
    has, or one where the inventory does not name every group, may set any name."""
    files = {
        "hosts": "[db]\ndb1\n",
        "group_vars/README": "Variables for every host live in all.yml.\nSee the wiki.\n",
        "site.yml": "- hosts: db\n  roles: [db]\n",
        "roles/db/defaults/main.yml": "bind: 0.0.0.0\n",
        "roles/db/tasks/main.yml": _MONGO,
    }
    write_repo(tmp_path, files)
    assert len(scan(tmp_path)) == 1
    write_repo(tmp_path, {"group_vars/db": "$ANSIBLE_VAULT;1.1;AES256\n6231336539666234\n"})
    assert scan(tmp_path) == []
    (tmp_path / "group_vars/db").unlink()
    write_repo(tmp_path, {"hosts": "[db]\ndb1\n\n[prod:children]\ndb\nREADME\n"})  # a child group
    assert scan(tmp_path) == []


def test_a_role_default_named_ansible_stays_known(tmp_path: Path) -> None:
    """Only what the inventory levels set under an ``ansible_`` name is left to facts."""
    task = _MONGO.replace("{{ bind }}", "{{ ansible_mongo_bind }}")
    files = {
        "site.yml": "- hosts: db\n  roles: [db]\n",
        "roles/db/defaults/main.yml": "ansible_mongo_bind: 0.0.0.0\n",
        "roles/db/tasks/main.yml": task,
    }
    write_repo(tmp_path, files)
    assert len(scan(tmp_path)) == 1
    write_repo(tmp_path, {"group_vars/all.yml": "ansible_mongo_bind: 0.0.0.0\n"})
    assert scan(tmp_path) == []


def test_a_command_names_where_each_of_its_variables_is_set(tmp_path: Path) -> None:
    """The password comes from ``group_vars/all``, the program from the role's defaults: both named."""
    write_repo(
        tmp_path,
        {
            "site.yml": "- hosts: all\n  roles: [redis]\n",
            "roles/redis/defaults/main.yml": "redis_bin: redis-server\n",
            "group_vars/all/main.yml": "other: 1\nweak: changeme\n",
            "roles/redis/tasks/main.yml": "- community.docker.docker_container:\n    name: redis\n"
            "    image: redis:7\n    command: '{{ redis_bin }} --requirepass {{ weak }}'\n",
        },
    )
    rules = tuple(r for r in all_rules() if r.id == "ED002")
    [finding] = Engine(Settings(rules=rules, jobs=1), cwd=tmp_path).scan([Path(".")]).findings
    assert finding.message.endswith(
        "(the command is rendered with roles/redis/defaults/main.yml:1 and group_vars/all/main.yml:2)"
    )


def test_an_empty_vars_file_sets_nothing(tmp_path: Path) -> None:
    """As Ansible reads it, in ``vars_files:`` as in ``group_vars/``: the role's default stands."""
    write_repo(
        tmp_path,
        {
            "site.yml": "- hosts: db\n  vars_files: [empty.yml]\n  roles: [db]\n",
            "empty.yml": "---\n# nothing yet\n",
            "group_vars/db.yml": "",
            "roles/db/defaults/main.yml": "bind: 0.0.0.0\n",
            "roles/db/tasks/main.yml": _MONGO,
        },
    )
    assert len(scan(tmp_path)) == 1
