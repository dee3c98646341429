"""Terraform JSON syntax onto Block/Attribute/Expr, with positions from json_tree."""

from __future__ import annotations

import pytest

from guardrails.documents import Block, Expr, TerraformDocument
from guardrails.model import Kind, ParseError, Span
from guardrails.parsers import json_tree
from guardrails.parsers.terraform_json import parse

MAIN = """\
{
  "//": "managed by hand",
  "resource": {
    "aws_db_instance": {
      "main": {
        "engine": "postgres",
        "publicly_accessible": true,
        "allocated_storage": 20,
        "vpc_security_group_ids": ["${aws_security_group.db.id}"],
        "tags": {"Name": "${var.env}-db", "Team": "data"},
        "lifecycle": {"prevent_destroy": false}
      }
    },
    "aws_security_group": {
      "db": {
        "ingress": [
          {"from_port": 5432, "cidr_blocks": ["0.0.0.0/0"]},
          {"from_port": 22, "cidr_blocks": ["10.0.0.0/8"]}
        ]
      }
    }
  },
  "data": {"aws_route53_zone": {"z": {"name": "example.com"}}},
  "variable": {"ttl": {"type": "number", "default": 300}},
  "output": {"ns": {"value": "${aws_route53_zone.main.name_servers[0]}"}},
  "locals": {"env": "prod", "ids": [1, 2]},
  "module": {"vpc": {"source": "./vpc", "settings": {"cidr": "10.0.0.0/16"}}}
}
"""


def doc(text: str, path: str = "main.tf.json", kind: Kind = Kind.TERRAFORM_JSON) -> TerraformDocument:
    return parse(path, text, kind)


def block(d: TerraformDocument, address: str) -> Block:
    for b in d.blocks:
        if b.address == address:
            return b
    raise AssertionError(f"no block {address}")


def test_document_and_top_level_blocks() -> None:
    d = doc(MAIN)
    assert (d.path, d.kind, d.text) == ("main.tf.json", Kind.TERRAFORM_JSON, MAIN)
    assert [(b.type, b.labels) for b in d.blocks] == [
        ("resource", ["aws_db_instance", "main"]),
        ("resource", ["aws_security_group", "db"]),
        ("data", ["aws_route53_zone", "z"]),
        ("variable", ["ttl"]),
        ("output", ["ns"]),
        ("locals", []),
        ("module", ["vpc"]),
    ]
    assert d.attributes == {}
    assert [b.address for b in d.resources("aws_db_instance")] == ["aws_db_instance.main"]


def test_resource_block_span_starts_at_its_name_key() -> None:
    db = block(doc(MAIN), "aws_db_instance.main")
    assert db.span == Span(5, 7, 12, 8)


def test_literal_attributes() -> None:
    db = block(doc(MAIN), "aws_db_instance.main")
    engine = db.get("engine")
    assert engine is not None
    assert engine.span == Span(6, 9, 6, 29)
    assert engine.expr == Expr("literal", "postgres", '"postgres"', Span(6, 19, 6, 29))
    public = db.get("publicly_accessible")
    assert public is not None
    assert public.expr == Expr("literal", True, "true", Span(7, 32, 7, 36))
    assert public.span == Span(7, 9, 7, 36)
    storage = db.get("allocated_storage")
    assert storage is not None
    assert (storage.expr.kind, storage.expr.value, storage.expr.text) == ("literal", 20, "20")


def test_tuple_of_reference() -> None:
    db = block(doc(MAIN), "aws_db_instance.main")
    ids = db.get("vpc_security_group_ids")
    assert ids is not None
    assert ids.expr.kind == "tuple"
    assert ids.expr.text == '["${aws_security_group.db.id}"]'
    assert ids.expr.span == Span(9, 35, 9, 66)
    (ref,) = ids.expr.value
    assert ref == Expr("reference", "aws_security_group.db.id", '"${aws_security_group.db.id}"', Span(9, 36, 9, 65))
    assert ids.expr.literal() is None


def test_map_attribute_is_an_object_not_a_block() -> None:
    db = block(doc(MAIN), "aws_db_instance.main")
    tags = db.get("tags")
    assert tags is not None
    assert tags.expr.kind == "object"
    assert tags.expr.text == '{"Name": "${var.env}-db", "Team": "data"}'
    assert tags.expr.value["Name"].kind == "template"
    assert tags.expr.value["Name"].value == "${var.env}-db"
    assert tags.expr.value["Team"] == Expr("literal", "data", '"data"', Span(10, 51, 10, 57))
    assert db.child("tags") is None


def test_nested_block_from_object() -> None:
    db = block(doc(MAIN), "aws_db_instance.main")
    assert db.get("lifecycle") is None
    lifecycle = db.child("lifecycle")
    assert lifecycle is not None
    assert lifecycle.labels == []
    assert lifecycle.span == Span(11, 9, 11, 48)
    prevent = lifecycle.get("prevent_destroy")
    assert prevent is not None
    assert prevent.expr.value is False


