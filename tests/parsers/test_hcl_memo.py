"""Files of the same text are parsed once: each document still has its own path, its own
findings and its own containers, and the memo stays within its bounds."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from guardrails.engine import Engine, Settings
from guardrails.model import Kind, ParseError
from guardrails.parsers import hcl
from guardrails.parsers.hcl import parse, top_level_blocks
from guardrails.registry import all_rules

MAIN = (
    'resource "aws_db_instance" "main" {\n  engine              = "postgres"\n  deletion_protection = var.protect\n}\n'
)


@pytest.fixture(autouse=True)
def fresh_memo() -> Iterator[None]:
    hcl._MEMO.clear()
    yield
    hcl._MEMO.clear()


def test_identical_files_keep_their_own_paths_and_their_own_findings(
    repo: Callable[[dict[str, str]], Path],
) -> None:
    variable = 'variable "protect" {{\n  default = {}\n}}\n'
    root = repo(
        {
            "a/main.tf": MAIN,
            "a/variables.tf": variable.format("false"),
            "b/main.tf": MAIN,
            "b/variables.tf": variable.format("true"),
            "c/main.tf": MAIN,
            "c/variables.tf": variable.format("false"),
        }
    )
    result = Engine(Settings(rules=all_rules(), jobs=1, use_cache=False), cwd=root).scan([Path(".")])
    found = sorted((f.path, f.span.line) for f in result.findings if f.rule_id == "DO050")
    assert found == [("a/main.tf", 3), ("c/main.tf", 3)]
    assert MAIN in hcl._MEMO.kept  # parsed once, reused


def test_documents_of_one_text_share_blocks_but_not_containers() -> None:
    first = parse("a/main.tf", MAIN, Kind.TERRAFORM)
    second = parse("b/main.tf", MAIN, Kind.TFVARS)
    assert (first.path, second.path, second.kind) == ("a/main.tf", "b/main.tf", Kind.TFVARS)
    assert first.blocks == second.blocks and first.attributes == second.attributes
    assert first.blocks is not second.blocks and first.attributes is not second.attributes


def test_a_text_that_does_not_parse_fails_the_same_way_every_time() -> None:
    broken = 'resource "a" "b" {\n  x = \n'
    errors = []
    for path in ("a.tf", "b.tf", "c.tf"):
        with pytest.raises(ParseError) as caught:
            parse(path, broken, Kind.TERRAFORM)
        errors.append((caught.value.message, caught.value.line, caught.value.column))
    assert errors[0] == errors[1] == errors[2]


def test_top_level_blocks_read_from_the_memo_are_those_of_a_fresh_parse() -> None:
    text = MAIN + 'module "x" {\n  source = "./x"\n  a      = 1\n}\n'
    fresh = top_level_blocks(text, "module")
    parse("m.tf", text, Kind.TERRAFORM)
    assert hcl._MEMO.get(text) is not None
    assert top_level_blocks(text, "module") == fresh and [b.type for b in fresh] == ["module"]


def test_the_memo_keeps_only_texts_that_come_again_within_its_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hcl._Memo, "MAX_ENTRIES", 4)
    monkeypatch.setattr(hcl._Memo, "RECENT", 3)
    monkeypatch.setattr(hcl._Memo, "HASHES", 5)
    texts = [f"locals {{\n  n = {i}\n}}\n" for i in range(20)]
    for text in texts:
        parse("once.tf", text, Kind.TERRAFORM)
    memo = hcl._MEMO
    assert not memo.kept and len(memo.recent) == 3 and len(memo.hashes) == 5
    parse("later.tf", texts[0], Kind.TERRAFORM)  # let go of long ago: forgotten
    assert not memo.kept
    parse("later.tf", texts[19], Kind.TERRAFORM)  # among the recent ones
    parse("later.tf", texts[14], Kind.TERRAFORM)  # let go of lately: known by its hash
    assert list(memo.kept) == [texts[19], texts[14]]
    for text in texts:
        assert parse("twice.tf", text, Kind.TERRAFORM).attributes == {}
        parse("twice.tf", text, Kind.TERRAFORM)
        assert len(memo.kept) <= 4 and len(memo.recent) <= 3 and len(memo.hashes) <= 5
    assert list(memo.kept) == texts[-4:]
    monkeypatch.setattr(hcl._Memo, "MAX_CHARS", 2 * len(texts[0]))
    for text in texts[:3]:
        parse("again.tf", text, Kind.TERRAFORM)
        parse("again.tf", text, Kind.TERRAFORM)
    assert memo.chars == sum(len(text) for text in memo.kept) <= 2 * len(texts[0])
    assert memo.recent_chars == sum(len(text) for text in memo.recent) <= len(texts[0]) // 2
