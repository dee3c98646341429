"""Suppression comments in files a finding is reported in without their being scanned: a file
``dnsconfig.js`` requires, a zone file a ``named.conf`` names, an env file a kustomization
generates a Secret from. Each is read in the syntax of what it was read as, with or without the
cache, in this process or in the pool."""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any, ClassVar

import pytest

from guardrails import parallel
from guardrails.engine import Engine, Settings
from guardrails.model import Kind
from guardrails.project import Project
from guardrails.registry import all_rules
from tests.conftest import scan_json, write_repo

DNSCONFIG = """var REG_NONE = NewRegistrar("none");
var DSP_R53 = NewDnsProvider("r53", "ROUTE53");
var DSP_CF = NewDnsProvider("cf", "CLOUDFLAREAPI");
require("./domains/example.js");
"""
REQUIRED = """D("example.com",
    REG_NONE,
    DnsProvider(DSP_R53),
    DnsProvider(DSP_CF),
    DefaultTTL(3600),
    // guardrails: ignore[DT002] failover record, flipped by the health check
    A("@", "192.0.2.1", TTL(60)),
    // guardrails: ignore[zone-file-shortttl] a typo in the rule name
    A("api", "192.0.2.2", TTL(60)),
    // guardrails: ignore[ED001] a rule that never reads DNSControl
    A("www", "192.0.2.3", TTL(60)),
    // guardrails: ignore[DT002] nothing short here any more
    A("mail", "192.0.2.4"),
    // guardrails: ignore[DS002] that rule reported nothing in this file: not known to have read it
    A("ftp", "192.0.2.5")
);
"""
# (rule, line, suppressed) of the report on REQUIRED: the directive before line 7 excuses its
# finding; the unknown name (line 8) and the rule that never reads DNSControl (line 10) excuse
# nothing and are reported where they are; DT002 reported in the file, so its directive on a line
# with no short TTL is unused (line 12); DS002 did not, so its directive is left alone.
EXPECTED = [
    ("DT002", 7, "failover record, flipped by the health check"),
    ("GR003", 8, None),
    ("DT002", 9, None),
    ("GR005", 10, None),
    ("DT002", 11, None),
    ("GR005", 12, None),
]


def _dnscontrol(root: Path) -> Path:
    return write_repo(root, {"dnsconfig.js": DNSCONFIG, "domains/example.js": REQUIRED})


def _report(result: Any) -> list[tuple[str, int, str | None]]:
    return [(f.rule_id, f.span.line, f.suppressed) for f in result.findings]


def _scan(root: Path, jobs: int = 1, cached: bool = False) -> Any:
    return Engine(Settings(rules=all_rules(), jobs=jobs, use_cache=cached), cwd=root).scan([Path(".")])


@pytest.fixture
def private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg")))


def test_a_required_dnscontrol_file_honours_its_suppressions(tmp_path: Path) -> None:
    code, report = scan_json(".", "--no-cache", cwd=_dnscontrol(tmp_path))
    found = [(f["rule_id"], f["path"], f["line"], f["suppressed"]) for f in report["findings"]]
    assert found == [(rule, "domains/example.js", line, why) for rule, line, why in EXPECTED]
    messages = {f["line"]: f["message"] for f in report["findings"] if f["rule_id"].startswith("GR")}
    assert "unknown rule 'zone-file-shortttl'" in messages[8]
    assert "never reports on a dnscontrol file" in messages[10]
    assert "DT002 reports nothing on line 13" in messages[12]
    assert code == 1


