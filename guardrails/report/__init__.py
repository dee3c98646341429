"""Reporters: findings to text, JSON and the formats CI tools read.

Every reporter is a pure function of the scan result (and the rules that ran), so
two runs over the same files give byte-identical reports.
"""

from __future__ import annotations

from pathlib import Path

from guardrails.model import Severity
from guardrails.records import Record
from guardrails.registry import RuleSpec
from guardrails.result import ScanResult

FORMATS = ("text", "concise", "json", "sarif", "junit", "github", "gitlab", "markdown", "html")


class Report(Record):
    """What a reporter reads: the result, the rules that ran, and the gate threshold."""

    # ``repository``: where and when the scan ran, for the HTML audit's header: the repository's name, the
    # commit checked out (None outside a git checkout) and the date (ISO 8601, UTC).
    __slots__ = ("commit", "date", "fail_on", "repository", "result", "rules", "sources", "statistics")

    def __init__(
        self,
        result: ScanResult,
        rules: tuple[RuleSpec, ...] = (),
        fail_on: Severity = Severity.LOW,
        sources: dict[str, str] | None = None,
        statistics: bool = False,
        repository: str = "",
        commit: str | None = None,
        date: str = "",
    ) -> None:
        self.result = result
        self.rules = rules
        self.fail_on = fail_on
        self.sources: dict[str, str] = {} if sources is None else sources
        self.statistics = statistics
        self.repository = repository
        self.commit = commit
        self.date = date


def read_sources(report: Report, cwd: Path) -> None:
    """File contents for code frames, read only for files that have findings and that the scan read
    (a file skipped as too large, binary or unreadable gets no frame)."""
    unread = {s.path for s in report.result.skipped}
    for finding in report.result.findings:
        if finding.path not in report.sources and finding.path not in unread:
            try:
                report.sources[finding.path] = (cwd / finding.path).read_text(encoding="utf-8", errors="replace")
            except OSError:
                report.sources[finding.path] = ""


def render(fmt: str, report: Report, colour: bool = False) -> str:
    """The report in ``fmt`` (one of FORMATS); heavy modules load only for the chosen one."""
    if fmt in ("text", "concise"):
        from guardrails.report import text

        return text.render(
            report.result, report.sources, colour=colour, concise=fmt == "concise", statistics=report.statistics
        )
    if fmt == "json":
        from guardrails.report import json_report

        return json_report.render(report.result)
    if fmt == "sarif":
        from guardrails.report import sarif

        return sarif.render(report)
    if fmt == "junit":
        from guardrails.report import junit

        return junit.render(report)
    if fmt == "github":
        from guardrails.report import github

        return github.render(report)
    if fmt == "gitlab":
        from guardrails.report import gitlab

        return gitlab.render(report)
    if fmt == "markdown":
        from guardrails.report import markdown

        return markdown.render(report)
    if fmt == "html":
        from guardrails.report import html

        return html.render(report)
    raise ValueError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
