"""Differential test: our tree-sitter HCL parser against python-hcl2 (the oracle).

Every .tf file under fixtures/ is parsed by both; blocks (type and labels), attribute
names and literal values (strings without escapes or interpolation, numbers, booleans)
must agree. python-hcl2 8.x writes labels and strings with their quotes, references
as ``${...}`` and marks block bodies with ``__is_block__``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from guardrails.documents import Block
from guardrails.model import Kind, ParseError
from guardrails.parsers import hcl

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TF_FILES = sorted(FIXTURES.rglob("*.tf"))

Tree = tuple[dict[str, Any], list[tuple[str, tuple[str, ...], Any]]]


def _is_block_entry(value: Any) -> bool:
    if not isinstance(value, dict):
        return False
    if "__is_block__" in value:
        return True
    return bool(value) and all(k.startswith('"') and _is_block_entry(v) for k, v in value.items())


def _unlabel(entry: dict[str, Any], labels: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], dict[str, Any]]]:
    if "__is_block__" in entry:
        return [(labels, entry)]
    return [pair for key, value in entry.items() for pair in _unlabel(value, (*labels, key.strip('"')))]


def _oracle(body: dict[str, Any]) -> Tree:
    attributes: dict[str, Any] = {}
    blocks: list[tuple[str, tuple[str, ...], Any]] = []
    for key, value in body.items():
        if key.startswith("__"):
            continue
        if isinstance(value, list) and value and all(_is_block_entry(v) for v in value):
            blocks.extend((key, labels, _oracle(b)) for entry in value for labels, b in _unlabel(entry))
        else:
            attributes[key] = value
    return attributes, blocks


def _ours(blocks: list[Block], attributes: dict[str, Any]) -> Tree:
    values = {name: attr.expr for name, attr in attributes.items()}
    children = [(b.type, tuple(b.labels), _ours(b.blocks, b.attributes)) for b in blocks]
    return values, children


def _comparable(expr: Any, oracle: Any) -> tuple[Any, Any] | None:
    """(our value, oracle value) for a literal both can state exactly, else None."""
    if expr.kind != "literal" or expr.value is None:
        return None
    if isinstance(expr.value, str):
        if not isinstance(oracle, str) or "\\" in expr.text or "${" in expr.value or "%{" in expr.value:
            return None
        return expr.value, oracle[1:-1] if oracle.startswith('"') and oracle.endswith('"') else oracle
    return expr.value, oracle


def _compare(ours: Tree, oracle: Tree, where: str) -> list[str]:
    problems: list[str] = []
    our_attrs, our_blocks = ours
    oracle_attrs, oracle_blocks = oracle
    if set(our_attrs) != set(oracle_attrs):
        problems.append(f"{where}: attributes {sorted(our_attrs)} != {sorted(oracle_attrs)}")
    for name in set(our_attrs) & set(oracle_attrs):
        pair = _comparable(our_attrs[name], oracle_attrs[name])
        if pair is not None and pair[0] != pair[1]:
            problems.append(f"{where}.{name}: {pair[0]!r} != {pair[1]!r}")
    our_keys = [(t, labels) for t, labels, _ in our_blocks]
    oracle_keys = [(t, labels) for t, labels, _ in oracle_blocks]
    if sorted(our_keys) != sorted(oracle_keys):
        problems.append(f"{where}: blocks {sorted(our_keys)} != {sorted(oracle_keys)}")
        return problems
    remaining = list(oracle_blocks)
    for block_type, labels, body in our_blocks:
        index = next(i for i, (t, lab, _) in enumerate(remaining) if (t, lab) == (block_type, labels))
        _, _, oracle_body = remaining.pop(index)
        problems.extend(_compare(body, oracle_body, f"{where}/{block_type}{''.join(f'.{x}' for x in labels)}"))
    return problems


def test_there_are_terraform_fixtures() -> None:
    assert len(TF_FILES) >= 3


@pytest.mark.parametrize("path", TF_FILES, ids=[str(p.relative_to(FIXTURES)) for p in TF_FILES])
def test_parser_agrees_with_python_hcl2(path: Path) -> None:
    hcl2 = pytest.importorskip("hcl2")
    text = path.read_text(encoding="utf-8")
    try:
        oracle = hcl2.loads(text)
    except Exception:  # the oracle fails on some valid files: nothing to compare with
        pytest.skip("python-hcl2 cannot parse this file")
    try:
        doc = hcl.parse(str(path), text, Kind.TERRAFORM)
    except ParseError as error:
        pytest.fail(f"python-hcl2 parses {path.name} but our parser does not: {error.message}")
    problems = _compare(_ours(doc.blocks, doc.attributes), _oracle(oracle), path.name)
    assert not problems, "\n".join(problems)
