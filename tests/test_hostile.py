"""Hostile input: each file here once crashed, hung or blinded a scanner somewhere.

Every case must end in a complete report within bounded time and memory, with the
file either analysed, reported as GR001 (with a position) or listed as skipped.
"""

from __future__ import annotations

import codecs
import os
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from guardrails.engine import Engine, ScanResult, Settings
from guardrails.registry import all_rules
from tests.conftest import scan_json

EXPOSED = "services:\n  db:\n    image: postgres:16\n    ports:\n      - 5432:5432\n"
EXPOSED_LINE = 5  # ED001 reports the published port
# A hang guard, not a speed test (speed is measured in benchmarks/): generous enough for a
# loaded 2-core machine under tracemalloc, far below what an unbounded input would take.
HANG_SECONDS = 120


def _scan(root: Path, *paths: str, max_size: int = 10 * 1024 * 1024) -> ScanResult:
    engine = Engine(Settings(rules=all_rules(), max_file_size=max_size), cwd=root)
    return engine.scan([Path(p) for p in paths] or [Path(".")])


def _measured(root: Path, *paths: str) -> tuple[ScanResult, float, int]:
    """The scan with its wall time (seconds) and peak traced memory (bytes)."""
    tracemalloc.start()
    start = time.perf_counter()
    try:
        result = _scan(root, *paths)
        elapsed = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return result, elapsed, peak


def _gr001(result: ScanResult, path: str) -> list[tuple[int, int, str]]:
    return [(f.span.line, f.span.column, f.message) for f in result.findings if f.rule_id == "GR001" and f.path == path]


def _no_crash(result: ScanResult) -> None:
    assert result.internal_errors == 0, [f.message for f in result.findings if f.rule_id == "GR000"]


# --------------------------------------------------------------------------- YAML bombs


def billion_laughs(levels: int = 9, width: int = 9) -> str:
    lines = ['a0: &a0 "lol"']
    for level in range(1, levels + 1):
        refs = ", ".join([f"*a{level - 1}"] * width)
        lines.append(f"a{level}: &a{level} [{refs}]")
    lines.append(f"bomb: *a{levels}")
    return "\n".join(lines) + "\n"


def test_yaml_alias_bomb_is_refused_in_bounded_time_and_memory(
    repo: Callable[[dict[str, str]], Path], record_property: Callable[[str, object], None]
) -> None:
    """9**9 (387 million) nodes once expanded: refused after counting, never built."""
    root = repo({"warm.yaml": "a: 1\n"})
    _scan(root)  # imports and rule loading are not the bomb's cost
    (root / "compose.yaml").write_text(billion_laughs())
    result, elapsed, peak = _measured(root, "compose.yaml")
    record_property("alias_bomb_seconds", round(elapsed, 3))
    record_property("alias_bomb_peak_bytes", peak)
    print(f"\nalias bomb: {elapsed * 1000:.1f} ms, peak traced memory {peak / 1024 / 1024:.2f} MiB")
    _no_crash(result)
    [(line, _, message)] = _gr001(result, "compose.yaml")
    assert "alias" in message and line >= 2
    assert elapsed < HANG_SECONDS and peak < 50 * 1024 * 1024


def test_many_small_aliases_below_the_cap_still_parse(repo: Callable[[dict[str, str]], Path]) -> None:
    """The cap counts expansion, not alias use: ordinary anchors stay fine."""
    base = "x-common: &common {restart: always}\nservices:\n"
    services = "".join(f"  s{i}:\n    <<: *common\n    image: nginx\n" for i in range(300))
    result = _scan(repo({"compose.yaml": base + services}))
    _no_crash(result)
    assert _gr001(result, "compose.yaml") == []


@pytest.mark.parametrize(
    "text",
    [
        "x: " + "[" * 50_000 + "]" * 50_000 + "\n",
        "x: " + "{a: " * 20_000 + "1" + "}" * 20_000 + "\n",
        "".join(" " * i + "- \n" for i in range(0, 4000, 2)),
        "".join(" " * i + f"k{i}:\n" for i in range(0, 4000, 2)),
    ],
    ids=["flow-sequences", "flow-mappings", "block-sequences", "block-mappings"],
)
def test_deep_yaml_nesting_is_reported(
    text: str, repo: Callable[[dict[str, str]], Path], record_property: Callable[[str, object], None]
) -> None:
    result, elapsed, peak = _measured(repo({"deep.yaml": text}))
    record_property("deep_yaml_seconds", round(elapsed, 3))
    print(f"\ndeep YAML: {elapsed * 1000:.1f} ms, peak traced memory {peak / 1024 / 1024:.2f} MiB")
    _no_crash(result)
    [(_, _, message)] = _gr001(result, "deep.yaml")
    assert "nesting deeper than" in message
    assert elapsed < HANG_SECONDS and peak < 200 * 1024 * 1024


# --------------------------------------------------------------------------- size, bytes, encodings