def test_list_of_objects_becomes_repeated_blocks() -> None:
    sg = block(doc(MAIN), "aws_security_group.db")
    first, second = sg.children("ingress")
    assert first.span == Span(17, 11, 17, 60)
    assert second.span == Span(18, 11, 18, 59)
    port = first.get("from_port")
    assert port is not None
    assert port.expr.value == 5432
    cidrs = first.get("cidr_blocks")
    assert cidrs is not None
    assert cidrs.expr.literal() == ["0.0.0.0/0"]
    port2 = second.get("from_port")
    assert port2 is not None
    assert port2.expr.value == 22


def test_data_variable_output_locals_module() -> None:
    d = doc(MAIN)
    z = block(d, "data.aws_route53_zone.z")
    zone_name = z.get("name")
    assert zone_name is not None
    assert zone_name.expr.value == "example.com"
    ttl = block(d, "var.ttl")
    default = ttl.get("default")
    assert default is not None
    assert default.expr.value == 300
    ns = block(d, "output.ns")
    value = ns.get("value")
    assert value is not None
    assert (value.expr.kind, value.expr.value) == ("reference", "aws_route53_zone.main.name_servers[0]")
    local = block(d, "locals")
    assert sorted(local.attributes) == ["env", "ids"]
    assert local.span == Span(26, 3, 26, 43)
    vpc = block(d, "module.vpc")
    settings = vpc.get("settings")  # module inputs are always attributes
    assert settings is not None
    assert settings.expr.literal() == {"cidr": "10.0.0.0/16"}
    assert vpc.blocks == []


def test_comment_keys_are_ignored() -> None:
    d = doc('{"//": "top", "resource": {"t": {"n": {"//": "c", "a": 1}}}}')
    (b,) = d.blocks
    assert list(b.attributes) == ["a"]


def test_terraform_block_backend_and_required_providers() -> None:
    d = doc(
        '{"terraform": {"required_version": ">= 1.5", "backend": {"s3": {"bucket": "state"}},'
        ' "required_providers": {"aws": {"source": "hashicorp/aws", "version": "~> 5.0"}}}}'
    )
    (tf,) = d.blocks
    assert tf.type == "terraform"
    assert tf.labels == []
    backend = tf.child("backend")
    assert backend is not None
    assert backend.labels == ["s3"]
    required = tf.child("required_providers")
    assert required is not None
    aws = required.get("aws")
    assert aws is not None
    assert aws.expr.literal() == {"source": "hashicorp/aws", "version": "~> 5.0"}
    assert required.blocks == []


def test_provider_array_gives_one_block_per_configuration() -> None:
    d = doc('{"provider": {"aws": [{"region": "us-east-1"}, {"alias": "west", "region": "us-west-2"}]}}')
    first, second = d.blocks
    assert (first.address, second.address) == ("provider.aws", "provider.aws")
    alias = second.get("alias")
    assert alias is not None
    assert alias.expr.value == "west"
    assert first.span == Span(1, 23, 1, 46)


def test_resource_level_arrays() -> None:
    d = doc('{"resource": [{"aws_instance": {"a": {"ami": "x"}}}, {"aws_instance": {"b": [{"ami": "y"}]}}]}')
    assert [b.address for b in d.blocks] == ["aws_instance.a", "aws_instance.b"]


def test_dynamic_and_provisioner_blocks_take_a_label() -> None:
    d = doc(
        '{"resource": {"aws_security_group": {"sg": {'
        '"dynamic": {"ingress": {"for_each": "${var.rules}", "content": {"from_port": "${ingress.value.port}"}}},'
        '"provisioner": [{"local-exec": {"command": "echo hi"}}]}}}}'
    )
    (sg,) = d.blocks
    dynamic = sg.child("dynamic")
    assert dynamic is not None
    assert dynamic.labels == ["ingress"]
    content = dynamic.child("content")
    assert content is not None
    port = content.get("from_port")
    assert port is not None
    assert (port.expr.kind, port.expr.value) == ("reference", "ingress.value.port")
    provisioner = sg.child("provisioner")
    assert provisioner is not None
    assert provisioner.labels == ["local-exec"]


def test_unknown_key_with_object_value_is_a_block_and_empty_list_an_attribute() -> None:
    d = doc('{"resource": {"t": {"n": {"versioning_config": {"enabled": true}, "rules": [], "names": ["a"]}}}}')
    (b,) = d.blocks
    assert [c.type for c in b.blocks] == ["versioning_config"]
    rules = b.get("rules")
    names = b.get("names")
    assert rules is not None and names is not None
    assert (rules.expr.kind, rules.expr.value) == ("tuple", [])
    assert names.expr.literal() == ["a"]


def test_known_block_name_with_scalar_value_is_an_attribute() -> None:
    d = doc('{"provider": {"aws": {"alias": "east"}}}')
    (p,) = d.blocks
    assert p.child("alias") is None
    alias = p.get("alias")
    assert alias is not None
    assert alias.expr.value == "east"


