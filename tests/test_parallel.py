"""--jobs: the same report, byte for byte, whether files are checked here or in a pool."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

import pytest

from benchmarks.generate import generate
from guardrails import parallel
from guardrails.engine import Engine, Settings
from guardrails.registry import all_rules
from guardrails.report import json_report
from tests.conftest import run_cli


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("gen") / "repo"
    generate(root, 240, "mixed", seed=3, risky_share=0.5)
    (root / ".git").mkdir()
    return root


def test_pool_and_in_process_reports_are_identical(generated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_FILES_PER_JOB", 1)
    monkeypatch.setattr(parallel, "CHUNK_FILES", 8)
    reports = []
    for jobs in (1, 2, 3):
        result = Engine(Settings(rules=all_rules(), jobs=jobs), cwd=generated).scan([Path(".")])
        reports.append(json_report.render(result))
    assert result.files_scanned == 240
    assert {"ED001", "SS001"} <= {f.rule_id for f in result.findings}
    assert reports[0] == reports[1] == reports[2]


def test_cli_jobs_output_is_byte_identical(generated: Path) -> None:
    args = ("scan", ".", "--no-cache", "-f", "json")
    outputs = [run_cli(*args, "-j", jobs, cwd=generated) for jobs in ("1", "2")]
    assert outputs[0].returncode == outputs[1].returncode == 1, outputs[0].stderr
    assert outputs[0].stdout == outputs[1].stdout


def test_chunks_keep_directories_whole_and_in_order() -> None:
    items = [parallel.Work(Path(p), p, None) for p in ("a/1", "a/2", "a/3", "b/1", "c/1", "c/2", "d/1")]
    chunks = parallel._chunks(items, 3)
    assert [[w.display for w in chunk] for chunk in chunks] == [["a/1", "a/2", "a/3"], ["b/1", "c/1", "c/2"], ["d/1"]]


def test_collection_by_group_frees_each_groups_cycles_and_leaves_nothing_frozen() -> None:
    if not gc.isenabled() or gc.get_freeze_count():
        pytest.skip("the collector is managed by someone else in this process")

    class Cyclic:
        other: object = None

    dropped = []
    with parallel._collection_by_group() as group_done:
        for _ in range(3):
            first, second = Cyclic(), Cyclic()
            first.other, second.other = second, first
            dropped.append(weakref.ref(first))
            del first, second
            group_done()
            assert dropped[-1]() is None
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0


def test_collection_by_group_keeps_frozen_what_a_process_that_freezes_keeps() -> None:
    """The guardrails command freezes its start-up objects for good: the scan's survivors,
    which live as long, stay frozen too (unfreezing would thaw start-up as well)."""
    if not gc.isenabled():
        pytest.skip("the collector is managed by someone else in this process")
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        survivors = []
        with parallel._collection_by_group() as group_done:
            survivors.append([object()])
            group_done()
        assert gc.get_freeze_count() > frozen
    finally:
        gc.unfreeze()
