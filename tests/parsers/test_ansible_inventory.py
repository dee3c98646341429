"""The Ansible INI inventory parser: sections, host lines split as shlex does, vars lines."""

from __future__ import annotations

import shlex

import pytest

from guardrails.model import Kind, ParseError, Span
from guardrails.parsers.ansible_inventory import parse, shlex_words


def test_sections_hosts_and_variables() -> None:
    text = (
        "# comment\nalone.example.com\n[web]\nweb[01:02].example.com ansible_port=2222 token='a b#c' # note\n"
        '; another comment\n[web:vars]\ndb_password = "s3cr#t" # kept: Ansible strips no comment here\n'
        "[prod:children]\nweb\n"
    )
    doc = parse("inventories/prod/hosts", text, Kind.ANSIBLE_INVENTORY)
    assert [(g, h) for g, h, _ in doc.hosts] == [("ungrouped", "alone.example.com"), ("web", "web[01:02].example.com")]
    assert [(s[0], s[1]) for s in doc.sections] == [("web", "hosts"), ("web", "vars"), ("prod", "children")]
    assert [(v.group, v.host, v.key, v.value) for v in doc.variables] == [
        ("web", "web[01:02].example.com", "ansible_port", "2222"),
        ("web", "web[01:02].example.com", "token", "a b#c"),
        ("web", "", "db_password", '"s3cr#t" # kept: Ansible strips no comment here'),
    ]
    assert doc.variables[1].span == Span(4, 48, 4, 55)
    assert doc.variables[2].span.column == 15


def test_quoted_vars_value_loses_its_quotes() -> None:
    doc = parse("hosts", '[all:vars]\na=\'x y\'\nb="q\\"r"\n', Kind.ANSIBLE_INVENTORY)
    assert [v.value for v in doc.variables] == ["x y", 'q"r']


@pytest.mark.parametrize(
    "line", ['web1 a=1 b=\'x y\' c="p\\"q" # tail', "h k=v#c", "h k='unterminated#' x=1", "h a\\ b=1"]
)
def test_words_are_shlex_words(line: str) -> None:
    assert [w.text for w in shlex_words(line, 1)] == shlex.split(line, comments=True)


@pytest.mark.parametrize(
    "text",
    ["[web:hostvars]\nx\n", "[web server]\n", "[web]\nhost key\n", "[all:vars]\nnovalue\n", "[web]\nh a='x\n"],
)
def test_what_ansible_refuses(text: str) -> None:
    with pytest.raises(ParseError):
        parse("hosts", text, Kind.ANSIBLE_INVENTORY)
