"""Pulumi YAML: which files are programs and stack settings, how interpolations evaluate, which
stack a finding is judged on, that stack secrets are compared but ciphertext never is, and that a
new production stack file reaches cached results."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from guardrails.detect import detect
from guardrails.documents import TreeDocument
from guardrails.engine import Engine, ScanResult, Settings
from guardrails.facts import pulumi
from guardrails.facts.environments import Environments
from guardrails.facts.secrets import extract
from guardrails.model import Kind
from guardrails.pipeline import parse_text
from guardrails.project import Project
from guardrails.registry import all_rules

PROGRAM = "name: shop\nruntime: yaml\n"


@pytest.mark.parametrize(
    ("path", "text", "kind"),
    [
        ("Pulumi.yaml", PROGRAM + "resources:\n  b:\n    type: aws:s3:Bucket\n", Kind.PULUMI),
        ("stack.yaml", PROGRAM + "resources:\n  b:\n    type: aws:s3/bucket:Bucket\n", Kind.PULUMI),
        ("Pulumi.yaml", "runtime: {name: yaml}\nresources:\n  p:\n    type: random:RandomPassword\n", Kind.PULUMI),
        ("Main.yaml", "resources:\n  b:\n    type: aws:s3:Bucket\n", Kind.PULUMI),
        ("catalog.yaml", "resources:\n  b:\n    type: aws:s3:Bucket\n", Kind.YAML),
        ("Pulumi.yaml", "name: web\nruntime: nodejs\n", Kind.YAML),
        ("Pulumi.yaml", PROGRAM + "resources:\n  api:\n    type: service\n    build: ./api\n", Kind.YAML),
        ("Pulumi.yaml", PROGRAM + "service: x\nresources:\n  b:\n    type: aws:s3:Bucket\n", Kind.YAML),
        ("Pulumi.prod.yaml", "config:\n  shop:size: large\n", Kind.PULUMI_STACK),
        ("Pulumi-vulnerable.yaml", PROGRAM + "resources:\n  b:\n    type: aws:s3:Bucket\n", Kind.PULUMI),
    ],
)
def test_programs_and_stacks_are_known_by_content_and_name(path: str, text: str, kind: Kind) -> None:
    first = detect(path, text.encode())
    assert isinstance(first, Kind)
    assert parse_text(path, text, first).kind is kind


_CONFIG = (
    PROGRAM + "config:\n  protect:\n    type: boolean\n    default: true\n  size:\n    type: string\n"
    "variables:\n  port: 5432\n  label: db-${protect}\n"
)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("${protect}", (True, True)),
        ("${size}", (False, None)),
        ("${port}", (True, 5432)),
        ("${label}", (True, "db-true")),
        ("x-${port}-y", (True, "x-5432-y")),
        ("$${protect}", (True, "${protect}")),
        ("${b.arn}", (False, None)),
        ("${config.protect}", (False, None)),
        ("${b}", (False, None)),
        ("${pulumi.stack}", (True, "prod")),
        ("${pulumi.project}", (True, "shop")),
        ("{fn::invoke: {function: aws:ec2:getAmi}}", (False, None)),
    ],
)
def test_interpolations_are_evaluated_or_left_unknown(expression: str, expected: tuple[bool, object]) -> None:
    text = _CONFIG + f"resources:\n  b:\n    type: aws:s3:Bucket\n    x: {expression}\n"
    if expression.startswith(("$", "x-")):
        text = text.replace(f"x: {expression}", f"x: '{expression}'")
    doc = parse_text("Pulumi.yaml", text, Kind.YAML)
    assert isinstance(doc, TreeDocument) and doc.kind is Kind.PULUMI
    program = pulumi.Program.of(doc, Project(Path("."), Path("."), 1 << 20))
    stack = pulumi.Stack("Pulumi.prod.yaml", "prod", program.defaults().values)
    found = pulumi.Evaluator(program, stack).value(program.resources["b"].node.get("x"))
    assert (found.known, found.value if found.known else None) == expected


def test_stack_files_are_keyed_as_the_program_reads_them(tmp_path: Path) -> None:
    text = _CONFIG + "resources:\n  b:\n    type: aws:s3:Bucket\n"
    (tmp_path / "Pulumi.yaml").write_text(text)
    (tmp_path / "Pulumi.prod.yaml").write_text(
        "config:\n  shop:protect: 'false'\n  aws:region: us-east-1\n  shop:size:\n    secure: v1:abc\n"
    )
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  shop:protect: 'false'\n")
    doc = parse_text("Pulumi.yaml", text, Kind.YAML)
    assert isinstance(doc, TreeDocument)
    _, stacks = pulumi.program_for(doc, Project(tmp_path, tmp_path, 1 << 20))
    assert [s.label for s in stacks] == ["Pulumi.prod.yaml"]
    values = stacks[0].values
    assert values["protect"] == ("false", "shop:protect in Pulumi.prod.yaml")
    assert values["aws:region"][0] == "us-east-1"
    assert values["size"] is None  # ciphertext: not known here


def test_stack_secrets_are_compared_but_ciphertext_never_read() -> None:
    text = (
        "encryptionsalt: v1:c2FsdA==:v1:Zm9vYmFyYmF6\nconfig:\n  shop:dbPassword: Tr0ub4dor-and-3-horses\n"
        "  shop:apiToken:\n    secure: v1:c2FsdHNhbHQ=:Y2lwaGVydGV4dGNpcGhlcnRleHQ=\n"
        "  shop:nested:\n    password: Zq8-nested-Xw2\n"
    )
    doc = parse_text("Pulumi.prod.yaml", text, Kind.PULUMI_STACK)
    found = extract(doc, Environments())
    assert [(s.key, s.environment) for s in found.secrets] == [
        ("shop:dbPassword", "production"),
        ("shop:nested.password", "production"),
    ]


def _scan(root: Path) -> ScanResult:
    return Engine(Settings(rules=all_rules(), jobs=1, use_cache=True), cwd=root).scan([Path(".")])


def test_a_new_production_stack_file_reaches_a_cached_program(repo: Callable[[dict[str, str]], Path]) -> None:
    root = repo(
        {
            "infra/Pulumi.yaml": PROGRAM + "config:\n  protect:\n    type: boolean\n    default: true\n"
            "resources:\n  db:\n    type: aws:rds:Instance\n    properties:\n"
            "      deletionProtection: ${protect}\n",
            "infra/Pulumi.dev.yaml": "config:\n  shop:protect: false\n",
        }
    )
    assert not [f for f in _scan(root).findings if f.rule_id == "DO050"]
    (root / "infra" / "Pulumi.prod.yaml").write_text("config:\n  shop:protect: false\n")
    found = [(f.path, f.span.line) for f in _scan(root).findings if f.rule_id == "DO050"]
    assert found == [("infra/Pulumi.yaml", 11)]


def test_protect_guards_deletion_settings_but_not_backups(repo: Callable[[dict[str, str]], Path]) -> None:
    root = repo(
        {
            "Pulumi.yaml": PROGRAM + "resources:\n  db:\n    type: aws:rds:Instance\n    properties:\n"
            "      skipFinalSnapshot: true\n      backupRetentionPeriod: 0\n    options:\n      protect: true\n"
        }
    )
    assert sorted(f.rule_id for f in _scan(root).findings) == ["DO052"]


def test_the_type_table_names_known_terraform_types() -> None:
    from guardrails.facts.network import NO_DATASTORE_BEHIND
    from guardrails.facts.stateful import STATEFUL_TYPES

    others = {
        "aws_rds_cluster_instance", "aws_security_group", "aws_security_group_rule",
        "aws_vpc_security_group_ingress_rule", "aws_route53_record", "aws_route53_zone", *NO_DATASTORE_BEHIND,
    }  # fmt: skip
    assert set(pulumi.TERRAFORM_TYPES.values()) <= set(STATEFUL_TYPES) | others
    assert pulumi.camel("settings.backup_configuration.enabled") == "settings.backupConfiguration.enabled"
    assert pulumi.normal_token("aws:rds/instance:Instance") == "aws:rds:Instance"
