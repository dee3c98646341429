"""Every rule's inline examples run through the real pipeline (parse, detect, rules)."""

from __future__ import annotations

import pytest

from guardrails.registry import all_rules
from guardrails.rule import Example, Rule
from guardrails.testing import run_example

CASES = [
    pytest.param(rule, example, "bad", id=f"{rule.id}-bad-{i}")
    for rule in all_rules()
    for i, example in enumerate(rule.bad)
] + [
    pytest.param(rule, example, "good", id=f"{rule.id}-good-{i}")
    for rule in all_rules()
    for i, example in enumerate(rule.good)
]


@pytest.mark.parametrize(("rule", "example", "expect"), CASES)
def test_example(rule: type[Rule], example: Example, expect: str) -> None:
    findings = run_example(rule, example)
    where = sorted((f.path, f.span.line) for f in findings)
    if expect == "good":
        assert not findings, f"{rule.id} reported on a good example: {[f.message for f in findings]}"
    else:
        assert where == sorted((example.primary, line) for line in example.lines), [f.message for f in findings]


def test_every_rule_documents_itself() -> None:
    """The meta-test: incident URL, remediation, rationale, a bad and a good example."""
    for rule in all_rules():
        assert rule.incidents and all(i.url.startswith("http") for i in rule.incidents), rule.id
        assert len(rule.remediation) > 30 and len(rule.rationale) > 60, rule.id
        assert rule.bad and rule.good, rule.id
        assert rule.title and rule.title[0].isupper(), rule.id


def test_rule_ids_and_names_are_unique() -> None:
    rules = all_rules()
    assert len({r.id for r in rules}) == len(rules)
    assert len({r.name for r in rules}) == len(rules)
