"""Ansible and octoDNS: which YAML is claimed by which kind, and how ``when:`` reads in production."""

from __future__ import annotations

import pytest

from guardrails.facts import ansible
from guardrails.facts.shell_guards import DEFAULT_SETTINGS
from guardrails.model import Kind
from guardrails.pipeline import parse_text

PLAYBOOK = "- hosts: db\n  tasks:\n    - shell: echo hi\n"
TASKS = "- name: x\n  postgresql_db:\n    name: a\n    state: absent\n"


# A CloudFormation-shaped mapping: a template anywhere but in Ansible's variable directories.
_CFN_SHAPED = "Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties: {DeletionProtection: false}\n"


@pytest.mark.parametrize(
    ("path", "text", "kind"),
    [
        ("site.yml", PLAYBOOK, Kind.ANSIBLE),
        ("site.yml", "- import_playbook: db.yml\n", Kind.ANSIBLE),
        ("site.yml", "- include: db.yml\n", Kind.YAML),  # an old include alone: no play says playbook
        ("roles/db/tasks/main.yml", TASKS, Kind.ANSIBLE),
        ("roles/db/handlers/main.yml", "- name: restart\n  service: name=pg state=restarted\n", Kind.ANSIBLE),
        ("cleanup.yml", TASKS, Kind.YAML),  # outside tasks/: postgresql_db is not surely a module
        ("cleanup.yml", "- ansible.builtin.file:\n    path: /x\n    state: absent\n", Kind.ANSIBLE),
        ("cleanup.yml", "- name: a\n  image: alpine\n  command: rm -rf /x\n", Kind.YAML),
        ("roles/db/defaults/main.yml", "pg_data: /var/lib/postgresql\n", Kind.YAML),
        ("tasks/x.yml", "- name: a\n  image: b\n  command: c\n", Kind.YAML),
        ("job.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n", Kind.KUBERNETES),
        (
            "config/production.yaml",
            "providers:\n  r: {class: octodns_route53.Route53Provider}\nzones:\n  a.com.: {targets: [r]}\n",
            Kind.OCTODNS_CONFIG,
        ),
        ("app.yaml", "providers: [aws]\nzones: [eu-west-1a]\n", Kind.YAML),
        ("config/a.com.yaml", "'':\n  type: A\n  value: 192.0.2.1\n", Kind.OCTODNS_ZONE),
        ("form.yaml", "name:\n  type: string\n  value: x\n", Kind.YAML),
        ("group_vars/all.yml", _CFN_SHAPED, Kind.YAML),
        ("inventories/prod/host_vars/db1/stack.yml", _CFN_SHAPED, Kind.YAML),
        ("stack.yml", _CFN_SHAPED, Kind.CLOUDFORMATION),
    ],
)
def test_yaml_is_claimed_by_content_and_layout(path: str, text: str, kind: Kind) -> None:
    assert parse_text(path, text, Kind.YAML).kind is kind


@pytest.mark.parametrize(
    ("condition", "in_production"),
    [
        ("env != 'production'", False),
        ("env == 'prod'", True),
        ("deploy_env in ['dev', 'staging']", False),
        ("deploy_env not in ['dev', 'staging']", True),
        ("'staging' in group_names", False),
        ("'production' not in group_names", False),
        ("stage | lower == 'qa'", False),
        ("not (env == 'production')", False),
        ("wipe | bool", None),
        ("x is defined and env == 'dev'", False),
        ("x is defined or env == 'dev'", None),
        ("inventory_hostname == 'db1-staging.example.com'", False),
        ("inventory_hostname == 'db1.example.com'", None),
        ("env == other_env", None),
        ("{{ broken", None),
        ("inventory_hostname in groups['staging']", False),
        ("inventory_hostname in groups.qa", False),
        ("inventory_hostname not in groups['production']", False),
        ("inventory_hostname in groups['production']", True),
        ("inventory_hostname in groups[target_group]", None),
        ("ansible_host in groups['staging']", None),
    ],
)
def test_when_is_read_in_production(condition: str, in_production: bool | None) -> None:
    doc = parse_text("site.yml", f'- hosts: db\n  tasks:\n    - shell: echo\n      when: "{condition}"\n', Kind.YAML)
    [task] = ansible.tasks(doc)
    assert ansible.WhenEvaluator(DEFAULT_SETTINGS).holds(task.conditions[0]) is in_production


def test_shell_task_positions_survive_jinja_placeholders() -> None:
    text = "- hosts: db\n  tasks:\n    - shell: rm -rf {{ base }}/x /var/lib/mysql\n"
    doc = parse_text("site.yml", text, Kind.YAML)
    [child] = doc.children
    word = child.commands[0].args[-1]  # type: ignore[attr-defined]
    span = child.host_span(word.span)
    assert (span.line, span.column) == (3, text.split("\n")[2].index("/var") + 1)
    assert child.interpolations == {"base": "{{ base }}"}  # type: ignore[attr-defined]


def test_argv_words_keep_their_positions() -> None:
    text = "- hosts: db\n  tasks:\n    - command:\n        argv: [dropdb, 'my db']\n"
    doc = parse_text("site.yml", text, Kind.YAML)
    [child] = doc.children
    cmd = child.commands[0]  # type: ignore[attr-defined]
    assert cmd.argv == ["my db"]
    span = child.host_span(cmd.args[0].span)
    assert (span.line, span.column) == (4, text.split("\n")[3].index("'my db'") + 1)


def test_dnsconfig_js_is_parsed_without_running_it() -> None:
    text = (
        'var P = NewDnsProvider("r53", "ROUTE53");\n'
        'D("example.com", NewRegistrar("none"), DnsProvider(P), DefaultTTL("1h"), A("www", "192.0.2.1", TTL(60)));\n'
    )
    doc = parse_text("dnsconfig.js", text, Kind.DNSCONTROL)
    assert [(p.variable, p.provider_type) for p in doc.providers] == [("P", "ROUTE53")]  # type: ignore[attr-defined]
    [domain] = doc.domains  # type: ignore[attr-defined]
    from guardrails.facts import dnscontrol

    [record] = dnscontrol.records(domain)
    assert (record.rtype, record.name, record.value, record.ttl) == ("A", "www", "192.0.2.1", 60)
    assert dnscontrol.seconds(domain.first("DefaultTTL")) == 3600


def test_broken_dnsconfig_js_is_reported_not_skipped() -> None:
    doc = parse_text("dnsconfig.js", 'D("example.com", \n', Kind.DNSCONTROL)
    assert type(doc).__name__ == "FailedDocument"
