"""Deferred regular expressions behave as compiled ones, and compile only when used."""

from __future__ import annotations

import re

from guardrails import deferred_re


def test_a_deferred_expression_is_compiled_at_first_use_only() -> None:
    pattern = deferred_re.compile(r"(?P<word>b+)", re.IGNORECASE)
    assert "search" not in vars(pattern)
    found = pattern.search("aBBa")
    assert found is not None and found.group("word") == "BB"
    assert "search" in vars(pattern)  # the compiled method, kept: no lookup through __getattr__ again
    assert pattern.sub("-", "abba") == "a-a"
    assert [m.group() for m in pattern.finditer("b ab bb")] == ["b", "b", "bb"]
    assert pattern.fullmatch("bb") and not pattern.match("ab")
    assert pattern.pattern == "(?P<word>b+)" and pattern.flags & re.IGNORECASE
    assert pattern.split("abba") == ["a", "bb", "a"]


def test_every_attribute_of_a_compiled_pattern_is_reachable() -> None:
    pattern = deferred_re.compile(r"(a)(b)?")
    assert pattern.groups == 2 and pattern.groupindex == {}


def test_a_deferred_expression_can_be_copied_and_pickled() -> None:
    import copy
    import pickle

    pattern = deferred_re.compile(r"x+")
    assert copy.copy(pattern).search("axx").group() == "xx"  # type: ignore[union-attr]
    assert pickle.loads(pickle.dumps(pattern)).sub("-", "axxa") == "a-a"