@pytest.mark.parametrize(
    ("value", "kind", "expected"),
    [
        ("${var.ttl}", "reference", "var.ttl"),
        ("${ local.x }", "reference", "local.x"),
        ('${local.m["k"]}', "reference", 'local.m["k"]'),
        ("${aws_instance.web[*].id}", "reference", "aws_instance.web[*].id"),
        ("${module.a.b.0}", "reference", "module.a.b.0"),
        ("${var.a}${var.b}", "template", "${var.a}${var.b}"),
        ("prefix-${var.env}", "template", "prefix-${var.env}"),
        ("${upper(var.env)}", "template", "${upper(var.env)}"),
        ("${var.ttl * 2}", "template", "${var.ttl * 2}"),
        ("%{ if var.x }a%{ endif }", "template", "%{ if var.x }a%{ endif }"),
        ("$${not.interpolated}", "literal", "$${not.interpolated}"),
        ("plain", "literal", "plain"),
    ],
)
def test_string_expression_kinds(value: str, kind: str, expected: str) -> None:
    import json

    d = doc(json.dumps({"locals": {"v": value}}))
    attr = d.blocks[0].get("v")
    assert attr is not None
    assert (attr.expr.kind, attr.expr.value) == (kind, expected)
    assert attr.expr.text == json.dumps(value)


def test_non_string_literals() -> None:
    d = doc('{"locals": {"n": null, "f": 1.5, "i": -3, "b": false}}')
    attrs = d.blocks[0].attributes
    assert [(a.expr.kind, a.expr.value) for a in attrs.values()] == [
        ("literal", None),
        ("literal", 1.5),
        ("literal", -3),
        ("literal", False),
    ]


def test_tfvars_json_top_level_keys_are_attributes() -> None:
    text = '{\n  "ttl": 60,\n  "zones": {"a": "x"},\n  "ips": ["${var.x}"]\n}\n'
    d = doc(text, path="prod.tfvars.json", kind=Kind.TFVARS)
    assert d.blocks == []
    assert list(d.attributes) == ["ttl", "zones", "ips"]
    ttl = d.attributes["ttl"]
    assert ttl.span == Span(2, 3, 2, 12)
    assert ttl.expr == Expr("literal", 60, "60", Span(2, 10, 2, 12))
    assert d.attributes["zones"].expr.kind == "object"
    assert d.attributes["ips"].expr.value[0].kind == "reference"


def test_tfvars_json_recognised_by_name_with_terraform_json_kind() -> None:
    d = doc('{"resource": 1}', path="env/x.tfvars.json", kind=Kind.TERRAFORM_JSON)
    assert d.blocks == []
    assert d.attributes["resource"].expr.value == 1


def test_multiline_expr_text_is_the_exact_source_slice() -> None:
    text = '{\r\n  "locals": {\r\n    "o": {\r\n      "k": [1,\r\n 2]\r\n    }\r\n  }\r\n}'
    (b,) = doc(text).blocks
    o = b.get("o")
    assert o is not None
    assert o.expr.span == Span(3, 10, 6, 6)
    assert o.expr.text == '{\r\n      "k": [1,\r\n 2]\r\n    }'
    assert o.expr.value["k"].text == "[1,\r\n 2]"


def test_bom_does_not_shift_expr_text() -> None:
    (b,) = doc('\ufeff{"locals": {"a": "x"}}').blocks
    a = b.get("a")
    assert a is not None
    assert a.expr.text == '"x"'
    assert a.expr.span == Span(1, 18, 1, 21)


def test_large_file_fallback_reserialises_expr_text(monkeypatch: pytest.MonkeyPatch) -> None:
    from guardrails.parsers import terraform_json

    monkeypatch.setattr(json_tree, "FAST_PATH_CHARS", 10)
    monkeypatch.setattr(terraform_json, "FAST_PATH_CHARS", 10)
    text = '{"resource": {"t": {"n": {"tags": {"a": "b"}, "port": 22}}}}'
    (b,) = doc(text).blocks
    tags = b.get("tags")
    port = b.get("port")
    assert tags is not None and port is not None
    assert tags.expr.text == '{"a": "b"}'
    assert port.expr.text == "22"
    assert port.expr.span == Span(1, 1, 1, len(text) + 1)


@pytest.mark.parametrize(
    ("text", "message", "line", "column"),
    [
        ("[]", "must hold a JSON object", 1, 1),
        ('{"resource": "x"}', "expected an object", 1, 14),
        ('{"resource": {"aws_instance": {"a": 5}}}', "expected an object", 1, 37),
        ('{"variable": {"x": [1]}}', "expected an object", 1, 21),
        ('{"resource": {', "expected string key or '}'", 1, 15),
    ],
)
def test_errors(text: str, message: str, line: int, column: int) -> None:
    with pytest.raises(ParseError) as info:
        doc(text)
    assert message in info.value.message
    assert (info.value.line, info.value.column) == (line, column)
