"""Property-based tests: every parser and the whole scan survive random and mutated input.

Seeds come from fixtures/, the rules' own examples and ../shared/corpus (see
benchmarks/fuzz.py, which runs the same mutators for minutes instead of seconds).
Properties: only ``ParseError`` leaves a parser; the scan always yields a complete
report without internal errors; a file that does not parse is reported as GR001.
The run is derandomized so that CI sees the same inputs every time.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from functools import cache
from types import ModuleType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guardrails.detect import detect
from guardrails.engine import Engine, Settings
from guardrails.model import Kind, ParseError
from guardrails.registry import all_rules
from guardrails.report import json_report
from tests.conftest import REPO

_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@cache
def fuzz() -> ModuleType:
    """benchmarks/fuzz.py, loaded by path (benchmarks/ is not a package)."""
    spec = importlib.util.spec_from_file_location("guardrails_fuzz", REPO / "benchmarks" / "fuzz.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@cache
def seeds() -> dict[str, list[str]]:
    return fuzz().load_seeds()


FORMAT_NAMES = [f.name for f in fuzz().FORMATS]
_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=300)


def test_every_parser_module_has_a_format() -> None:
    """A parser added to guardrails/parsers without a fuzz format would go unfuzzed."""
    from guardrails.parsers import _MODULES

    fuzzed = {f.module for f in fuzz().FORMATS}
    assert set(_MODULES.values()) | {"terraform_json"} <= fuzzed


def test_seeds_exist_for_every_format() -> None:
    assert all(seeds()[name] for name in FORMAT_NAMES)


@pytest.mark.parametrize("name", FORMAT_NAMES)
@_SETTINGS
@given(rng=st.randoms(use_true_random=False), rounds=st.integers(1, 6), pick=st.integers(0, 10_000))
def test_parser_survives_mutated_seeds(name: str, rng, rounds: int, pick: int) -> None:  # type: ignore[no-untyped-def]
    fmt, pool = fuzz().BY_NAME[name], seeds()[name]
    fuzz().check_parser(fmt, fuzz().mutate(rng, pool[pick % len(pool)], fmt, pool, rounds))


@pytest.mark.parametrize("name", FORMAT_NAMES)
@_SETTINGS
@given(data=st.data())
def test_parser_survives_random_text(name: str, data: st.DataObject) -> None:
    fmt = fuzz().BY_NAME[name]
    tokens = st.lists(st.sampled_from((*fmt.tokens, "\n", " ", "x", "1"))).map("".join)
    fuzz().check_parser(fmt, data.draw(st.one_of(_TEXT, tokens)))


@pytest.mark.parametrize("name", FORMAT_NAMES)
@settings(_SETTINGS, max_examples=15)
@given(rng=st.randoms(use_true_random=False), rounds=st.integers(0, 4), pick=st.integers(0, 10_000))
def test_scan_reports_every_mutated_file(name: str, rng, rounds: int, pick: int) -> None:  # type: ignore[no-untyped-def]
    fmt, pool = fuzz().BY_NAME[name], seeds()[name]
    fuzz().check_scan(fmt, fuzz().mutate(rng, pool[pick % len(pool)], fmt, pool, rounds))


@settings(_SETTINGS, max_examples=80)
@given(data=st.binary(max_size=400), name=st.sampled_from(FORMAT_NAMES))
def test_scan_of_arbitrary_bytes_is_complete(data: bytes, name: str) -> None:
    """Bytes as they come off disk or stdin: text, undecodable (GR001 with a position), binary (skipped)
    or not of the kind its name says (unsupported, listed)."""
    fmt = fuzz().BY_NAME[name]
    result = Engine(Settings(rules=all_rules())).scan([], stdin=(fmt.filename, data))
    assert result.internal_errors == 0
    report = json.loads(json_report.render(result))
    listed = report["counts"]["files_scanned"] + len(report["skipped"])
    assert listed == 1, report
    if result.skipped:
        skipped = result.skipped[0]
        # Binary, or content that says the name is wrong (a diff, another format's .zone file).
        named = detect(fmt.filename) is not None
        assert (skipped.reason == "binary" and b"\x00" in data) or (
            skipped.reason == "unsupported" and named and detect(fmt.filename, data[:4096]) is None
        )


# --------------------------------------------------------------------------- regressions
# Each crash the fuzz run or the corpus found, reduced to its smallest form.


def _parse(module: str, text: str, kind: Kind, path: str = "x") -> object:
    return importlib.import_module(f"guardrails.parsers.{module}").parse(path, text, kind)


def test_deep_python_nesting_is_a_parse_error_not_a_segfault() -> None:
    """libcst's native parser overflowed the C stack (SIGSEGV) on 2,000 nested parentheses:
    the whole scan died. Run in a child process so a regression fails this test, not the suite."""
    code = (
        "from guardrails.parsers import python\n"
        "from guardrails.model import Kind, ParseError\n"
        "for src in ('x=' + '(' * 5000 + ')' * 5000, 'x=' + '-' * 20000 + '1', 'x' + '()' * 5000):\n"
        "    try:\n"
        "        python.parse('a.py', src, Kind.PYTHON)\n"
        "    except ParseError as e:\n"
        "        print(e.message)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "invalid Python: too many nested parentheses",
        "invalid Python: nested too deeply for the Python parser",
        "invalid Python: nested too deeply for the Python parser",
    ]


def test_python_within_cpython_limits_still_parses() -> None:
    assert _parse("python", "x = " + "(" * 150 + "1" + ")" * 150 + "\n", Kind.PYTHON) is not None


@pytest.mark.parametrize(
    "text",
    [
        'resource "a" "b" {\n  x = ' + "[" * 3000 + "]" * 3000 + "\n}\n",
        "a {\n" * 2000 + "}\n" * 2000,
        "x = " + "f(" * 2000 + "1" + ")" * 2000 + "\n",
    ],
    ids=["tuples", "blocks", "calls"],
)
def test_deep_hcl_is_a_parse_error(text: str) -> None:
    """RecursionError escaped the HCL builder (found by the fuzz run)."""
    with pytest.raises(ParseError, match="nested too deeply"):
        _parse("hcl", text, Kind.TERRAFORM)


@pytest.mark.parametrize(
    "text",
    [
        "{ " * 2000 + "true; " + "}; " * 2000,
        "if true; then " * 2000 + "echo; " + "fi; " * 2000,
        "echo " + "$(" * 2000 + "x" + ")" * 2000,
    ],
    ids=["braces", "ifs", "substitutions"],
)
def test_deep_shell_is_a_parse_error(text: str) -> None:
    with pytest.raises(ParseError, match="nested too deeply"):
        _parse("shell", text + "\n", Kind.SHELL)


def test_long_and_chain_parses_with_its_guards() -> None:
    """``a && b && …`` nests to the left: 2,000 links used to exhaust the stack."""
    doc = _parse("shell", " && ".join(f"step{i}" for i in range(2000)) + "\n", Kind.SHELL)
    commands = doc.commands  # type: ignore[attr-defined]
    assert [c.command for c in commands][-1] == "step1999"
    assert len(commands[-1].conditions) == 1 and commands[-1].conditions[0].kind == "and"
    assert commands[-1].conditions[0].text.startswith("step0 && step1")


def test_deep_dockerfile_json_array_is_shell_form() -> None:
    """json.loads raised RecursionError on a deeply nested exec-form array."""
    doc = _parse("dockerfile", "FROM alpine\nCMD " + "[" * 5000 + "]" * 5000 + "\n", Kind.DOCKERFILE, "Dockerfile")
    assert doc is not None


def test_yaml_mapping_used_as_key_is_reported() -> None:
    """``replicas: {{replicas}}`` is valid YAML syntax that no loader accepts (an
    unrendered template, five of them in the corpus): it was read as a map key and passed."""
    with pytest.raises(ParseError, match="mapping key that is itself a mapping") as caught:
        _parse("yaml_tree", "spec:\n  replicas: {{replicas}}\n", Kind.YAML)
    assert (caught.value.line, caught.value.column) == (2, 14)


def test_comment_after_a_block_scalar_is_not_part_of_the_script() -> None:
    """A less-indented comment after ``- |`` fell inside the scalar's end mark and was
    parsed as shell: a false GR001 on the corpus's cockroachdb StatefulSet."""
    manifest = (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: busybox\n"
        "    command:\n      - /bin/sh\n      - -c\n      - |\n        echo start\n        exec run\n"
        "  # so it's a YAML comment, not script\n  restartPolicy: Never\n"
    )
    result = Engine(Settings(rules=all_rules())).scan([], stdin=("pod.yaml", manifest.encode()))
    assert result.files_scanned == 1
    assert [f.message for f in result.findings if f.rule_id.startswith("GR")] == []


