"""The per-file cache: a warm scan reuses results, and anything a rule read invalidates them."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from guardrails import pipeline
from guardrails.cache import CACHE_DIR, Cache, Dependencies, TrackingProject, finding_from_json, finding_to_json
from guardrails.documents import DotenvDocument
from guardrails.engine import Engine, ScanResult, Settings
from guardrails.facts.terraform import module_for
from guardrails.model import Category, Document, Finding, Incident, Kind, Severity, Span
from guardrails.registry import all_rules
from guardrails.report import json_report
from guardrails.rule import Bad, Good, Rule, RuleContext

DIGITALOCEAN = Incident(
    "DigitalOcean: automated tests ran with production credentials and deleted the primary database",
    "2017-04-05",
    "https://www.digitalocean.com/company/blog/update-on-the-april-5th-2017-outage/",
)


class SharedDotenvValue(Rule):
    """A project-wide rule for this test only: a value of .env.prod equal to .env.dev's."""

    id = "ZZ901"
    name = "test-shared-dotenv-value"
    title = "test rule"
    category = Category.SHARED_ENVIRONMENT_SECRET
    severity = Severity.HIGH
    kinds = frozenset({Kind.DOTENV})
    incidents = (DIGITALOCEAN,)
    rationale = "test"
    remediation = "test"
    project_wide = True
    bad = (Bad(".env.prod", "A=1\n", 1, extra={".env.dev": "A=1\n"}),)
    good = (Good(".env.prod", "A=1\n", extra={".env.dev": "A=2\n"}),)

    def check_project(self, docs: list[Document], ctx: RuleContext) -> Iterator[Finding]:  # type: ignore[override]
        by_name = {Path(d.path).name: d for d in docs if isinstance(d, DotenvDocument)}
        dev, prod = by_name.get(".env.dev"), by_name.get(".env.prod")
        if dev is None or prod is None:
            return
        shared = dev.as_dict()
        for entry in prod.entries:
            if shared.get(entry.key) == entry.value:
                yield self.finding(prod, Span.point(1), f"{entry.key} as in dev", anchor=entry.key, ctx=ctx)


@pytest.fixture(autouse=True)
def _key_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """The signing key lives outside the scanned tree, in the user's cache directory."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg")))


@pytest.fixture()
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths parsed during a scan (jobs=1 keeps the checking in this process)."""
    seen: list[str] = []
    original = pipeline.parse_text

    def counting(display: str, text: str, kind: Kind) -> Document:
        seen.append(display)
        return original(display, text, kind)

    monkeypatch.setattr(pipeline, "parse_text", counting)
    return seen


def scan(root: Path, cached: bool = True, rules: tuple[type[Rule], ...] | None = None) -> ScanResult:
    settings = Settings(rules=rules or all_rules(), jobs=1, use_cache=cached)
    return Engine(settings, cwd=root).scan([Path(".")])


def report(result: ScanResult) -> str:
    return json_report.render(result)


COMPOSE = 'services:\n  db:\n    image: mongo:7\n    ports:\n      - "${BIND}:27017:27017"\n'


