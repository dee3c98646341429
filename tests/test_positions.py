"""Findings point at the exact line and column of the thing at fault, in every host format.

A probe rule reports every shell command named ``probe-target``: wherever the shell
comes from (a file, a CI step, a Dockerfile RUN, a Makefile recipe, a provisioner),
the reported position must be the command's place in the file on disk.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from guardrails.documents import ShellDocument
from guardrails.engine import Engine, Settings
from guardrails.model import Category, Finding, Incident, Kind, Severity
from guardrails.rule import Bad, Good, Rule, RuleContext


class Probe(Rule):
    id = "ZZ900"
    name = "probe"
    title = "Test probe"
    category = Category.DESTRUCTIVE_OPERATION
    severity = Severity.LOW
    kinds = frozenset({Kind.SHELL})
    incidents = (Incident("test", "2026-01-01", "https://example.invalid/"),)
    rationale = "Reports every probe-target command, to test positions across host formats."
    remediation = "Nothing to fix: this rule exists only in the tests."
    bad = (Bad("a.sh", "probe-target\n", 1),)
    good = (Good("a.sh", "echo\n"),)

    def check(self, doc: ShellDocument, ctx: RuleContext) -> Iterator[Finding]:  # type: ignore[override]
        for cmd in doc.commands:
            if cmd.command == "probe-target":
                yield self.finding(doc, cmd.span, cmd.text, anchor=cmd.text, ctx=ctx)


def _positions(repo, name: str, content: str) -> list[tuple[int, int]]:  # type: ignore[no-untyped-def]
    root = repo({name: content})
    result = Engine(Settings(rules=(Probe,)), cwd=root).scan([Path(".")])
    assert not [f for f in result.findings if f.rule_id != "ZZ900"], result.findings
    return [(f.span.line, f.span.column) for f in result.findings]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("s.sh", "#!/bin/sh\nset -e\n  probe-target --x\n", [(3, 3)]),
        (
            ".github/workflows/ci.yml",
            "on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n"
            "          echo start\n          if true; then\n            probe-target ${{ secrets.X }}\n"
            "          fi\n      - run: probe-target\n",
            [(9, 13), (11, 14)],
        ),
        (
            ".gitlab-ci.yml",
            'deploy:\n  script:\n    - echo one\n    - "probe-target"\n    - |\n      echo\n      probe-target\n',
            [(4, 8), (7, 7)],
        ),
        (
            "Dockerfile",
            "FROM alpine\nRUN apk add x \\\n    && echo hi \\\n    && probe-target now\nCMD probe-target\n",
            [(4, 8), (5, 5)],
        ),
        ("Makefile", "all:\n\t@echo hi\n\t-probe-target x\n", [(3, 3)]),
        (
            "main.tf",
            'resource "null_resource" "x" {\n  provisioner "local-exec" {\n    command = "probe-target a"\n  }\n}\n',
            [(3, 16)],
        ),
        (
            "k8s.yaml",
            "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  template:\n    spec:\n      containers:\n"
            "        - name: c\n          image: alpine\n          command: [sh, -c]\n          args:\n"
            "            - |\n              echo a\n              probe-target\n",
            [(14, 15)],
        ),
        (
            "docker-compose.yml",
            'services:\n  job:\n    image: alpine\n    command: ["sh", "-c", "probe-target now"]\n',
            [(4, 28)],
        ),
        (
            "escapes.tf",
            'resource "null_resource" "x" {\n  provisioner "local-exec" {\n'
            '    command = "echo \\"${var.name}\\"; probe-target ${var.a}"\n  }\n}\n',
            [(3, 38)],
        ),
        (
            "directives.tf",
            'resource "null_resource" "x" {\n  provisioner "local-exec" {\n    command = <<-EOT\n'
            "      %{ if var.a ~}\n      probe-target $${HOME}\n      %{ endif ~}\n    EOT\n  }\n}\n",
            [(5, 7)],
        ),
        (
            "Dockerfile",
            "FROM alpine\nRUN <<EOT bash\n  probe-target\nEOT\nRUN <<A cat > /a && <<B probe-target\nx\nA\ny\nB\n",
            [(3, 3), (5, 25)],
        ),
        ("s.sh", "echo é; probe-target\n", [(1, 9)]),
        ("crlf.sh", "echo a\r\nprobe-target\r\n", [(2, 1)]),
    ],
)
def test_embedded_positions(repo, name: str, content: str, expected: list[tuple[int, int]]) -> None:  # type: ignore[no-untyped-def]
    assert _positions(repo, name, content) == expected


def test_yaml_key_positions() -> None:
    from guardrails.parsers.yaml_tree import parse

    doc = parse("c.yml", "a:\n  b:\n    - x: 1\n      y: 'two'\n---\nz: true\n", Kind.YAML)
    first, second = doc.roots
    y = first.path("b", "a") or first.path("a", "b", 0, "y")
    assert y is not None and (y.span.line, y.span.column, y.value) == (4, 10, "two")
    assert (first.key_node("a").span.line, second.get("z").value) == (1, True)  # type: ignore[union-attr]


def test_hcl_attribute_positions() -> None:
    from guardrails.parsers.hcl import parse

    doc = parse(
        "m.tf",
        'resource "aws_db_instance" "db" {\n  engine = "postgres"\n\n  skip_final_snapshot = true\n}\n',
        Kind.TERRAFORM,
    )
    attr = doc.resources("aws_db_instance")[0].get("skip_final_snapshot")
    assert attr is not None and (attr.span.line, attr.span.column, attr.expr.value) == (4, 3, True)


def test_block_scalar_stops_before_less_indented_comments(repo) -> None:  # type: ignore[no-untyped-def]
    content = (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      image: x\n"
        "      command:\n        - /bin/bash\n        - -ecx\n        - |\n          echo ok\n"
        "          probe-target\n    # a comment that's less indented\n  restartPolicy: Never\n"
    )
    assert _positions(repo, "pod.yaml", content) == [(13, 11)]


def test_non_scalar_mapping_key_is_unparseable() -> None:
    from guardrails.model import ParseError
    from guardrails.parsers.yaml_tree import parse

    with pytest.raises(ParseError) as info:
        parse("svc.yaml", "metadata:\n  labels:\n    cell: {{cell}}\n", Kind.YAML)
    assert (info.value.line, info.value.column) == (3, 12)
    assert "template" in info.value.message
