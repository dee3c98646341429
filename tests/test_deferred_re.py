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


def test_a_package_imported_while_deferring_compiles_its_expressions_at_first_use(tmp_path, monkeypatch) -> None:
    package = tmp_path / "deferredpkg"
    package.mkdir()
    (package / "__init__.py").write_text("import re\nWORD = re.compile(r'b+', re.I)\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    with deferred_re.deferring("deferredpkg"):
        import deferredpkg  # type: ignore[import-not-found]

        outside = re.compile("x")  # another module's call, inside the window: compiled
    assert isinstance(outside, re.Pattern)
    assert not isinstance(deferredpkg.WORD, re.Pattern) and "search" not in vars(deferredpkg.WORD)
    assert deferredpkg.WORD.search("aBBa").group() == "BB"
    assert re.compile is deferred_re._COMPILE  # restored


def test_pyyaml_is_imported_with_deferred_expressions_and_reads_as_before() -> None:
    import subprocess
    import sys

    code = (
        "import re\n"
        "from guardrails.yaml_lib import yaml\n"
        "print(isinstance(yaml.reader.Reader.NON_PRINTABLE, re.Pattern))\n"
        "print(yaml.safe_load('a: [1, 0x1f, 1:30, 2.5e+3, yes, ~, 2001-12-14]'))\n"
        "try:\n"
        "    yaml.safe_load('a: \\x07')\n"
        "except yaml.YAMLError as exc:\n"
        "    print(type(exc).__name__)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.splitlines()
    assert out == [
        "False",
        "{'a': [1, 31, 90, 2500.0, True, None, datetime.date(2001, 12, 14)]}",
        "ReaderError",
    ]
