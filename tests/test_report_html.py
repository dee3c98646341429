"""-f html: a self-contained audit page. Its structure read back with html.parser (every finding
on the page with JavaScript off, nothing loaded from elsewhere, scanned text escaped, no secret,
suppressed / baselined / skipped apart), the commit read from .git, and the page rendered by
headless Chromium: the DOM after the script ran still holds every finding, and a screenshot."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from guardrails.gitdiff import head_commit
from guardrails.model import Category, Finding, Incident, Severity, SkippedFile, Span
from guardrails.report import Report, render
from guardrails.report.frame import LINE_NOT_SHOWN, VALUE_NOT_SHOWN, frame
from guardrails.result import ScanResult
from tests.conftest import REPO, run_cli
from tests.test_no_secret_leak import SECRETS_DIR, forms, planted_values

GATE = REPO / "fixtures" / "gate"


class Page(HTMLParser):
    """Every start tag with its attributes, the text, and the elements a user would not see."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        (self.scripts if self._in_script else self.text).append(data)

    def having(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())]

    def findings(self) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == "article" and "finding" in (a.get("class") or "").split()]


def _finding(path: str = "db.yml", line: int = 3, message: str = "m", **kw: object) -> Finding:
    fields: dict[str, object] = {
        "rule_id": "ED001",
        "rule_name": "compose-datastore-port-exposed",
        "category": Category.EXPOSED_DATASTORE,
        "severity": Severity.CRITICAL,
        "path": path,
        "span": Span(line, 9, line, 22),
        "message": message,
        "remediation": "bind to loopback (`127.0.0.1:27017:27017`)",
        "incident": Incident("NewsBlur", "2021-06-23", "https://blog.newsblur.com/2021/06/28/story-of-a-hacking/"),
        "anchor": f"{path}:{line}",
    } | kw
    return Finding(**fields)  # type: ignore[arg-type]


def _html(result: ScanResult, sources: dict[str, str] | None = None) -> str:
    return render("html", Report(result, sources=sources or {}, repository="demo", commit="a" * 40, date="today"))


def test_every_finding_is_on_the_page_without_javascript() -> None:
    findings = [_finding(f"svc{i}/db.yml", i + 1) for i in range(5)]
    findings.append(_finding("dns.tf", 7, "ttl 30", rule_id="DN001", category=Category.SHORT_DNS_TTL))
    page = Page(_html(ScanResult(findings=findings, files_scanned=6)))
    articles = page.findings()
    assert len(articles) == 6
    assert not any("hidden" in a for a in articles), "no finding is hidden before a script runs"
    [form] = page.having("form", id="filters")
    assert "hidden" in form, "the filters appear only when the script can make them work"
    assert {a["data-lesson"] for a in articles} == {"exposed-datastore", "short-dns-ttl"}
    assert {a["data-path"] for a in articles} >= {"svc0/db.yml", "dns.tf"}
    text = " ".join(page.text)
    assert "demo" in text and "a" * 40 in text and "guardrails 0." in text
    # The chart is inline SVG with a bar per lesson and severity.
    assert len([a for t, a in page.tags if t == "rect" and a.get("class") == "bar"]) == 2


def test_nothing_is_loaded_from_elsewhere() -> None:
    page_text = _html(ScanResult(findings=[_finding()], files_scanned=1))
    page = Page(page_text)
    assert not [a for t, a in page.tags if "src" in a], "no script, image or frame source"
    assert not page.having("link") and "@import" not in page_text and "url(" not in page_text
    [policy] = page.having("meta", **{"http-equiv": "Content-Security-Policy"})
    assert (policy["content"] or "").startswith("default-src 'none'")
    links = [a["href"] for t, a in page.tags if t == "a" and a.get("href")]
    assert all(href.startswith(("#", "https://")) for href in links), links


def test_scanned_text_is_escaped() -> None:
    hostile = _finding('x/<script>alert(1)</script>".yml', 1, "service '<img src=x onerror=alert(1)>'")
    source = "<b>bold</b>\n</pre><script>alert(2)</script>\n"
    page_text = _html(ScanResult(findings=[hostile], files_scanned=1), {hostile.path: source})
    page = Page(page_text)
    assert len(page.having("script")) == 1, "only the report's own script"
    assert not page.having("img") and "<b>bold" not in page_text, "no markup from the scanned files"
    assert "<img src=x onerror=alert(1)>" in " ".join(page.text), "shown as text"
    assert "&lt;/pre&gt;&lt;script&gt;alert(2)" in page_text


