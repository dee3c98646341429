"""GitLab Code Quality report (a JSON array), shown in merge request widgets and diffs.

GitLab needs ``description``, ``check_name``, ``fingerprint``, ``severity`` (info, minor,
major, critical, blocker), ``location.path`` and ``location.lines.begin``. Suppressed
findings are left out: GitLab has no notion of an accepted issue.
"""

from __future__ import annotations

import json
from typing import Any

from guardrails.model import Finding, Severity
from guardrails.report import Report

SEVERITY = {
    Severity.CRITICAL: "blocker",
    Severity.HIGH: "critical",
    Severity.MEDIUM: "major",
    Severity.LOW: "minor",
    Severity.INFO: "info",
}


def issue(f: Finding) -> dict[str, Any]:
    return {
        "type": "issue",
        "description": f"{f.rule_id} {f.message}",
        "check_name": f"{f.rule_id} {f.rule_name}",
        "fingerprint": f.fingerprint,
        "severity": SEVERITY[f.severity],
        "categories": ["Security"],
        "location": {"path": f.path, "lines": {"begin": f.span.line, "end": max(f.span.end_line, f.span.line)}},
        "content": {"body": f"{f.remediation}" + (f"\n\nIncident: {f.incident.url}" if f.incident else "")},
    }


def render(report: Report) -> str:
    issues = [issue(f) for f in report.result.findings if f.suppressed is None]
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
