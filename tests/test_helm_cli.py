"""Helm command lines: --set parsed with Helm's strvals grammar, flags in Helm's merge order."""

from __future__ import annotations

from pathlib import Path

import pytest

from guardrails.documents import ShellDocument
from guardrails.facts import helm
from guardrails.facts.helm_cli import UNKNOWN_TAG, helm_command, set_values
from guardrails.model import Kind, Node, Span
from guardrails.parsers import parse
from guardrails.project import Project

_SPAN = Span.point(1)


def _plain(node: Node | None) -> object:
    if node is None:
        return None
    if node.is_map:
        return {k.text: _plain(v) for k, v in node.value}
    if node.is_seq:
        return [_plain(v) for v in node.value]
    return "?" if node.tag == UNKNOWN_TAG else node.value


@pytest.mark.parametrize(
    ("text", "family", "expected"),
    [
        ("a.b=c,d=e", "--set", {"a": {"b": "c"}, "d": "e"}),
        ("auth.enabled=false", "--set", {"auth": {"enabled": False}}),
        ("auth.enabled=FALSE", "--set", {"auth": {"enabled": False}}),
        ("auth.enabled=false", "--set-string", {"auth": {"enabled": "false"}}),
        ("replicas=3,tag=007", "--set", {"replicas": 3, "tag": "007"}),
        ("a=x\\,y", "--set", {"a": "x,y"}),
        ("ann.service\\.beta\\.io/internal=true", "--set", {"ann": {"service.beta.io/internal": True}}),
        ("r={10.0.0.0/8,192.168.0.0/16}", "--set", {"r": ["10.0.0.0/8", "192.168.0.0/16"]}),
        ("r[0]=1.2.3.4", "--set", {"r": ["1.2.3.4"]}),
        ("r={}", "--set", {"r": []}),
        ("r={a\\,b,c},d=e,", "--set", {"r": ["a,b", "c"], "d": "e"}),
        ("l[0].name=a,l[0].port=1", "--set", {"l": [{"name": "a", "port": 1}]}),
        ("a=null", "--set", {"a": "?"}),
        ("a.b=x,y=z", "--set-literal", {"a": {"b": "x,y=z"}}),
        ('a={"b":false}', "--set-json", {"a": {"b": False}}),
        ("cert=./tls.crt", "--set-file", {"cert": "?"}),
        ("a", "--set", None),
        ("a,b=c", "--set", None),
        ("a[99999999]=x", "--set", None),
        (".".join("k" * 40) + "=x", "--set", None),
    ],
)
def test_set_values(text: str, family: str, expected: object) -> None:
    assert _plain(set_values(text, family, _SPAN, [])) == expected


def test_unknown_parts_stay_unknown() -> None:
    found = set_values("auth.enabled=false,auth.password=$PW", "--set", _SPAN, ["$PW"])
    assert _plain(found) == {"auth": {"enabled": False, "password": "?"}}


def _script(text: str) -> ShellDocument:
    doc = parse("deploy.sh", text, Kind.SHELL)
    assert isinstance(doc, ShellDocument)
    return doc


def test_merge_order_is_files_then_set_then_set_string() -> None:
    doc = _script(
        "helm upgrade --install r bitnami/redis --set-string a=1 -f one.yaml,two.yaml --set a=2 --values=three.yaml\n"
    )
    command = helm_command(doc.commands[0], doc)
    assert command is not None
    assert (command.subcommand, command.release, command.chart.value) == ("upgrade", "r", "bitnami/redis")
    assert [f.path for f in command.files] == ["one.yaml", "two.yaml", "three.yaml"]
    assert [_plain(s.root) for s in command.sets] == [{"a": 2}, {"a": "1"}]


@pytest.mark.parametrize(
    "line",
    [
        "helm diff upgrade r bitnami/redis --set a=b",
        "helm lint ./chart --set a=b",
        "helm install r bitnami/redis --set a",  # Helm rejects it: nothing is installed
        "helm install $CHART --set a=b",
    ],
)
def test_not_a_deployment(line: str) -> None:
    doc = _script(line + "\n")
    assert helm_command(doc.commands[0], doc) is None


def test_global_override_and_set_layer(tmp_path: Path) -> None:
    script = tmp_path / "deploy.sh"
    script.write_text(
        "helm install db oci://registry-1.docker.io/bitnamicharts/postgresql "
        "--set auth.postgresPassword=secret --set global.postgresql.auth.postgresPassword=postgres\n"
    )
    project = Project(tmp_path, tmp_path, 1_000_000)
    doc = project.document(script)
    [deployment] = helm.deployments_of(doc, project)  # type: ignore[arg-type]
    [(path, value, user)] = list(helm.passwords(deployment))
    assert (path, value.text, user) == ("global.postgresql.auth.postgresPassword", "postgres", "postgres")
