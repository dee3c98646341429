"""CloudFormation and SAM: which files are templates, how intrinsic functions evaluate, which
stack a finding is judged on, and that a new production parameter file reaches cached results."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from guardrails.detect import detect
from guardrails.documents import TreeDocument
from guardrails.engine import Engine, ScanResult, Settings
from guardrails.facts import cloudformation
from guardrails.model import Kind
from guardrails.parsers import parse
from guardrails.pipeline import parse_text
from guardrails.project import Project
from guardrails.registry import all_rules

TEMPLATE = "AWSTemplateFormatVersion: '2010-09-09'\n"


@pytest.mark.parametrize(
    ("path", "text", "kind"),
    [
        ("stack.yaml", TEMPLATE + "Resources: {}\n", Kind.CLOUDFORMATION),
        ("sam.yml", "Transform: AWS::Serverless-2016-10-31\nResources: {}\n", Kind.CLOUDFORMATION),
        ("sam.yml", "Transform: [AWS::Serverless-2016-10-31]\n", Kind.CLOUDFORMATION),
        ("plain.yaml", "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n", Kind.CLOUDFORMATION),
        ("vars.yml", "Resources:\n  web:\n    Type: nginx\n", Kind.YAML),
        ("mixed.yml", "Resources:\n  a:\n    Type: AWS::S3::Bucket\n  b:\n    port: 80\n", Kind.YAML),
        ("serverless.yml", "resources:\n  Resources:\n    T:\n      Type: AWS::DynamoDB::Table\n", Kind.YAML),
        ("cm.yaml", "apiVersion: v1\nkind: ConfigMap\ndata:\n  Type: AWS::RDS::DBInstance\n", Kind.KUBERNETES),
        ("two.yaml", TEMPLATE + "---\n" + TEMPLATE, Kind.YAML),
        ("stack.json", '{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {}}', Kind.CLOUDFORMATION),
        ("notes.json", '{"Resources": ["AWS::S3::Bucket"]}', Kind.JSON),
    ],
)
def test_templates_are_known_by_content(path: str, text: str, kind: Kind) -> None:
    first = detect(path, text.encode())
    assert isinstance(first, Kind)
    assert parse_text(path, text, first).kind is kind


@pytest.mark.parametrize(
    ("path", "head", "kind"),
    [
        ("stack.template", b'{"AWSTemplateFormatVersion": "2010-09-09"}', Kind.CLOUDFORMATION),
        ("page.template", b"<html>{{ title }}</html>", None),
        ("package.json", b'{"name": "x"}', None),
    ],
)
def test_json_and_template_files_are_read_only_when_they_look_like_one(path: str, head: bytes, kind: Kind) -> None:
    assert detect(path, head) is kind


def _template(text: str) -> cloudformation.Template:
    doc = parse("t.yaml", text, Kind.CLOUDFORMATION)
    assert isinstance(doc, TreeDocument)
    return cloudformation.Template.of(doc)


_PARAMS = (
    TEMPLATE + "Parameters:\n  Env:\n    Type: String\n    Default: dev\n  Size:\n    Type: Number\n"
    "  List:\n    Type: CommaDelimitedList\n    Default: a,b,c\n"
    "Mappings:\n  M:\n    dev:\n      Ttl: 60\n"
    "Conditions:\n  IsDev: !Equals [!Ref Env, dev]\n  Loop: !Condition Loop\n"
    "  Both: !And [!Condition IsDev, !Not [!Equals [!Ref Env, prod]]]\n"
    "Resources: {}\n"
)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("!Ref Env", (True, "dev")),
        ("!Ref Size", (False, None)),
        ("!Ref AWS::Region", (False, None)),
        ("{Ref: Env}", (True, "dev")),
        ("!Sub 'db-${Env}'", (True, "db-dev")),
        ("!Sub ['${X}-1', {X: !Ref Env}]", (True, "dev-1")),
        ("!Sub 'arn:${AWS::Partition}:x'", (False, None)),
        ("!Join ['-', [a, !Ref Env]]", (True, "a-dev")),
        ("!Select [1, !Ref List]", (True, "b")),
        ("!FindInMap [M, !Ref Env, Ttl]", (True, 60)),
        ("{'Fn::FindInMap': [M, prod, Ttl]}", (False, None)),
        ("!If [IsDev, 0, 7]", (True, 0)),
        ("!If [Loop, 1, 2]", (False, None)),
        ("!If [Loop, 1, 1]", (True, 1)),
        ("!If [Both, yes, no]", (True, True)),
        ("!GetAtt Db.Endpoint.Port", (False, None)),
        ("!ImportValue shared", (False, None)),
    ],
)
def test_intrinsic_functions_are_evaluated_or_left_unknown(expression: str, expected: tuple[bool, object]) -> None:
    template = _template(
        _PARAMS.replace("Resources: {}", f"Resources:\n  R:\n    Type: AWS::S3::Bucket\n    X: {expression}")
    )
    evaluator = cloudformation.Evaluator(template, template.defaults())
    found = evaluator.value(template.resources["R"].node.get("X"))
    assert (found.known, found.value if found.known else None) == expected


def test_short_forms_keep_their_positions() -> None:
    template = _template(TEMPLATE + "Resources:\n  R:\n    Type: AWS::S3::Bucket\n    X: !If [C, a, b]\n")
    node = template.resources["R"].node.get("X")
    assert node is not None and cloudformation.intrinsic(node) is not None
    assert (node.span.line, node.span.column, cloudformation.written(node)) == (5, 8, "!If [C, a, b]")


def test_parameter_files_of_both_forms_belong_to_the_template_whose_parameters_they_set(tmp_path: Path) -> None:
    text = TEMPLATE + "Parameters:\n  Env:\n    Type: String\n    Default: dev\nResources: {}\n"
    (tmp_path / "stack.yaml").write_text(text)
    (tmp_path / "prod.json").write_text('[{"ParameterKey": "Env", "ParameterValue": "prod"}]')
    (tmp_path / "parameters").mkdir()
    (tmp_path / "parameters" / "staging.json").write_text('{"Parameters": {"Env": "staging"}}')
    (tmp_path / "other.json").write_text('[{"ParameterKey": "Unrelated", "ParameterValue": "x"}]')
    (tmp_path / "package.json").write_text('{"name": "x"}')
    doc = parse("stack.yaml", text, Kind.CLOUDFORMATION)
    assert isinstance(doc, TreeDocument)
    project = Project(tmp_path, tmp_path, 1 << 20)
    template = cloudformation.Template.of(doc)
    found = cloudformation.parameter_files(template, project)
    assert found == [("prod.json", {"Env": "prod"}), ("parameters/staging.json", {"Env": "staging"})]
    assert [s.label for s in cloudformation.scenarios(template, project)] == ["prod.json"]


def _scan(root: Path) -> ScanResult:
    return Engine(Settings(rules=all_rules(), jobs=1, use_cache=True), cwd=root).scan([Path(".")])


def test_a_new_production_parameter_file_reaches_a_cached_template(repo: Callable[[dict[str, str]], Path]) -> None:
    root = repo(
        {
            "db/stack.yaml": TEMPLATE + "Parameters:\n  Protect:\n    Type: String\n    Default: 'true'\n"
            "Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n"
            "      DeletionProtection: !Ref Protect\n"
        }
    )
    assert not [f for f in _scan(root).findings if f.rule_id == "DO050"]
    (root / "db" / "prod.json").write_text('[{"ParameterKey": "Protect", "ParameterValue": "false"}]')
    assert [(f.path, f.span.line) for f in _scan(root).findings if f.rule_id == "DO050"] == [("db/stack.yaml", 10)]


_PASSED_GROUP = (
    TEMPLATE + "Parameters:\n  SgId:\n    Type: AWS::EC2::SecurityGroup::Id\n"
    "Resources:\n  Ingress:\n    Type: AWS::EC2::SecurityGroupIngress\n    Properties:\n"
    "      GroupId: !Ref SgId\n      IpProtocol: tcp\n      FromPort: {port}\n      ToPort: {port}\n"
    "      CidrIp: 0.0.0.0/0\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      Engine: postgres\n"
    "      PubliclyAccessible: true\n      VPCSecurityGroups: [!Ref SgId]\n"
)


@pytest.mark.parametrize(("port", "severity"), [(5432, "high"), (22, "medium")])
def test_a_passed_in_group_is_known_open_through_this_templates_own_ingress(
    repo: Callable[[dict[str, str]], Path], port: int, severity: str
) -> None:
    """An ingress of the template on a parameter's group says the group admits the internet on
    its port (high); one on another port leaves the group's other rules unknown (medium)."""
    root = repo({"stack.yaml": _PASSED_GROUP.format(port=port)})
    found = [f for f in _scan(root).findings if f.rule_id == "ED009"]
    assert [f.severity.name.lower() for f in found] == [severity]
