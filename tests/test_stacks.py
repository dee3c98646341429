"""The stack-format layer: a CloudFormation template and a Pulumi YAML program that declare the same
thing get the same facts from the one reader, only the names each format writes differ."""

from __future__ import annotations

from pathlib import Path

import pytest

from guardrails.documents import TreeDocument
from guardrails.facts import cloudformation, pulumi, stacks
from guardrails.model import Kind
from guardrails.pipeline import parse_text
from guardrails.project import Project

TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      PubliclyAccessible: true
      VPCSecurityGroups: [!GetAtt DbGroup.GroupId]
  DbGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 5432, ToPort: 5432, CidrIp: 0.0.0.0/0}
  Www:
    Type: AWS::Route53::RecordSet
    Properties:
      HostedZoneName: example.com.
      Name: www.example.com.
      Type: A
      TTL: 60
      ResourceRecords: [192.0.2.1]
"""

PROGRAM = """\
name: shop
runtime: yaml
resources:
  Db:
    type: aws:rds:Instance
    properties:
      engine: postgres
      publiclyAccessible: true
      vpcSecurityGroupIds: ["${DbGroup.id}"]
  DbGroup:
    type: aws:ec2:SecurityGroup
    properties:
      ingress:
        - {protocol: tcp, fromPort: 5432, toPort: 5432, cidrBlocks: [0.0.0.0/0]}
  Zone:
    type: aws:route53:Zone
    properties:
      name: example.com
  Www:
    type: aws:route53:Record
    properties:
      zoneId: ${Zone.zoneId}
      name: www
      type: A
      ttl: 60
      records: [192.0.2.1]
"""


def _doc(tmp_path: Path, name: str, text: str) -> tuple[TreeDocument, Project]:
    (tmp_path / name).write_text(text)
    doc = parse_text(name, text, Kind.YAML)
    assert isinstance(doc, TreeDocument)
    return doc, Project(tmp_path, tmp_path, 1 << 20)


@pytest.mark.parametrize(("name", "text"), [("stack.yaml", TEMPLATE), ("Pulumi.yaml", PROGRAM)])
def test_both_formats_get_the_same_facts(tmp_path: Path, name: str, text: str) -> None:
    doc, project = _doc(tmp_path, name, text)
    [open_group] = stacks.permissions(doc, project)
    assert (open_group.group, open_group.ports, open_group.world) == ("DbGroup", (5432, 5432), ("0.0.0.0/0",))
    [public] = stacks.public_databases(doc, project)
    assert public.reach.open is True
    assert public.reach.reason.startswith("security group DbGroup admits 0.0.0.0/0 on port 5432")
    [record] = stacks.reader(doc).records(doc, project)
    assert (record.name, record.type, record.zone, record.ttl.as_int(), record.answers) == (
        "www.example.com",
        "A",
        "example.com",
        60,
        ["192.0.2.1"],
    )


def test_each_format_names_what_the_shared_readers_read() -> None:
    """A name missing from a format's table would make a reader silently find nothing."""
    for module in (cloudformation, pulumi):
        table = module.FORMAT
        assert module.Evaluator.FORMAT is table
        for part in (table.ingress, table.databases, table.search, table.records):
            for field, value in zip(part._fields, part, strict=True):
                if field not in ("direction", "named_sources", "zone_name", "keeps_other_protocols", "relative_names"):
                    assert value, f"{module.__name__}: {type(part).__name__}.{field} is empty"