def test_code_frame_hides_lines_that_may_hold_a_secret() -> None:
    source = "services:\n  db:\n    ports:\n      - '27017:27017'\n    environment:\n      MONGO_PASSWORD: hunter2\n"
    near = frame(_finding(line=4), source)
    assert [line.number for line in near] == [2, 3, 4, 5, 6]
    assert [line.number for line in near if line.reported] == [4]
    assert near[-1].text == LINE_NOT_SHOWN
    opaque = frame(_finding(line=1), "a: 1\nb: Zm9vYmFyQmF6cXV4MTIzNDU2\n")
    assert opaque[1].text == LINE_NOT_SHOWN, "a long mixed-case token"
    secret = _finding(line=6, span=Span(6, 23, 6, 30), sensitive=True, category=Category.SHARED_ENVIRONMENT_SECRET)
    [only] = frame(secret, source)
    assert only.text == "      MONGO_PASSWORD: " + VALUE_NOT_SHOWN, "a sensitive finding shows no neighbour"


def test_no_planted_secret_and_sensitive_findings_show_no_neighbours(tmp_path: Path) -> None:
    target = tmp_path / "audit.html"
    proc = run_cli("scan", "-f", f"html:{target}", str(SECRETS_DIR.relative_to(REPO)), cwd=REPO)
    assert proc.returncode == 1, proc.stderr
    text = target.read_text(encoding="utf-8")
    for value in planted_values():
        for form in forms(value):
            assert form not in text, f"the HTML report quotes the planted secret {value!r}"
    assert "SS001" in text and "GR001" in text


