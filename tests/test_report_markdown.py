"""-f markdown: escaping of scanned text, the size cap, what stays outside the table, no secret.

The golden file (tests/golden/gate/report.md) is compared in test_report_formats.py.
"""

from __future__ import annotations

from guardrails.engine import ScanResult
from guardrails.model import Category, Finding, Incident, Severity, SkippedFile, Span
from guardrails.report import Report, render
from guardrails.report.markdown import MAX_CHARS, MAX_ROWS, escape
from tests.conftest import REPO, run_cli
from tests.test_no_secret_leak import SECRETS_DIR, forms, planted_values

# GitHub refuses a comment longer than this.
COMMENT_LIMIT = 65_536


def _finding(path: str = "db.yml", line: int = 1, message: str = "m", **kw: object) -> Finding:
    fields: dict[str, object] = {
        "rule_id": "ED001",
        "rule_name": "compose-datastore-port-exposed",
        "category": Category.EXPOSED_DATASTORE,
        "severity": Severity.CRITICAL,
        "path": path,
        "span": Span.point(line, 3),
        "message": message,
        "remediation": "bind to loopback (`127.0.0.1:27017:27017`) | never <all>",
        "incident": Incident("NewsBlur", "2021-06-23", "https://blog.newsblur.com/2021/06/28/story-of-a-hacking/"),
        "anchor": f"{path}:{line}",
    } | kw
    return Finding(**fields)  # type: ignore[arg-type]


def _markdown(findings: list[Finding], **result: object) -> str:
    return render("markdown", Report(ScanResult(findings=findings, files_scanned=1, **result)))  # type: ignore[arg-type]


def test_escape_keeps_scanned_text_literal() -> None:
    assert escape("a|b") == "a\\|b"
    assert escape("<img src=x onerror=alert(1)>") == "&lt;img src=x onerror=alert(1)&gt;"
    assert escape("`rm -rf`\n**x**") == "\\`rm -rf\\` \\*\\*x\\*\\*"
    assert escape("[a](javascript:x) &amp;") == "\\[a\\](javascript:x) &amp;amp;"


def test_paths_and_messages_cannot_break_the_table_or_inject_html() -> None:
    path = "dir|x/<script>`a`_b.yml"
    text = _markdown([_finding(path, 4, "service '<b>db</b>' | `published`\non 0.0.0.0")])
    [row] = [line for line in text.splitlines() if line.startswith("| dir")]
    assert row == (
        "| dir\\|x/&lt;script&gt;\\`a\\`\\_b.yml:4 | ED001 | critical | "
        "service '&lt;b&gt;db&lt;/b&gt;' \\| \\`published\\` on 0.0.0.0 |"
    )
    assert row.replace("\\|", "").count("|") == 5, "four cells"
    assert "<script>" not in text and "<b>" not in text
    # The rule's own code spans are kept; the rest of its text is escaped.
    assert "**Fix:** bind to loopback (`127.0.0.1:27017:27017`) \\| never &lt;all&gt;" in text


def test_table_is_capped_in_rows_with_a_note() -> None:
    findings = [_finding(f"f{i:03}.yml", i + 1) for i in range(MAX_ROWS + 37)]
    text = _markdown(findings)
    rows = [line for line in text.splitlines() if line.startswith("| f")]
    assert len(rows) == MAX_ROWS
    assert f"_37 more findings not shown: the table holds at most {MAX_ROWS} rows" in text
    assert f"{MAX_ROWS + 37} findings in 1 file" in text
    assert "| exposed-datastore | 137 | 0 | 0 | 0 | 0 | 137 |" in text, "the counts hold every finding"


def test_long_messages_keep_the_report_under_a_comment_limit() -> None:
    findings = [_finding(f"f{i:02}.yml", 1, "x" * 2_000) for i in range(60)]
    text = _markdown(findings)
    assert len(text) <= MAX_CHARS < COMMENT_LIMIT
    rows = [line for line in text.splitlines() if line.startswith("| f")]
    assert 0 < len(rows) < 60
    assert f"_{60 - len(rows)} more findings not shown" in text
    assert text.rstrip().endswith("</details>"), "the rule details survive the cap"


def test_suppressed_baselined_and_skipped_are_counted_apart() -> None:
    findings = [_finding("a.yml", 1), _finding("b.yml", 2, suppressed="throwaway CI runner")]
    skipped = [
        SkippedFile("c.yaml", "helm-template"),
        SkippedFile("d.bin", "binary"),
        SkippedFile("e.yaml", "helm-template"),
    ]
    text = _markdown(findings, baselined=3, skipped=skipped)
    assert "1 finding in 1 file; 1 at or above low." in text
    assert "Not in the counts or the table: 1 suppressed, 3 baselined." in text
    assert "3 files skipped, not analysed (1 binary, 2 helm-template)" in text
    assert "b.yml" not in text and "throwaway" not in text
    assert "| **total** | 1 | 0 | 0 | 0 | 0 | **1** |" in text


def test_no_findings_is_a_short_report() -> None:
    assert _markdown([]) == "## guardrails\n\n0 findings in 1 file; 0 at or above low.\n"


def test_sensitive_findings_quote_no_source() -> None:
    proc = run_cli("scan", "-f", "markdown", str(SECRETS_DIR.relative_to(REPO)), cwd=REPO)
    assert proc.returncode == 1, proc.stderr
    assert "| SS001 | high |" in proc.stdout and "| GR001 | high |" in proc.stdout
    for value in planted_values():
        for form in forms(value):
            assert form not in proc.stdout, f"the markdown report quotes the planted secret {value!r}"
