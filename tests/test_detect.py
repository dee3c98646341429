from __future__ import annotations

from pathlib import Path

import pytest

from guardrails.detect import HELM_TEMPLATE, detect
from guardrails.model import Kind
from guardrails.pipeline import classify


@pytest.mark.parametrize(
    ("path", "head", "kind"),
    [
        ("main.tf", b"", Kind.TERRAFORM),
        ("x/main.tf.json", b"", Kind.TERRAFORM_JSON),
        ("prod.tfvars", b"", Kind.TFVARS),
        ("prod.tfvars.json", b"", Kind.TFVARS),
        ("plan.json", b"", Kind.TERRAFORM_PLAN),
        (
            "out.json",
            b'{"format_version":"1.2","terraform_version":"1.9.0","resource_changes":[]}',
            Kind.TERRAFORM_PLAN,
        ),
        ("package.json", b'{"name": "x"}', None),
        ("docker-compose.yml", b"", Kind.COMPOSE),
        ("compose.prod.yaml", b"", Kind.COMPOSE),
        ("docker-compose.override.yml", b"", Kind.COMPOSE),
        ("Dockerfile", b"", Kind.DOCKERFILE),
        ("Dockerfile.dev", b"", Kind.DOCKERFILE),
        ("api.dockerfile", b"", Kind.DOCKERFILE),
        ("Containerfile", b"", Kind.DOCKERFILE),
        (".github/workflows/deploy.yml", b"", Kind.GITHUB_ACTIONS),
        (".gitlab-ci.yml", b"", Kind.GITLAB_CI),
        ("ci/build.gitlab-ci.yml", b"", Kind.GITLAB_CI),
        ("deploy.sh", b"", Kind.SHELL),
        ("bin/deploy", b"#!/usr/bin/env bash\nset -e\n", Kind.SHELL),
        ("bin/tool", b"#!/usr/bin/python3\n", Kind.PYTHON),
        ("bin/tool", b"#!/usr/bin/env -S python3 -u\n", Kind.PYTHON),
        ("bin/node-tool", b"#!/usr/bin/env node\n", None),
        ("manage.py", b"", Kind.PYTHON),
        ("migrations/001_init.sql", b"", Kind.SQL),
        ("Makefile", b"", Kind.MAKEFILE),
        ("build/rules.mk", b"", Kind.MAKEFILE),
        (".env", b"", Kind.DOTENV),
        (".env.production", b"", Kind.DOTENV),
        ("config/prod.env", b"", Kind.DOTENV),
        ("zones/example.com.zone", b"", Kind.ZONE),
        ("db.example.com", b"$TTL 300\n@ IN SOA ns1 admin 1 2 3 4 5\n", Kind.ZONE),
        ("db.sqlite", b"SQLite format 3\x00", None),
        ("etc/resolv.conf", b"", Kind.RESOLV_CONF),
        ("etc/docker/daemon.json", b"", Kind.DOCKER_DAEMON),
        ("k8s/deploy.yaml", b"", Kind.YAML),
        ("README.md", b"", None),
        # Where the name is ambiguous, the content decides.
        ("manage.py", b'#!/bin/sh\nexec python -m app "$@"\n', Kind.SHELL),  # the shebang runs it
        ("tools/run.sh", b"#!/usr/bin/env python3\nimport sys\n", Kind.PYTHON),
        ("tools/run.sh", b"#!/usr/bin/env zsh\n", Kind.SHELL),  # no supported interpreter: the name
        ("Dockerfile", b"#!/usr/bin/env python3\n", Kind.DOCKERFILE),  # a shebang overrides scripts only
        (".env.patch", b"--- a/.env\n+++ b/.env\n@@ -1 +1 @@\n", None),
        (".env.patch", b"", None),
        (".env.update", b"diff --git a/.env b/.env\n", None),
        ("k8s/rollout.yaml", b"--- a/k8s/rollout.yaml\n+++ b/k8s/rollout.yaml\n", None),
        ("k8s/multi.yaml", b"---\nkind: A\n---\nkind: B\n", Kind.YAML),  # document markers, no diff
        (".github/workflows/dockerfile.yaml", b"on: push\n", Kind.GITHUB_ACTIONS),
        ("dockerfile.yml", b"", Kind.YAML),
        ("Dockerfile.dockerignore", b"", None),
        ("Dockerfile.prod", b"FROM alpine\n", Kind.DOCKERFILE),
        ("bind/named.zone", b'zone "example.com" {\n  type master;\n};\n', Kind.NAMED_CONF),  # a stanza
        ("firewalld/public.zone", b'<?xml version="1.0" encoding="utf-8"?>\n<zone>\n', None),
        ("zones/example.com.zone", b"; header\n$ORIGIN example.com.\n", Kind.ZONE),
        ("zones/example.com.zone", b"@ 300 IN SOA ns1 admin 1 2 3 4 5\n", Kind.ZONE),
        ("zones/records.zone", b"www  CNAME  web\n", Kind.ZONE),
        ("zones/typo.zone", b"@ IN SAO ns1 admin 1 2 3 4 5\n", Kind.ZONE),  # a class: a broken zone, GR001
        ("zones/empty.zone", b"; no record yet\n", Kind.ZONE),  # nothing against the name
    ],
)
def test_detect(path: str, head: bytes, kind: Kind | None) -> None:
    assert detect(path, head) == kind


