"""Kustomize builds: what each transformation does to the objects, and where findings go."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from guardrails.documents import TreeDocument
from guardrails.engine import Engine, Settings
from guardrails.facts import kustomize
from guardrails.project import Project
from guardrails.registry import all_rules

_STS = (
    "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\n  labels: {tier: data}\nspec:\n"
    "  selector:\n    matchLabels: {app: db}\n  template:\n    metadata:\n      labels: {app: db}\n    spec:\n"
    "      containers:\n        - name: postgres\n          image: postgres:16\n          ports:\n"
    "            - containerPort: 5432\n          env:\n            - name: POSTGRES_DB\n              value: app\n"
    "            - name: POSTGRES_PASSWORD\n              valueFrom:\n"
    "                secretKeyRef: {name: db, key: password}\n"
)
_SVC = (
    "apiVersion: v1\nkind: Service\nmetadata:\n  name: db\nspec:\n  selector: {app: db}\n  ports:\n    - port: 5432\n"
)
_BASE = {
    "base/kustomization.yaml": "resources: [sts.yaml, svc.yaml]\n",
    "base/sts.yaml": _STS,
    "base/svc.yaml": _SVC,
}


def _build(root: Path, path: str) -> kustomize.Build | None:
    project = Project(root, root, 1_000_000)
    doc = project.document(root / path)
    assert isinstance(doc, TreeDocument)
    return kustomize.build(doc, project)


def _object(found: kustomize.Build, kind: str) -> dict:  # type: ignore[type-arg]
    return next(o.to_python() for o in found.objects if o.get("kind") and o.get("kind").text == kind)  # type: ignore[union-attr]


def _findings(root: Path) -> list[tuple[str, int, str]]:
    rules = tuple(r for r in all_rules() if r.id in ("ED002", "ED005", "ED006", "ED007", "DS003", "SS001"))
    result = Engine(Settings(rules=rules), cwd=root).scan([Path(".")])
    assert result.internal_errors == 0
    return sorted((f.path, f.span.line, f.rule_id) for f in result.findings)


def test_json6902_operations_and_the_finding_on_the_operation(repo: Callable[[dict[str, str]], Path]) -> None:
    root = repo(
        {
            **_BASE,
            "prod/kustomization.yaml": "resources: [../base]\npatchesJson6902:\n"
            "  - target: {version: v1, kind: Service, name: db}\n    path: lb.yaml\n"
            "  - target: {kind: StatefulSet, name: d.*}\n    path: env.yaml\n",
            "prod/lb.yaml": "- op: add\n  path: /spec/type\n  value: LoadBalancer\n"
            "- op: replace\n  path: /spec/missing/x\n  value: 1\n",
            "prod/env.yaml": "- op: remove\n  path: /spec/template/spec/containers/0/env/0\n"
            "- op: add\n  path: /spec/template/spec/containers/0/env/-\n"
            "  value: {name: POSTGRES_HOST_AUTH_METHOD, value: trust}\n",
        }
    )
    found = _build(root, "prod/kustomization.yaml")
    assert found is not None
    service = _object(found, "Service")
    assert service["spec"]["type"] == "LoadBalancer" and "missing" not in service["spec"]
    env = _object(found, "StatefulSet")["spec"]["template"]["spec"]["containers"][0]["env"]
    assert [e["name"] for e in env] == ["POSTGRES_PASSWORD", "POSTGRES_HOST_AUTH_METHOD"]
    assert _findings(root) == [("prod/env.yaml", 5, "ED007"), ("prod/lb.yaml", 3, "ED005")]


def test_strategic_merge_by_key_and_delete_directives(repo: Callable[[dict[str, str]], Path]) -> None:
    root = repo(
        {
            **_BASE,
            "prod/kustomization.yaml": "resources: [../base]\npatches:\n  - path: patch.yaml\n"
            "  - patch: |-\n      apiVersion: v1\n      kind: Service\n      metadata: {name: db}\n"
            "      $patch: delete\n",
            "prod/patch.yaml": "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec:\n  template:\n"
            "    spec:\n      containers:\n        - name: postgres\n          env:\n"
            "            - {name: POSTGRES_DB, $patch: delete}\n            - {name: PGDATA, value: /data}\n"
            "          ports:\n            - $patch: replace\n            - containerPort: 5432\n"
            "              hostPort: 5432\n",
        }
    )
    found = _build(root, "prod/kustomization.yaml")
    assert found is not None
    assert [o.get("kind").text for o in found.objects] == ["StatefulSet"]  # type: ignore[union-attr]
    container = _object(found, "StatefulSet")["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == "postgres:16"
    assert [e["name"] for e in container["env"]] == ["POSTGRES_PASSWORD", "PGDATA"]
    assert container["ports"] == [{"containerPort": 5432, "hostPort": 5432}]
    assert _findings(root) == [("prod/patch.yaml", 15, "ED006")]


def test_generators_namespace_and_prefix(repo: Callable[[dict[str, str]], Path]) -> None:
    root = repo(
        {
            **_BASE,
            "base/kustomization.yaml": "resources: [sts.yaml, svc.yaml]\n"
            "configMapGenerator:\n  - name: settings\n    literals: [A=1, B=2]\n",
            "prod/kustomization.yaml": "resources: [../base]\nnamespace: prod\nnamePrefix: p-\nnameSuffix: -x\n"
            "configMapGenerator:\n  - name: settings\n    behavior: merge\n    literals: ['B=\"3\"']\n"
            "secretGenerator:\n  - name: db\n    envs: [db.properties]\n    files: [key=secret.txt]\n",
            "prod/db.properties": "# comment\npassword=postgres\n",
            "prod/secret.txt": "line one\n",
        }
    )
    found = _build(root, "prod/kustomization.yaml")
    assert found is not None
    assert _object(found, "ConfigMap")["data"] == {"A": "1", "B": "3"}
    secret = _object(found, "Secret")
    assert secret["stringData"] == {"password": "postgres", "key": "line one\n"}
    assert secret["metadata"] == {"name": "db", "namespace": "prod"}
    assert _object(found, "StatefulSet")["metadata"]["name"] == "p-db-x"
    # The generated Secret's weak password reaches the pod through secretKeyRef: on its line.
    assert ("prod/db.properties", 2, "ED002") in _findings(root)


def test_remote_cycles_and_paths_outside_the_repository(repo: Callable[[dict[str, str]], Path]) -> None:
    root = repo(
        {
            "a/kustomization.yaml": "resources:\n  - ../b\n  - https://example.com/x.yaml\n"
            "  - github.com/org/repo//deploy?ref=v1\n  - ../../../../etc\ncomponents: [../c]\n",
            "b/kustomization.yaml": "resources: [../a]\n",
            "c/kustomization.yaml": "kind: Component\ncomponents: [../c]\n"
            "secretGenerator:\n  - name: s\n    files: [../../../../../etc/hostname]\n",
        }
    )
    found = _build(root, "a/kustomization.yaml")
    assert found is not None
    assert found.remote == ["https://example.com/x.yaml", "github.com/org/repo//deploy?ref=v1"]
    assert _object(found, "Secret")["stringData"] == {}
    assert _build(root, "c/kustomization.yaml") is None  # a component is judged by its overlays


def test_a_base_finding_is_reported_once_by_the_plain_file(repo: Callable[[dict[str, str]], Path]) -> None:
    sts = _STS.replace(
        "value: app", "value: app\n            - name: POSTGRES_HOST_AUTH_METHOD\n              value: trust"
    )
    root = repo(
        {
            **_BASE,
            "base/sts.yaml": sts,
            "dev/kustomization.yaml": "resources: [../base]\n",
            "prod/kustomization.yaml": "resources: [../base]\nnamespace: prod\n",
        }
    )
    assert _findings(root) == [("base/sts.yaml", 22, "ED007")]


def test_a_secret_of_another_resource_file_is_reported_on_the_resources_entry(
    repo: Callable[[dict[str, str]], Path],
) -> None:
    root = repo(
        {
            **_BASE,
            "base/kustomization.yaml": "resources:\n  - sts.yaml\n  - svc.yaml\n  - secret.yaml\n",
            "base/secret.yaml": "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\nstringData:\n"
            "  password: mysecretpassword\n",
            "prod/kustomization.yaml": "resources: [../base]\n",
        }
    )
    assert _findings(root) == [("base/kustomization.yaml", 4, "ED002")]


def test_a_component_two_overlays_include_is_reported_once(repo: Callable[[dict[str, str]], Path]) -> None:
    """Each overlay's build judges the component's patch; the finding is one, naming the other build."""
    overlay = "resources: [../../base]\ncomponents: [../../components/public]\n"
    root = repo(
        {
            **_BASE,
            "components/public/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"
            "patches:\n  - path: lb.yaml\n",
            "components/public/lb.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: db\nspec:\n"
            "  type: LoadBalancer\n",
            "overlays/eu/kustomization.yaml": overlay,
            "overlays/us/kustomization.yaml": overlay,
        }
    )
    rules = tuple(r for r in all_rules() if r.id == "ED005")
    result = Engine(Settings(rules=rules), cwd=root).scan([Path(".")])
    [finding] = result.findings
    assert (finding.path, finding.span.line) == ("components/public/lb.yaml", 6)
    assert finding.message.endswith("(kustomize build overlays/eu)")
    assert finding.related == [
        {"path": "components/public/lb.yaml", "line": 6, "message": "also (kustomize build overlays/us)"}
    ]