def test_suppressed_baselined_stale_and_skipped_are_apart(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    compose = "services:\n  a:\n    image: mongo:7\n    ports: ['27017:27017']\n"
    (tmp_path / "docker-compose.yml").write_text(compose)
    assert run_cli("baseline", "-o", "baseline.json", cwd=tmp_path).returncode == 0
    (tmp_path / "docker-compose.yml").write_text(
        compose
        + "  b:\n    image: redis:7\n    ports: ['6379:6379']\n"
        + "  c:\n    image: postgres:16\n    ports:\n      # guardrails: ignore[ED001] CI-only throwaway\n"
        + "      - '5432:5432'\n"
    )
    (tmp_path / "big.yaml").write_text("a: 1\n" * 400)
    proc = run_cli(
        "scan", "--baseline", "baseline.json", "--max-file-size", "1000", "-f", "html:out/audit.html", cwd=tmp_path
    )
    assert proc.returncode == 1, proc.stderr
    page = Page((tmp_path / "out" / "audit.html").read_text(encoding="utf-8"))
    # The new redis port, and GR006 for the file too large to read; mongo is baselined, postgres suppressed.
    assert sorted(a["data-path"] or "" for a in page.findings()) == ["big.yaml", "docker-compose.yml"]
    text = " ".join(page.text)
    for section in ("suppressed", "baselined", "skipped"):
        assert page.having("section", id=section), section
    assert "CI-only throwaway" in text and "big.yaml" in text and "too-large" in text.replace(" ", "-")


def test_no_findings_is_a_short_page() -> None:
    page = Page(_html(ScanResult(files_scanned=3, skipped=[SkippedFile("t.yaml.j2", "jinja-template")])))
    assert not page.findings() and "No findings." in page.text
    assert page.having("section", id="skipped")


def _git(cwd: Path, *args: str) -> str:
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "init.defaultBranch=main"]
    return subprocess.run([*git, *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def test_head_commit_is_read_from_git_files(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    repo.mkdir()
    assert head_commit(repo) is None, "no repository"
    _git(repo, "init", "-q")
    assert head_commit(repo) is None, "an unborn branch"
    (repo / "a").write_text("a\n")
    _git(repo, "add", "a")
    _git(repo, "commit", "-qm", "a")
    expected = _git(repo, "rev-parse", "HEAD")
    assert head_commit(repo) == expected, "a loose ref"
    _git(repo, "pack-refs", "--all")
    assert head_commit(repo) == expected, "a packed ref"
    _git(repo, "worktree", "add", "-q", str(tmp_path / "linked"), "-b", "other")
    assert head_commit(tmp_path / "linked") == expected, "a linked worktree"
    _git(repo, "checkout", "-q", "--detach")
    assert head_commit(repo) == expected, "a detached HEAD"


def _chromium() -> str | None:
    return next((found for name in ("chromium", "chromium-browser") if (found := shutil.which(name))), None)


@pytest.fixture(scope="module")
def audit(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """The audit of the gate fixtures (a git checkout), and how many findings it holds."""
    repo = tmp_path_factory.mktemp("audit") / "gate"
    shutil.copytree(GATE, repo)
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "gate")
    out = repo.parent / "audit.html"
    proc = run_cli("scan", "-f", f"html:{out}", "-f", "json:" + str(repo.parent / "audit.json"), cwd=repo)
    assert proc.returncode == 1, proc.stderr
    text = out.read_text(encoding="utf-8")
    assert _git(repo, "rev-parse", "HEAD") in text
    count = len(Page(text).findings())
    assert count >= 8
    return out, count


def _browser(*args: str, page: Path, tmp: Path) -> subprocess.CompletedProcess[str]:
    browser = _chromium()
    if browser is None:
        pytest.skip("headless Chromium test: no chromium on PATH (Debian: apt-get install chromium)")
    flags = ["--headless", "--disable-gpu", "--no-first-run", f"--user-data-dir={tmp / 'profile'}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        flags.append("--no-sandbox")  # Chromium refuses to run as root with its sandbox
    return subprocess.run(
        [browser, *flags, *args, page.as_uri()], capture_output=True, text=True, timeout=180, check=False
    )


def test_chromium_renders_every_finding_and_the_filters(audit: tuple[Path, int], tmp_path: Path) -> None:
    page, count = audit
    proc = _browser("--dump-dom", "--virtual-time-budget=2000", page=page, tmp=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    dom = Page(proc.stdout)
    findings = dom.findings()
    assert len(findings) == count, "the rendered DOM holds every finding"
    assert not any("hidden" in a for a in findings), "no filter hides a finding at first"
    [form] = dom.having("form", id="filters")
    assert "hidden" not in form, "the script ran and showed the filters"
    assert re.search(rf"\b{count} of {count} findings shown\b", " ".join(dom.text))


def test_chromium_screenshot(audit: tuple[Path, int], tmp_path: Path) -> None:
    page, _ = audit
    shot = page.parent / "audit.png"
    proc = _browser(f"--screenshot={shot}", "--window-size=1200,2000", page=page, tmp=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 20_000, "a real picture, not a blank page"


def test_source_date_epoch_makes_the_page_reproducible(tmp_path: Path) -> None:
    pages = []
    for name in ("one.html", "two.html"):
        target = tmp_path / name
        env_run = subprocess.run(
            [sys.executable, "-m", "guardrails", "scan", "--no-cache", "-f", f"html:{target}", "fixtures/gate"],
            cwd=REPO,
            env={**os.environ, "SOURCE_DATE_EPOCH": "1700000000"},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert env_run.returncode == 1, env_run.stderr
        pages.append(target.read_text(encoding="utf-8"))
    assert pages[0] == pages[1]
    assert "2023-11-14 22:13 UTC" in pages[0]


def test_a_line_a_sensitive_finding_reports_is_in_no_other_frame() -> None:
    source = "a: 1\nSTRIPE=sk_live_0123456789abcdef\nb: 2\n"
    secret = _finding("x.env", 2, span=Span(2, 8, 2, 31), sensitive=True, category=Category.SHARED_ENVIRONMENT_SECRET)
    beside = _finding("x.env", 3, span=Span(3, 1, 3, 4))
    same_line = _finding("x.env", 2, span=Span(2, 1, 2, 6))
    page = _html(ScanResult(findings=[secret, beside, same_line], files_scanned=1), {"x.env": source})
    assert "sk_live" not in page
    assert page.count("STRIPE=&lt;value not shown&gt;") == 1, "the sensitive finding's own line, cut"