def test_fifty_megabyte_file_is_skipped_and_listed(repo: Callable[[dict[str, str]], Path]) -> None:
    root = repo({"ok.sh": "echo hi\n"})
    with (root / "huge.yaml").open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: the size is real, the disk space is not used
    start = time.perf_counter()
    code, report = scan_json(cwd=root)
    elapsed = time.perf_counter() - start
    [skipped] = report["skipped"]
    assert (skipped["path"], skipped["reason"]) == ("huge.yaml", "too-large")
    assert "52,428,800 bytes" in skipped["detail"]
    # Listed, and a finding: a YAML file the gate did not read must not pass it (GR006).
    assert [(f["rule_id"], f["path"]) for f in report["findings"]] == [("GR006", "huge.yaml")]
    assert report["counts"]["files_scanned"] == 1 and code == 1
    assert elapsed < HANG_SECONDS  # the file is never read


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("tool.sh", b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00" + bytes(range(256))),
        ("compose.yaml", b"services:\n  db:\n    image: postgres\x00\n"),
        ("Dockerfile", b"FROM alpine\n\x00\x00RUN true\n"),
    ],
    ids=["elf", "nul-in-yaml", "nul-in-dockerfile"],
)
def test_binary_content_is_listed_as_skipped(name: str, data: bytes, repo: Callable[[dict[str, str]], Path]) -> None:
    root = repo({})
    (root / name).write_bytes(data)
    result = _scan(root)
    _no_crash(result)
    assert [(s.path, s.reason) for s in result.skipped] == [(name, "binary")]


def test_invalid_utf8_is_gr001_with_its_position(repo: Callable[[dict[str, str]], Path]) -> None:
    root = repo({})
    (root / "compose.yaml").write_bytes(b"services:\n  web:\n    image: ngin\xe9x\n")
    result = _scan(root)
    _no_crash(result)
    [(line, column, message)] = _gr001(result, "compose.yaml")
    assert (line, column) == (3, 16)
    assert "not valid UTF-8" in message and "0xe9" in message


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom_is_read_with_positions_intact(codec: str, repo: Callable[[dict[str, str]], Path]) -> None:
    root = repo({})
    bom = codecs.BOM_UTF16_LE if codec.endswith("le") else codecs.BOM_UTF16_BE
    (root / "compose.yaml").write_bytes(bom + EXPOSED.encode(codec))
    result = _scan(root)
    _no_crash(result)
    assert [(f.rule_id, f.span.line) for f in result.findings] == [("ED001", EXPOSED_LINE)]


def test_utf8_bom_and_crlf_keep_lines_and_columns(repo: Callable[[dict[str, str]], Path]) -> None:
    root = repo({})
    (root / "lf.yaml").write_bytes(EXPOSED.replace("services", "# x\nservices").encode())
    (root / "crlf.yaml").write_bytes(
        codecs.BOM_UTF8 + EXPOSED.replace("services", "# x\nservices").replace("\n", "\r\n").encode()
    )
    result = _scan(root)
    _no_crash(result)
    spans = {f.path: (f.rule_id, f.span) for f in result.findings}
    assert spans["crlf.yaml"] == spans["lf.yaml"]
    assert spans["lf.yaml"][1].line == EXPOSED_LINE + 1


def test_crlf_parse_error_position(repo: Callable[[dict[str, str]], Path]) -> None:
    root = repo({})
    (root / "compose.yaml").write_bytes(b"services:\r\n  db:\r\n    image: x\r\n     ports: [1]\r\n")
    (root / "lf.yaml").write_bytes(b"services:\n  db:\n    image: x\n     ports: [1]\n")
    result = _scan(root)
    assert _gr001(result, "compose.yaml")[0][:2] == _gr001(result, "lf.yaml")[0][:2]
    assert _gr001(result, "compose.yaml")[0][0] == 4


# --------------------------------------------------------------------------- the file system


