"""--jobs: the same report, byte for byte, whether files are checked here or in a pool."""

from __future__ import annotations

import base64
import concurrent.futures
import gc
import json
import weakref
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any, ClassVar

import pytest

from benchmarks.generate import generate
from guardrails import parallel
from guardrails.engine import Engine, Settings
from guardrails.registry import all_rules
from guardrails.report import json_report
from tests.conftest import run_cli
from tests.test_cache import SharedDotenvValue


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


def test_a_pool_worker_asks_once_whether_the_process_froze_objects(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Counting the frozen objects walks them all: a worker asks when it starts, not per chunk."""
    if not gc.isenabled():
        pytest.skip("the collector is managed by someone else in this process")
    asked = []
    count = gc.get_freeze_count
    monkeypatch.setattr(parallel.gc, "get_freeze_count", lambda: asked.append(1) or count())
    monkeypatch.setattr(parallel, "_WORKER", None)
    engine = Engine(Settings(rules=all_rules(), jobs=1, use_cache=False), cwd=tmp_path)
    parallel._init_worker(engine, tmp_path, frozenset(), False)
    for _ in range(3):
        assert parallel._work([]) == []
    assert len(asked) == 1


# --------------------------------------------------------------------------- project-wide rules in the pool

SERVICES = 30


def shared_secrets_files() -> dict[str, str]:
    """Environments in separate directories (so in separate chunks) sharing secret values and
    secret-manager entries: Terraform, tfvars, dotenv, Helm values, a Kubernetes Secret (read
    by rules that keep documents, so checked in this process) and a CI workflow. 8 files a
    service: enough files for a pool of two."""
    files: dict[str, str] = {}
    for i in range(SERVICES):
        svc = f"svc{i:02d}"
        prod_password, prod_token = f"Pr0d-{i:02d}-Xq7w-Lm2z", f"tok{i:02d}Qv8ZkP3rT9wYb2Lm"
        dev_password = prod_password if i % 3 == 0 else f"Dev-{i:02d}-Hn4t-Ws81"
        dev_token = prod_token if i % 5 == 0 else f"tok{i:02d}Dev7Wq2Lp9Xc4Nb"
        prod_vault, dev_vault = f"secret/data/{svc}/db", f"secret/{'' if i % 4 == 0 else 'dev/'}{svc}/db"
        files[f"envs/prod/{svc}/terraform.tfvars"] = f'db_username = "app"\ndb_password = "{prod_password}"\n'
        files[f"envs/dev/{svc}/terraform.tfvars"] = f'db_username = "app"\ndb_password = "{dev_password}"\n'
        files[f"envs/prod/{svc}/main.tf"] = (
            f'data "vault_generic_secret" "db" {{\n  path = "{prod_vault}"\n}}\n'
            f'resource "aws_db_instance" "db" {{\n  identifier = "{svc}"\n  deletion_protection = true\n}}\n'
        )
        files[f"envs/dev/{svc}/main.tf"] = f'data "vault_generic_secret" "db" {{\n  path = "{dev_vault}"\n}}\n'
        files[f"deploy/{svc}/.env.production"] = f"API_TOKEN={prod_token}\nLOG_LEVEL=info\n"
        files[f"deploy/{svc}/.env.development"] = f"API_TOKEN={dev_token}\nLOG_LEVEL=debug\n"
        files[f"charts/{svc}/values-staging.yaml"] = f"stripe:\n  api_key: sk_live_{i:02d}4eC39hqLam2b\n"
        files[f"k8s/overlays/production/{svc}-secret.yaml"] = (
            f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: {svc}\ndata:\n"
            f"  STRIPE_KEY: {base64.b64encode(f'sk_live_{i:02d}4eC39hqLam2b'.encode()).decode()}\n"
        )
    files["legacy/.env.prod"] = "REGION=eu-west-1\n"
    files["legacy/.env.dev"] = "REGION=eu-west-1\n"
    files[".github/workflows/deploy.yml"] = (
        "on: push\njobs:\n  staging:\n    environment: staging\n    runs-on: ubuntu-latest\n"
        "    env:\n      API_TOKEN: tok00Qv8ZkP3rT9wYb2Lm\n    steps:\n      - run: ./deploy.sh\n"
    )
    return files


@pytest.fixture(scope="module")
def shared_secrets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("secrets") / "repo"
    for rel, content in shared_secrets_files().items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(content, encoding="utf-8")
    (root / ".git").mkdir()
    return root


class RecordingPool(ProcessPoolExecutor):
    """The pool ``parallel.run`` makes, recording the files it sends to the workers."""

    sent: ClassVar[list[str]] = []

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        RecordingPool.sent.extend(work.display for work in args[0])
        return super().submit(fn, *args, **kwargs)


def test_shared_secrets_are_found_by_workers(shared_secrets: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The files the secret rules read are checked in the pool, and the report is the one
    checking everything in this process gives."""
    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", RecordingPool)
    monkeypatch.setattr(RecordingPool, "sent", [])
    results = [Engine(Settings(rules=all_rules(), jobs=jobs), cwd=shared_secrets).scan([Path(".")]) for jobs in (1, 2)]
    assert results[1].files_scanned == len(shared_secrets_files())
    sent = set(RecordingPool.sent)
    assert {
        "envs/prod/svc00/terraform.tfvars",
        "deploy/svc00/.env.development",
        "k8s/overlays/production/svc00-secret.yaml",
    } <= sent
    assert json_report.render(results[0]) == json_report.render(results[1])
    by_rule = Counter(f.rule_id for f in results[1].findings)
    # Passwords shared by every third service, tokens by every fifth (and the CI token of
    # svc00), Vault paths by every fourth, Stripe keys by all (Kubernetes Secret = staging).
    assert by_rule["SS001"] == 10 + 6 + SERVICES
    assert by_rule["SS002"] == 8
    token = next(f for f in results[1].findings if f.path == "deploy/svc00/.env.production")
    assert [r["path"] for r in token.related] == [".github/workflows/deploy.yml", "deploy/svc00/.env.development"]


def test_every_built_in_project_wide_rule_summarizes() -> None:
    """Otherwise the files of its kinds would be checked in this process, whatever --jobs says."""
    assert [rule.id for rule in all_rules() if rule.project_wide and not rule.summarizes] == []


def test_rules_that_read_documents_get_them_beside_the_pool(
    shared_secrets: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A project-wide rule without summaries: the files of its kinds are checked here."""
    monkeypatch.setattr(parallel, "MIN_FILES_PER_JOB", 50)  # the .env files stay out of the count
    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", RecordingPool)
    monkeypatch.setattr(RecordingPool, "sent", [])
    rules = (*all_rules(), SharedDotenvValue)
    results = [Engine(Settings(rules=rules, jobs=jobs), cwd=shared_secrets).scan([Path(".")]) for jobs in (1, 2)]
    assert RecordingPool.sent and not [path for path in RecordingPool.sent if ".env" in path]
    assert json_report.render(results[0]) == json_report.render(results[1])
    assert [f.path for f in results[1].findings if f.rule_id == "ZZ901"] == ["legacy/.env.prod"]
    assert Counter(f.rule_id for f in results[1].findings)["SS001"] == 10 + 6 + SERVICES


def test_cli_output_with_shared_secrets_is_byte_identical(shared_secrets: Path) -> None:
    args = ("scan", ".", "--no-cache", "-f", "json")
    outputs = [run_cli(*args, "-j", jobs, cwd=shared_secrets) for jobs in ("1", "2")]
    assert outputs[0].returncode == outputs[1].returncode == 1, outputs[0].stderr
    assert '"SS001"' in outputs[0].stdout and '"SS002"' in outputs[0].stdout
    assert outputs[0].stdout == outputs[1].stdout


@pytest.mark.parametrize("jobs", [1, 2])
def test_cached_and_pooled_scans_agree_with_a_cold_scan(
    jobs: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Files whose results come from the cache are summarized again beside the changed ones:
    a shared value introduced or removed in one environment shows up as in a cold scan."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg")))
    monkeypatch.setattr(parallel, "MIN_FILES_PER_JOB", 1)
    monkeypatch.setattr(parallel, "CHUNK_FILES", 8)
    root = tmp_path / "repo"
    for rel, content in shared_secrets_files().items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(content, encoding="utf-8")
    (root / ".git").mkdir()

    def scan(cached: bool, jobs: int) -> str:
        return json_report.render(
            Engine(Settings(rules=all_rules(), jobs=jobs, use_cache=cached), cwd=root).scan([Path(".")])
        )

    assert scan(True, jobs) == scan(False, 1)
    assert scan(True, jobs) == scan(False, 1)  # warm: every result from the cache
    (root / "envs/dev/svc01/terraform.tfvars").write_text('db_password = "Pr0d-01-Xq7w-Lm2z"\n', encoding="utf-8")
    (root / "envs/dev/svc03/terraform.tfvars").write_text('db_password = "Dev-03-Hn4t-Ws81"\n', encoding="utf-8")
    (root / "deploy/svc02/.env.development").write_text("API_TOKEN=tok02Qv8ZkP3rT9wYb2Lm\n", encoding="utf-8")
    changed = scan(True, jobs)
    cold = scan(False, 1)
    assert changed == cold
    paths = {f["path"] for f in json.loads(cold)["findings"] if f["rule_id"] == "SS001"}
    assert {"envs/prod/svc01/terraform.tfvars", "deploy/svc02/.env.production"} <= paths
    assert "envs/prod/svc03/terraform.tfvars" not in paths


def test_a_rule_that_summarizes_is_checked_when_defined() -> None:
    with pytest.raises(TypeError, match="summarizes = True needs a summarize method"):
        type("NoSummary", (SharedDotenvValue,), {"summarizes": True})
    with pytest.raises(TypeError, match="summarizes only applies to a project-wide rule"):
        type("PerDocument", (SharedDotenvValue,), {"summarizes": True, "project_wide": False, "summarize": len})


def test_a_checked_group_leaves_no_project_behind(generated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What survives a directory group is frozen for the rest of the scan: if anything still
    held the group's project then (its documents, its facts), every group leaked until the end
    (a 50k-file scan peaked at 352 MiB instead of 211)."""
    from guardrails.project import Project

    made: list[weakref.ref[Project]] = []
    original = Project.__init__

    def tracked(self: Project, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        made.append(weakref.ref(self))

    monkeypatch.setattr(Project, "__init__", tracked)
    alive_at_freeze: list[int] = []
    freeze = gc.freeze

    def counting_freeze() -> None:
        alive_at_freeze.append(sum(ref() is not None for ref in made[1:]))  # made[0]: the scan's own
        freeze()

    monkeypatch.setattr(parallel.gc, "freeze", counting_freeze)
    engine = Engine(Settings(rules=all_rules(), jobs=1, use_cache=False), cwd=generated)
    engine.scan([generated])
    assert len(alive_at_freeze) > 3
    assert alive_at_freeze == [0] * len(alive_at_freeze)


def test_a_worker_sends_each_dependency_group_once_and_the_parent_shares_one_copy() -> None:
    """Groups grow with the repository: one copy per chunk made a 50k-file scan writing its
    cache hold 1.6 GB. Sent once per worker, each group is one object in the parent."""
    from guardrails.cache import Dependencies

    group = ("k1", [("a.tf", "h1"), ("b.tf", "h2")], [("mods", (".tf",))])

    def result(name: str) -> parallel.FileResult:
        return parallel.FileResult(name, deps=Dependencies([], [], [(group[0], list(group[1]), list(group[2]))]))

    parallel._SENT_GROUPS.clear()
    first = parallel._send_groups_once([result("x.tf"), result("y.tf")])
    second = parallel._send_groups_once([result("z.tf")])
    assert [o.deps.groups[0][1] is not None for o in (*first, *second)] == [True, False, False]
    known: dict[str, tuple[Any, ...]] = {}
    whole = parallel._whole_groups(first, known) + parallel._whole_groups(second, known)
    assert all(o.deps.groups == [group] for o in whole)
    assert len({id(o.deps.groups[0]) for o in whole}) == 1
