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
        ("bind/named.zone", b'zone "example.com" {\n  type master;\n};\n', None),
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