def test_astral_characters_do_not_crash_tree_sitter_bash() -> None:
    """tree-sitter-bash segfaulted on ``n{`` + U+E4DFF + ``$`` (and many other code points past
    U+2D000): the parse input masks them, byte for byte. In a child process, as above."""
    code = (
        "from guardrails.parsers import shell\n"
        "from guardrails.model import Kind\n"
        "doc = shell.parse('x.sh', 'n{\\U000e4dff$\\necho /data/\\U0002d080 \"\\U0001f600\"\\n', Kind.SHELL)\n"
        "assert doc.commands[-1].argv == ['/data/\U0002d080', '\U0001f600'], doc.commands\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr


def test_fuzz_with_a_fresh_seed(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    """Every CI run fuzzes for a short budget with a seed never used before, so that runs add
    up to new inputs instead of the same ones; the seed is printed to reproduce a failure with
    ``python benchmarks/fuzz.py --seconds 20 --seed SEED``. Longer runs are part of a release
    (docs/release.md)."""
    import os
    import random

    seed = int(os.environ.get("GUARDRAILS_FUZZ_SEED") or random.SystemRandom().randrange(1, 2**31))
    with capsys.disabled():
        print(f"\nfuzz seed: {seed}")
    command = [sys.executable, str(REPO / "benchmarks" / "fuzz.py"), "--seconds", "20", "--seed", str(seed)]
    proc = subprocess.run(
        [*command, "--out", str(tmp_path / "failures")],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
    )
    assert proc.returncode == 0, f"fuzz seed {seed} found failures:\n{proc.stdout}\n{proc.stderr}"