def test_warm_scan_reuses_results_without_parsing(repo: Callable[[dict[str, str]], Path], parses: list[str]) -> None:
    root = repo({"docker-compose.yml": COMPOSE, ".env": "BIND=0.0.0.0\n", "infra/main.tf": 'variable "x" {}\n'})
    cold = scan(root)
    assert [f.rule_id for f in cold.findings] == ["ED001"]
    assert sorted(parses) == [".env", "docker-compose.yml", "infra/main.tf"]
    parses.clear()
    warm = scan(root)
    assert parses == []
    assert report(warm) == report(cold)
    assert (root / CACHE_DIR / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"


def test_file_read_through_the_project_invalidates(repo: Callable[[dict[str, str]], Path], parses: list[str]) -> None:
    root = repo({"docker-compose.yml": COMPOSE, ".env": "BIND=127.0.0.1\n"})
    assert scan(root).findings == []
    (root / ".env").write_text("BIND=0.0.0.0\n", encoding="utf-8")
    parses.clear()
    assert [f.rule_id for f in scan(root).findings] == ["ED001"]
    assert "docker-compose.yml" in parses
    (root / ".env").unlink()
    assert report(scan(root)) == report(scan(root, cached=False))


def test_project_wide_rule_sees_current_documents(repo: Callable[[dict[str, str]], Path]) -> None:
    rules = (*all_rules(), SharedDotenvValue)
    root = repo({"svc/.env.dev": "TOKEN=abc\n", "svc/.env.prod": "TOKEN=xyz\n"})
    assert scan(root, rules=rules).findings == []
    (root / "svc/.env.dev").write_text("TOKEN=xyz\n", encoding="utf-8")
    warm = scan(root, rules=rules)
    assert [(f.rule_id, f.path) for f in warm.findings] == [("ZZ901", "svc/.env.prod")]
    assert report(warm) == report(scan(root, cached=False, rules=rules))


def test_tampered_cache_is_ignored(repo: Callable[[dict[str, str]], Path]) -> None:
    root = repo({"docker-compose.yml": COMPOSE, ".env": "BIND=0.0.0.0\n"})
    assert len(scan(root).findings) == 1
    for shard in (root / CACHE_DIR).glob("*/*.json"):
        mac, _, payload = shard.read_bytes().partition(b"\n")
        data = json.loads(payload)
        for entry in data.values():
            entry["f"] = []
        shard.write_bytes(mac + b"\n" + json.dumps(data).encode())
    assert len(scan(root).findings) == 1


def test_no_cache_writes_nothing(repo: Callable[[dict[str, str]], Path]) -> None:
    root = repo({"docker-compose.yml": COMPOSE})
    scan(root, cached=False)
    assert not (root / CACHE_DIR).exists()


def test_memoised_values_carry_their_reads_to_later_documents(repo: Callable[[dict[str, str]], Path]) -> None:
    """Two files of one Terraform module: the second reuses the memoised module, and still
    depends on every sibling file the first one's module was built from."""
    root = repo({"m/main.tf": 'resource "null_resource" "a" {}\n', "m/variables.tf": 'variable "v" {}\n'})
    project = TrackingProject(root, root, 1 << 20)
    docs = [pipeline.load(root / p, p, 1 << 20).document for p in ("m/main.tf", "m/variables.tf")]
    recorded = []
    for doc in docs:
        assert doc is not None
        project.add(doc)
        project.start()
        module_for(doc, project)
        recorded.append(project.stop())
    assert recorded[0] == recorded[1]
    files, dirs, groups = recorded[1]
    assert groups == []
    assert [path for path, _ in files] == ["m/main.tf", "m/variables.tf"]
    assert dirs == [("m", (".tf", ".tf.json", ".tfvars", ".tfvars.json"))]


def test_a_new_sibling_file_invalidates(repo: Callable[[dict[str, str]], Path]) -> None:
    root = repo({"m/main.tf": 'resource "null_resource" "a" {}\n'})
    cache = Cache.open(root, root, {})
    assert cache is not None
    suffixes = (".tf", ".tfvars")
    cache.store("m/main.tf", "h1", "terraform", [], Dependencies([("m/main.tf", "h1")], [("m", suffixes)], []))
    assert cache.lookup("m/main.tf", "h1") == ("terraform", [], False, {})
    assert cache.lookup("m/main.tf", "h2") is None
    cache.save()
    (root / "m/extra.tfvars").write_text("v = 1\n", encoding="utf-8")
    reopened = Cache.open(root, root, {})
    assert reopened is not None
    assert reopened.lookup("m/main.tf", "h1") is None


def test_inline_suppressions_hold_on_a_warm_scan(repo: Callable[[dict[str, str]], Path], parses: list[str]) -> None:
    compose = (
        "services:\n  db:\n    image: mongo:7\n    ports:\n"
        '      # guardrails: ignore[ED001] lab machine behind a VPN\n      - "27017:27017"\n'
    )
    root = repo({"docker-compose.yml": compose})
    cold = scan(root)
    assert [(f.rule_id, f.suppressed) for f in cold.findings if f.rule_id == "ED001"] == [
        ("ED001", "lab machine behind a VPN")
    ]
    parses.clear()
    warm = scan(root)
    assert report(warm) == report(cold)


def test_a_cached_finding_keeps_every_field() -> None:
    finding = Finding(
        rule_id="SS001",
        rule_name="shared-production-secret",
        category=Category.SHARED_ENVIRONMENT_SECRET,
        severity=Severity.CRITICAL,
        path="svc/.env.prod",
        span=Span(3, 5, 3, 20),
        message="m",
        remediation="r",
        incident=DIGITALOCEAN,
        anchor="shared-secret:TOKEN",
        suppressed="reason",
        related=[{"path": "svc/.env.dev", "line": 2}],
        sensitive=True,
    )
    assert finding_from_json(json.loads(json.dumps(finding_to_json(finding)))) == finding


def test_a_repository_fact_is_one_group_every_reader_names(repo: Callable[[dict[str, str]], Path]) -> None:
    """A fact about the whole repository (read by every check) is stored once, as a group that
    the entries name; a file it read changing invalidates every entry that used it."""
    files = {f"d{i}/main.tf": f'resource "null_resource" "r{i}" {{}}\n' for i in range(80)}
    root = repo(files)
    project = TrackingProject(root, root, 1 << 20)

    def every_file() -> int:
        return sum(project.read_bytes(path) is not None for path in project.walk((".tf",)))

    recorded = []
    for name in ("d0/main.tf", "d1/main.tf"):
        project.start()
        project.read_bytes(root / name)
        assert project.repository_fact(("every-file",), every_file) == 80
        recorded.append(project.stop())
    (key, group_files, _), *others = recorded[0].groups
    assert not others and recorded[1].groups == recorded[0].groups
    assert len(group_files) == 80 and [path for path, _ in recorded[1].files] == ["d1/main.tf"]

    cache = Cache.open(root, root, {})
    assert cache is not None
    for name, deps in zip(("d0/main.tf", "d1/main.tf"), recorded, strict=True):
        cache.store(name, "h", "terraform", [], deps)
    cache.save()
    stored = json.loads((cache.directory / "groups.json").read_bytes().partition(b"\n")[2])
    assert list(stored) == [key]
    assert Cache.open(root, root, {}).lookup("d1/main.tf", "h") == ("terraform", [], False, {})  # type: ignore[union-attr]
    (root / "d42/main.tf").write_text('resource "null_resource" "changed" {}\n', encoding="utf-8")
    assert Cache.open(root, root, {}).lookup("d1/main.tf", "h") is None  # type: ignore[union-attr]
