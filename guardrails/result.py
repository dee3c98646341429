"""What a scan produces, and the internal-error finding (GR000) that keeps a crash with its file.

Shared by the engine, the checking of files in workers (guardrails/parallel.py) and the
reporters, so that none of them imports another for it.
"""

from __future__ import annotations

from typing import Any

from guardrails.model import Category, Finding, Severity, SkippedFile, Span
from guardrails.records import Record

INTERNAL_ERROR_ID = "GR000"
INTERNAL_ERROR_NAME = "internal-error"
INTERNAL_ERROR_TITLE = "guardrails itself crashed on a file (a parser or a rule)"
INTERNAL_ERROR_RATIONALE = (
    "A crash must not pass a file as safe, and must not stop the scan of every other file either. The "
    "exception stays with the file it happened on: the finding names the exception type and where it was "
    "raised (never its text, which may quote the file), the rest of the scan completes, the summary and "
    "the JSON report count the internal errors, and the run fails whatever --fail-on says. It is not a "
    "rule: it cannot be selected, ignored or suppressed."
)
INTERNAL_ERROR_REMEDIATION = (
    "Report this to the guardrails maintainers with the file (or a reduced copy); the file was not fully "
    "checked. The rest of the scan completed."
)


class ScanResult(Record):
    # ``baselined_findings``: the findings a baseline matched (counted in ``baselined``): out of
    # the gate, listed apart by -f html.
    # ``files_found``: files discovery found under the given paths, before configuration excludes and
    # --changed-since: zero when the paths name no file at all.
    # ``hidden``: findings left out of the report by --severity (they still count for --fail-on).
    __slots__ = (
        "baselined",
        "baselined_findings",
        "files_found",
        "files_scanned",
        "findings",
        "hidden",
        "internal_errors",
        "scanned",
        "skipped",
        "stale_baseline",
        "unsupported",
    )

    def __init__(
        self,
        findings: list[Finding] | None = None,
        skipped: list[SkippedFile] | None = None,
        files_scanned: int = 0,
        unsupported: int = 0,
        internal_errors: int = 0,
        scanned: list[str] | None = None,
        baselined: int = 0,
        baselined_findings: list[Finding] | None = None,
        stale_baseline: list[dict[str, Any]] | None = None,
        files_found: int = 0,
        hidden: int = 0,
    ) -> None:
        self.findings: list[Finding] = [] if findings is None else findings
        self.skipped: list[SkippedFile] = [] if skipped is None else skipped
        self.files_scanned = files_scanned
        self.unsupported = unsupported
        self.internal_errors = internal_errors
        self.scanned: list[str] = [] if scanned is None else scanned
        self.baselined = baselined
        self.baselined_findings: list[Finding] = [] if baselined_findings is None else baselined_findings
        self.stale_baseline: list[dict[str, Any]] = [] if stale_baseline is None else stale_baseline
        self.files_found = files_found
        self.hidden = hidden


def internal_error(path: str, what: str, anchor: str) -> Finding:
    """A crash in guardrails itself (a parser or a rule) on the file ``path``: reported there,
    and it fails the run. ``what`` names the exception type and where, never its text, which
    may quote a value from the file (a secret)."""
    return Finding(
        rule_id=INTERNAL_ERROR_ID,
        rule_name=INTERNAL_ERROR_NAME,
        category=Category.UNPARSEABLE_INPUT,
        severity=Severity.HIGH,
        path=path,
        span=Span.point(1),
        message=what,
        remediation=INTERNAL_ERROR_REMEDIATION,
        incident=None,
        anchor=anchor,
    )