def test_the_cache_keeps_what_a_required_file_excuses(
    tmp_path: Path, private_cache: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _dnscontrol(tmp_path)
    assert _report(_scan(root, cached=True)) == EXPECTED
    checked: list[str] = []
    check_document = Engine.check_document

    def counted(self: Engine, doc: Any, *args: Any) -> Any:
        checked.append(doc.path)
        return check_document(self, doc, *args)

    monkeypatch.setattr(Engine, "check_document", counted)
    assert _report(_scan(root, cached=True)) == EXPECTED
    assert checked == []  # warm: dnsconfig.js's results, and what they reach, came from the cache


def test_a_directive_written_later_in_a_required_file_is_read_on_a_warm_cache(
    tmp_path: Path, private_cache: None
) -> None:
    required = REQUIRED.replace("guardrails: ignore", "reviewed:")  # names no guardrails at first
    root = write_repo(tmp_path, {"dnsconfig.js": DNSCONFIG, "domains/example.js": required})
    cold = _report(_scan(root, cached=True))
    assert [(rule, line) for rule, line, why in cold] == [("DT002", 7), ("DT002", 9), ("DT002", 11)]
    assert _report(_scan(root, cached=True)) == cold
    (root / "domains/example.js").write_text(REQUIRED)
    assert _report(_scan(root, cached=True)) == EXPECTED


class RecordingPool(ProcessPoolExecutor):
    """The pool ``parallel.run`` makes, recording the files it sends to the workers."""

    sent: ClassVar[list[str]] = []

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        RecordingPool.sent.extend(work.display for work in args[0])
        return super().submit(fn, *args, **kwargs)


@pytest.fixture
def pooled(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every file goes to the pool with --jobs 2; the files sent there."""
    monkeypatch.setattr(parallel, "MIN_FILES_PER_JOB", 1)
    monkeypatch.setattr(parallel, "CHUNK_FILES", 1)
    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", RecordingPool)
    monkeypatch.setattr(RecordingPool, "sent", [])
    return RecordingPool.sent


def test_workers_bring_back_what_a_required_file_excuses(
    tmp_path: Path, private_cache: None, pooled: list[str]
) -> None:
    root = _dnscontrol(tmp_path)
    assert _report(_scan(root, jobs=2)) == EXPECTED
    assert "dnsconfig.js" in pooled
    assert _report(_scan(root, jobs=2, cached=True)) == EXPECTED
    assert _report(_scan(root, jobs=2, cached=True)) == EXPECTED  # warm


def test_cli_reports_are_identical_with_jobs_and_cache(tmp_path: Path, private_cache: None) -> None:
    root = _dnscontrol(tmp_path)
    for name in range(240):  # enough files for --jobs 2 to start a pool
        (root / "scripts" / f"step{name}.sh").parent.mkdir(exist_ok=True)
        (root / "scripts" / f"step{name}.sh").write_text(f"set -eu\necho {name}\n")
    reports = [
        scan_json(".", *args, cwd=root)[1]
        for args in (("--no-cache", "-j", "1"), ("--no-cache", "-j", "2"), ("-j", "2"), ("-j", "2"), ("-j", "1"))
    ]
    assert (root / ".guardrails_cache").is_dir()
    assert all(report["findings"] == reports[0]["findings"] for report in reports)
    found = [(f["rule_id"], f["line"], f["suppressed"]) for f in reports[0]["findings"]]
    assert found == EXPECTED


def test_a_zone_file_a_named_conf_names_honours_its_suppressions(tmp_path: Path) -> None:
    """``zones/example`` says nothing of a zone in its name or first line: it is read as one
    because named.conf names it, and its comments are a zone file's (``;``)."""
    root = write_repo(
        tmp_path,
        {
            "named.conf": 'zone "example.com" { type primary; file "zones/example"; };\n',
            "zones/example": (
                "@   IN SOA ns1 hostmaster ( 2024120401 2h 15m 2w 1h )\n"
                "@   86400 IN NS ns1.example.org.\n"
                "@   86400 IN NS ns2.example.net.\n"
                "; guardrails: ignore[DT002] failover record\n"
                "www 60 IN A 192.0.2.10\n"
                "api 60 IN A 192.0.2.11 ; guardrails: ignore[nope] a typo\n"
            ),
        },
    )
    result = _scan(root)
    assert "zones/example" not in result.scanned
    assert [(f.rule_id, f.path, f.span.line, f.suppressed) for f in result.findings] == [
        ("DT002", "zones/example", 5, "failover record"),
        ("DT002", "zones/example", 6, None),
        ("GR003", "zones/example", 6, None),
    ]


KUSTOMIZE = {
    "overlays/production/kustomization.yaml": "secretGenerator:\n  - name: api\n    envs:\n      - db.properties\n",
    "overlays/production/db.properties": (
        "DB_USER=orders\n# guardrails: ignore[SS001] rotated apart from staging, tracked in OPS-12\n"
        "DB_PASSWORD=Orders-Wq81-Shared-Zx4m\n"
    ),
    "overlays/staging/kustomization.yaml": "secretGenerator:\n  - name: api\n    envs:\n      - db.properties\n",
    "overlays/staging/db.properties": "DB_USER=orders\nDB_PASSWORD=Orders-Wq81-Shared-Zx4m\n",
}


@pytest.mark.parametrize(("jobs", "cached"), [(1, False), (2, False), (2, True)])
def test_an_env_file_a_kustomization_generates_from_honours_its_suppressions(
    jobs: int, cached: bool, tmp_path: Path, private_cache: None, pooled: list[str]
) -> None:
    """A project-wide rule's finding, from the summaries made where each file was checked."""
    root = write_repo(tmp_path, KUSTOMIZE)
    for _ in range(2 if cached else 1):
        result = _scan(root, jobs=jobs, cached=cached)
        assert [(f.rule_id, f.path, f.span.line, f.suppressed) for f in result.findings] == [
            ("SS001", "overlays/production/db.properties", 3, "rotated apart from staging, tracked in OPS-12")
        ]
    assert ("overlays/production/kustomization.yaml" in pooled) is (jobs > 1)


def test_a_reached_file_is_read_again_only_inside_the_root_and_never_through_a_link(tmp_path: Path) -> None:
    root = write_repo(tmp_path / "repo", {"domains/real.js": "// guardrails: ignore[DT002] why\n"})
    (tmp_path / "outside.js").write_text("// guardrails: ignore[DT002] why\n")
    (root / "domains/link.js").symlink_to(root / "domains/real.js")
    (root / "big.js").write_text("// guardrails: ignore[DT002] why\n" + " " * 100)
    project = Project(root, root, 64)
    assert project.reached_document("domains/real.js", Kind.DNSCONTROL) is not None
    assert project.reached_document("domains/link.js", Kind.DNSCONTROL) is None
    assert project.reached_document("../outside.js", Kind.DNSCONTROL) is None
    assert project.reached_document("big.js", Kind.DNSCONTROL) is None  # over the size limit


def test_a_file_naming_no_guardrails_is_not_noted(tmp_path: Path) -> None:
    root = write_repo(tmp_path, {"a.js": 'D("example.com");\n', "b.js": "// guardrails: ignore[DT002] why\n"})
    project = Project(root, root, 1 << 20)
    project.parse_as(root / "a.js", Kind.DNSCONTROL)
    project.parse_as(root / "b.js", Kind.DNSCONTROL)
    assert project.reached == {"b.js": Kind.DNSCONTROL}
