"""GitHub Actions workflow commands: each finding becomes an annotation on the pull request.

``::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message``. GitHub reads
``%``, CR and LF escaped in the message, and also ``:`` and ``,`` in property values.
Suppressed findings are not annotated. Every line is a workflow command: GitHub shows at
most 10 annotations of each type (error, warning, notice) per step and drops the rest, so
at most ``MAX_PER_TYPE`` of each are printed (9 notices: the summary is a notice too), and
the summary, ``::notice title=guardrails::…``, counts the findings left out.
"""

from __future__ import annotations

from guardrails.model import Finding, Severity
from guardrails.report import Report

MAX_PER_TYPE = 10


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(severity: Severity) -> str:
    if severity >= Severity.HIGH:
        return "error"
    if severity == Severity.MEDIUM:
        return "warning"
    return "notice"


def annotation(f: Finding) -> str:
    span = f.span
    props = {
        "file": f.path,
        "line": str(span.line),
        "col": str(span.column),
        "endLine": str(max(span.end_line, span.line)),
        "endColumn": str(span.end_column),
        "title": f"{f.rule_id} {f.rule_name} [{f.severity.label}]",
    }
    rendered = ",".join(f"{key}={escape_property(value)}" for key, value in props.items())
    body = f"{f.message}\nfix: {f.remediation}"
    if f.incident is not None:
        body += f"\nwhy: {f.incident.title} ({f.incident.date}) {f.incident.url}"
    return f"::{command(f.severity)} {rendered}::{escape_data(body)}"


def render(report: Report) -> str:
    result = report.result
    visible = [f for f in result.findings if f.suppressed is None]
    limits = {"error": MAX_PER_TYPE, "warning": MAX_PER_TYPE, "notice": MAX_PER_TYPE - 1}
    lines: list[str] = []
    left_out = 0
    for finding in visible:
        kind = command(finding.severity)
        if limits[kind] > 0:
            limits[kind] -= 1
            lines.append(annotation(finding))
        else:
            left_out += 1
    shown = len(visible)
    suppressed = len(result.findings) - shown
    files = result.files_scanned
    summary = f"guardrails: {shown} finding{'s' if shown != 1 else ''} in {files} file{'s' if files != 1 else ''}"
    if suppressed:
        summary += f", {suppressed} suppressed"
    if result.baselined:
        summary += f", {result.baselined} baselined"
    if result.internal_errors:
        summary += f", {result.internal_errors} internal error{'s' if result.internal_errors != 1 else ''}"
    if left_out:
        summary += (
            f"; {left_out} not annotated (GitHub shows {MAX_PER_TYPE} annotations of each type per step): "
            "see the text or SARIF report"
        )
    lines.append(f"::notice title=guardrails::{escape_data(summary)}")
    return "\n".join(lines) + "\n"