def test_symlink_loops_and_links_out_of_the_tree_are_reported(
    repo: Callable[[dict[str, str]], Path], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """``Path.resolve`` raised RuntimeError on a symlink loop and killed the scan."""
    outside = tmp_path_factory.mktemp("outside")
    (outside / "compose.yaml").write_text(EXPOSED)
    root = repo({"ok.yaml": "a: 1\n", "sub/x.sh": "echo\n"})
    os.symlink("b.yaml", root / "a.yaml")
    os.symlink("a.yaml", root / "b.yaml")
    os.symlink("self.yaml", root / "self.yaml")
    os.symlink("..", root / "sub" / "up")
    os.symlink(outside / "compose.yaml", root / "out.yaml")
    os.symlink(outside, root / "outdir")
    result = _scan(root)
    _no_crash(result)
    skipped = {s.path: (s.reason, s.detail) for s in result.skipped}
    assert skipped == {
        "a.yaml": ("symlink", "symlink loop"),
        "b.yaml": ("symlink", "symlink loop"),
        "self.yaml": ("symlink", "symlink loop"),
        "sub/up": ("symlink", "directory symlinks are not followed"),
        "out.yaml": ("symlink", "target outside the scanned tree"),
        "outdir": ("symlink", "directory symlinks are not followed"),
    }
    assert result.files_scanned == 2 and not result.findings


def test_explicit_symlink_loop_argument_is_reported(repo: Callable[[dict[str, str]], Path]) -> None:
    root = repo({})
    os.symlink("loop.yaml", root / "loop.yaml")
    code, report = scan_json("loop.yaml", cwd=root)
    assert [s["path"] for s in report["skipped"]] == ["loop.yaml"]
    assert code == 0


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_fifo_is_listed_not_opened(repo: Callable[[dict[str, str]], Path]) -> None:
    """Opening a FIFO blocks until a writer comes: the scan hung forever on an explicit one."""
    root = repo({"ok.sh": "echo\n"})
    os.mkfifo(root / "compose.yaml")
    _, report = scan_json(cwd=root)  # run_cli has a timeout: a hang fails the test
    assert [(s["path"], s["reason"]) for s in report["skipped"]] == [("compose.yaml", "unreadable")]
    _, report = scan_json("compose.yaml", cwd=root)
    assert [(s["path"], s["reason"]) for s in report["skipped"]] == [("compose.yaml", "unreadable")]


def test_file_that_cannot_be_read_is_listed(
    repo: Callable[[dict[str, str]], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """chmod 0 does not stop root, so opening the file is made to fail as it would for a user."""
    root = repo({"compose.yaml": EXPOSED, "ok.sh": "echo\n"})
    real = os.open

    def refuse(path: str | os.PathLike[str], flags: int, *args: int, **kwargs: int) -> int:
        if os.fspath(path).endswith("compose.yaml"):
            raise PermissionError(13, "Permission denied")
        return real(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse)
    result = _scan(root)
    _no_crash(result)
    assert [(s.path, s.reason, s.detail) for s in result.skipped] == [
        ("compose.yaml", "unreadable", "Permission denied")
    ]


@pytest.mark.skipif(os.geteuid() == 0, reason="root opens a mode-000 directory anyway")
def test_unreadable_directory_is_listed(repo: Callable[[dict[str, str]], Path]) -> None:
    root = repo({"locked/compose.yaml": EXPOSED})
    (root / "locked").chmod(0)
    try:
        result = _scan(root)
    finally:
        (root / "locked").chmod(0o755)
    assert [(s.path, s.reason) for s in result.skipped] == [("locked", "unreadable")]


# --------------------------------------------------------------------------- degenerate sizes

EMPTY_NAMES = [
    "compose.yaml",
    "k8s.yaml",
    "main.tf",
    "vars.tfvars",
    "main.tf.json",
    "daemon.json",
    "plan.json",
    "run.sh",
    "job.py",
    "schema.sql",
    "Dockerfile",
    "Makefile",
    ".env",
    "db.zone",
    "resolv.conf",
    ".github/workflows/ci.yml",
    ".gitlab-ci.yml",
]


def test_empty_files_of_every_kind(repo: Callable[[dict[str, str]], Path]) -> None:
    root = repo(dict.fromkeys(EMPTY_NAMES, ""))
    result = _scan(root)
    _no_crash(result)
    assert result.files_scanned == len(EMPTY_NAMES)
    reported = {f.path for f in result.findings if f.rule_id == "GR001"}
    # JSON needs a value; every other format reads an empty file as an empty document.
    assert reported == {"main.tf.json", "daemon.json", "plan.json"}


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("compose.yaml", "services:\n  web:\n    image: nginx\n    command: echo " + "x" * 1_000_000 + "\n"),
        ("run.sh", "echo " + "a" * 1_000_000 + "\n"),
        ("daemon.json", '{"labels": ["' + "b" * 1_000_000 + '"]}\n'),
        ("main.tf", 'locals {\n  x = "' + "c" * 1_000_000 + '"\n}\n'),
        (".env", "KEY=" + "d" * 1_000_000 + "\n"),
        ("Dockerfile", "FROM alpine\nRUN echo " + "e" * 1_000_000 + "\n"),
        ("job.py", "x = '" + "f" * 1_000_000 + "'\n"),
        ("schema.sql", "SELECT '" + "g" * 1_000_000 + "';\n"),
    ],
    ids=lambda v: v if len(v) < 40 else "1MB",
)
def test_one_megabyte_line(name: str, text: str, repo: Callable[[dict[str, str]], Path]) -> None:
    result, elapsed, _ = _measured(repo({name: text}))
    _no_crash(result)
    assert result.files_scanned == 1
    assert _gr001(result, name) == []
    assert elapsed < HANG_SECONDS


def test_sql_dump_with_dashed_comment_lines_parses_in_bounded_time(repo: Callable[[dict[str, str]], Path]) -> None:
    """A Navicat dump: ``-- ----`` banner lines before each statement once made the test for
    ``COPY … FROM STDIN`` backtrack exponentially, and the scan never ended (the CLI runs in
    a process with a time limit)."""
    banner = "-- " + "-" * 40 + "\n"
    statements = (
        f"{banner}-- Table t{i}\n{banner}DROP TABLE IF EXISTS t{i};\nCREATE TABLE t{i} (a int);\n" for i in range(30)
    )
    root = repo({"dump.sql": "".join(statements)})
    code, report = scan_json("--no-cache", str(root / "dump.sql"), cwd=root)
    assert code in (0, 1)
    assert report["counts"]["files_scanned"] == 1