def test_helm_templates_and_values(repo) -> None:  # type: ignore[no-untyped-def]
    root = repo(
        {
            "chart/Chart.yaml": "apiVersion: v2\nname: x\nversion: 0.1.0\n",
            "chart/values.yaml": "replicas: 1\n",
            "chart/values-prod.yaml": "replicas: 3\n",
            "chart/templates/deploy.yaml": "kind: {{ .Values.kind }}\n",
            "other/templates/plain.yaml": "a: 1\n",
        }
    )
    assert classify(root / "chart/templates/deploy.yaml", "chart/templates/deploy.yaml") == HELM_TEMPLATE
    assert classify(root / "chart/values.yaml", "chart/values.yaml") is Kind.HELM_VALUES
    assert classify(root / "chart/values-prod.yaml", "chart/values-prod.yaml") is Kind.HELM_VALUES
    assert classify(Path("other/templates/plain.yaml"), "other/templates/plain.yaml") is Kind.YAML


@pytest.mark.parametrize(
    ("path", "head", "kind"),
    [
        ("redis.conf", b"# only comments in the first 4 KiB\n", Kind.REDIS_CONF),
        ("conf/redis-6380.conf", b"port 6380\nbind 0.0.0.0\n", Kind.REDIS_CONF),
        ("sentinel.conf", b"port 26379\nsentinel monitor m 10.0.0.5 6379 2\n", Kind.REDIS_CONF),
        ("nginx/redis-proxy.conf", b"user www-data;\nevents {}\n", None),  # nginx, named after what it proxies
        ("mongod.conf", b"net:\n  bindIp: 0.0.0.0\n", Kind.MONGOD_CONF),
        ("mongod.conf", b"bind_ip = 0.0.0.0\n", None),  # the pre-2.6 format
        ("pg_hba.conf", b"local all all peer\n", Kind.PG_HBA),
        ("pg_hba.conf.sample", b"local all all @authmethodlocal@\n", None),
        ("postgresql.conf", b"listen_addresses = '*'\n", Kind.POSTGRESQL_CONF),
        ("my.cnf", b"", Kind.MYSQL_CNF),
        ("etc/mysql/conf.d/docker.cnf", b"[mysqld]\nskip-name-resolve\n", Kind.MYSQL_CNF),
        ("etc/mysql/conf.d/empty.cnf", b"# nothing yet\n", None),  # a generic .cnf needs its content to say so
        ("ssl/openssl.cnf", b"HOME = .\n[ req ]\n", None),
        ("config/elasticsearch.yml", b"", Kind.ELASTICSEARCH_YML),
        ("opensearch.yaml", b"", Kind.ELASTICSEARCH_YML),
        ("etc/netplan/01-netcfg.yaml", b"", Kind.NETPLAN),
        ("etc/systemd/resolved.conf", b"[Resolve]\n", Kind.RESOLVED_CONF),
        ("etc/systemd/resolved.conf.d/dns.conf", b"[Resolve]\nDNS=10.0.0.2\n", Kind.RESOLVED_CONF),
        ("etc/systemd/resolved.conf.d/dns.conf", b"[Network]\n", None),
        ("Corefile", b".:53 {\n}\n", Kind.COREFILE),
        ("dnsmasq.conf", b"no-resolv\n", Kind.DNSMASQ_CONF),
        ("etc/dnsmasq.d/02-lan.conf", b"server=/lan/10.0.0.1\n", Kind.DNSMASQ_CONF),
        ("etc/dnsmasq.d/README.conf", b"This directory holds...\n", None),
        ("etc/app.conf", b"bind 0.0.0.0\n", None),  # a random .conf is nobody's
        ("etc/bind/named.conf", b'include "/etc/bind/named.conf.options";\n', Kind.NAMED_CONF),
        ("named.conf.local", b"// only comments\n", Kind.NAMED_CONF),
        ("named.conf", b"[section]\nkey=1\n", None),
        ("bind/zones.conf", b'zone "example.com" IN {\n  type master;\n', Kind.NAMED_CONF),
        ("bind/example.com.zone", b'zone "example.com" {\n', Kind.NAMED_CONF),  # a stanza, not records
        ("bind/options.conf", b'options {\n  directory "/var/cache/bind";\n};\n', Kind.NAMED_CONF),
        ("nginx/site.conf", b"include mime.types;\nserver {\n", None),  # unquoted include, no name
        ("syslog-ng.conf", b"options { flush_lines(0); };\n", None),  # not BIND's option words
        ("etc/app.conf", b"zone internal\n", None),
        ("bind/zones/example", b"; example.com\n$TTL 1d\n@ IN SOA ns1 h ( 1 2 3 4 5 )\n", Kind.ZONE),
        ("bind/master/example.org.hosts", b"$ORIGIN example.org.\n", Kind.ZONE),
        ("bind/zones/example", b"@ IN SOA ns1 h ( 1 2 3 4 5 )\n", None),  # only its named.conf can say
        ("notes/ttl", b"$TTL is the default TTL of a zone\n", None),
        ("ns1/root.db.in", b"$TTL 300\n", None),  # an autoconf template
        ("bind/named.conf.in", b'options { directory "@TMPDIR@"; };\n', None),
        ("inventories/prod/hosts", b"[web]\nweb1 ansible_host=10.0.0.5\n", Kind.ANSIBLE_INVENTORY),
        ("inventory/production.ini", b"[all:vars]\ndb_password=x\n", Kind.ANSIBLE_INVENTORY),
        ("ansible/staging.ini", b"[web]\nweb1 ansible_user=deploy\n", Kind.ANSIBLE_INVENTORY),
        ("inventories/prod/hosts", b"all:\n  hosts:\n    web1:\n", None),  # a YAML inventory
        ("inventories/prod/group_vars/all", b"db_password: x\n", None),  # variables, YAML
        ("etc/hosts", b"127.0.0.1 localhost\n", None),
        ("tox.ini", b"[tox]\nenvlist = py311\n", None),
        ("php.ini", b"[PHP]\nengine = On\n", None),
        ("config/app.ini", b"[db]\nhost=localhost\n", None),  # parses, but nothing says Ansible
    ],
)
def test_server_and_resolver_configs(path: str, head: bytes, kind: Kind | None) -> None:
    assert detect(path, head) == kind


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("net:\n  bindIp: 0.0.0.0\nstorage:\n  dbPath: /data\n", Kind.MONGOD_CONF),
        ("net:\n  bindIp: 0.0.0.0\nimage: mongo\n", Kind.YAML),  # a key mongod does not know
        ("network:\n  version: 2\n  ethernets:\n    eth0: {dhcp4: true}\n", Kind.NETPLAN),
        ("network:\n  version: 1\n  config: []\n", Kind.YAML),  # cloud-init v1 is another format
    ],
)
def test_yaml_refined_to_server_and_resolver_configs(text: str, kind: Kind) -> None:
    from guardrails.detect import refine
    from guardrails.parsers.yaml_tree import parse

    assert refine(parse("values.yaml", text, Kind.YAML)) is kind
