"""How the human reports group findings: counts by lesson and severity, findings by rule and by
file, and what stays outside the counts (suppressed, baselined, skipped). The Markdown summary
and the HTML audit render the same groups, so they never disagree on a number."""

from __future__ import annotations

from collections import Counter

from guardrails.model import Category, Finding, Severity
from guardrails.result import ScanResult

# Most severe first: the order of every table and chart.
SEVERITIES = sorted(Severity, reverse=True)


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def visible(result: ScanResult) -> list[Finding]:
    """The findings a report counts: not suppressed (baselined ones are already out of the result)."""
    return [f for f in result.findings if f.suppressed is None]


def suppressed(result: ScanResult) -> list[Finding]:
    return [f for f in result.findings if f.suppressed is not None]


def lesson_counts(findings: list[Finding]) -> list[tuple[Category, list[int]]]:
    """For each lesson with a finding, its count per severity (in SEVERITIES order)."""
    counted = Counter((f.category, f.severity) for f in findings)
    rows = [(category, [counted[category, s] for s in SEVERITIES]) for category in Category]
    return [(category, row) for category, row in rows if sum(row)]


def severity_totals(findings: list[Finding]) -> list[int]:
    counted = Counter(f.severity for f in findings)
    return [counted[s] for s in SEVERITIES]


def by_rule(findings: list[Finding]) -> dict[str, list[Finding]]:
    """Findings per rule id, rules in id order, findings in report order."""
    grouped: dict[str, list[Finding]] = {}
    for f in findings:
        grouped.setdefault(f.rule_id, []).append(f)
    return {rule_id: grouped[rule_id] for rule_id in sorted(grouped)}


def by_file(findings: list[Finding]) -> dict[str, list[Finding]]:
    """Findings per path, the file with the most first (then by path)."""
    grouped: dict[str, list[Finding]] = {}
    for f in findings:
        grouped.setdefault(f.path, []).append(f)
    return dict(sorted(grouped.items(), key=lambda item: (-len(item[1]), item[0])))


def related_places(f: Finding) -> list[tuple[str, str]]:
    """The other places a finding involves: (``path:line`` or ``path``, what is there), names and places only."""
    places = []
    for item in f.related:
        where = f"{item['path']}:{item['line']}" if "line" in item else str(item["path"])
        what = item.get("message") or ", ".join(f"{k} {v}" for k, v in item.items() if k not in ("path", "line"))
        places.append((where, str(what)))
    return places


def skipped_reasons(result: ScanResult) -> list[tuple[str, int]]:
    """How many files were skipped for each reason, by reason."""
    return sorted(Counter(s.reason for s in result.skipped).items())
