"""A Markdown summary for ``$GITHUB_STEP_SUMMARY`` and merge request comments.

Counts by lesson and severity, a table of findings, then one collapsible section per rule with
its fix and incident. GitHub caps a step summary at 1 MiB and a comment at 65,536 characters,
so the table stops at MAX_ROWS rows or when the report would pass MAX_CHARS, and a note says
how many findings it left out. No source text is quoted: a ``sensitive`` finding's span may hold
a secret, and a summary posted to a pull request is the last place it should appear.
"""

from __future__ import annotations

from guardrails.model import Finding
from guardrails.report import Report
from guardrails.report.grouping import (
    SEVERITIES,
    by_rule,
    lesson_counts,
    plural,
    severity_totals,
    skipped_reasons,
    visible,
)

MAX_ROWS = 100
MAX_CHARS = 60_000

# Text from scanned files (paths, names in messages) must not become markup, links or HTML.
_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": " ", "\n": " "} | {c: "\\" + c for c in "\\`*_[]|~#!"}
)


def escape(text: str) -> str:
    """``text`` as literal Markdown inline content, safe in a table cell."""
    return text.translate(_ESCAPES)


def _prose(text: str) -> str:
    """A rule's own text (fix, incident): its `code` spans kept, the rest escaped."""
    parts = text.split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: no code span to keep
        return escape(text)
    return "".join(escape(part) if i % 2 == 0 else f"`{part}`" for i, part in enumerate(parts))


def _counts(shown: list[Finding]) -> list[str]:
    lines = [
        "| lesson | " + " | ".join(s.label for s in SEVERITIES) + " | total |",
        "| --- |" + " ---: |" * (len(SEVERITIES) + 1),
    ]
    for category, row in lesson_counts(shown):
        lines.append(f"| {category.value} | " + " | ".join(map(str, row)) + f" | {sum(row)} |")
    totals = severity_totals(shown)
    lines.append("| **total** | " + " | ".join(map(str, totals)) + f" | **{len(shown)}** |")
    return lines


def _row(f: Finding) -> str:
    return f"| {escape(f.path)}:{f.span.line} | {f.rule_id} | {f.severity.label} | {escape(f.message)} |"


def _rule_details(findings: list[Finding]) -> list[str]:
    lines: list[str] = []
    for rule_id, group in by_rule(findings).items():
        first = group[0]
        count = plural(len(group), "finding")
        lines += [
            f"<details><summary>{rule_id} {escape(first.rule_name)} ({first.category.value}): {count}</summary>",
            "",
            f"**Fix:** {_prose(first.remediation)}",
        ]
        if first.incident is not None:
            incident = first.incident
            url = incident.url.replace(" ", "%20").replace(")", "%29")
            lines += ["", f"**Why:** [{_prose(incident.title)}]({url}) ({escape(incident.date)})"]
        lines += ["", "</details>", ""]
    return lines


def _outside(report: Report, shown: list[Finding]) -> list[str]:
    """What the table does not hold: suppressed, baselined, skipped, and a crashed rule."""
    result = report.result
    notes = []
    suppressed = len(result.findings) - len(shown)
    if suppressed or result.baselined:
        notes.append(f"Not in the counts or the table: {suppressed} suppressed, {result.baselined} baselined.")
    if result.stale_baseline:
        notes.append(f"{plural(len(result.stale_baseline), 'baseline entry')} no longer match (remove them).")
    if result.skipped:
        counted = ", ".join(f"{n} {escape(reason)}" for reason, n in skipped_reasons(result))
        notes.append(f"{plural(len(result.skipped), 'file')} skipped, not analysed ({counted}); `-f json` lists them.")
    if result.internal_errors:
        notes.append(f"{plural(result.internal_errors, 'rule crash')} (GR000): the scan is incomplete.")
    return notes


def render(report: Report) -> str:
    result = report.result
    shown = visible(result)
    failing = sum(f.severity >= report.fail_on for f in shown)
    head = [
        "## guardrails",
        "",
        f"{plural(len(shown), 'finding')} in {plural(result.files_scanned, 'file')}; "
        f"{failing} at or above {report.fail_on.label}.",
        "",
    ]
    notes = _outside(report, shown)
    if notes:
        head += [" ".join(notes), ""]
    if not shown:
        return "\n".join(head)
    head += [
        *_counts(shown),
        "",
        "### Findings",
        "",
        "| location | rule | severity | message |",
        "| --- | --- | --- | --- |",
    ]
    tail = ["", "### Rules", "", *_rule_details(shown)]
    budget = MAX_CHARS - sum(len(line) + 1 for line in head + tail) - 200  # 200: room for the note
    rows: list[str] = []
    for f in shown[:MAX_ROWS]:
        row = _row(f)
        budget -= len(row) + 1
        if budget < 0:
            break
        rows.append(row)
    left_out = len(shown) - len(rows)
    if left_out:
        rows += [
            "",
            f"_{plural(left_out, 'more finding')} not shown: the table holds at most {MAX_ROWS} rows "
            f"and {MAX_CHARS:,} characters; `-f json` lists every finding._",
        ]
    return "\n".join(head + rows + tail)
