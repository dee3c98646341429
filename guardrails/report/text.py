"""Human output: findings grouped by file with a code frame, each rule's fix and incident
once, a summary. ``concise``: one ``path:line:col: RULE [severity] message`` line per
finding (for editors and grep). ``statistics``: a count per rule instead of findings.
"""

from __future__ import annotations

import os
from collections import Counter
from itertools import groupby
from typing import TextIO

from guardrails.model import Finding, Severity
from guardrails.report.frame import reported_line
from guardrails.report.grouping import related_places
from guardrails.result import ScanResult
from guardrails.templates import REASONS as TEMPLATE_REASONS

_COLOURS = {
    Severity.CRITICAL: "\033[1;31m",
    Severity.HIGH: "\033[31m",
    Severity.MEDIUM: "\033[33m",
    Severity.LOW: "\033[36m",
    Severity.INFO: "\033[2m",
}
_RESET = "\033[0m"
_BOLD = "\033[1m"


def use_colour(stream: TextIO, choice: str = "auto") -> bool:
    """``--color``: always, never, or auto (a terminal, unless NO_COLOR is set; FORCE_COLOR
    turns it on where a CI log renders colour but is no terminal)."""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return bool(getattr(stream, "isatty", lambda: False)())


def render(
    result: ScanResult,
    sources: dict[str, str],
    colour: bool = False,
    *,
    concise: bool = False,
    statistics: bool = False,
) -> str:
    paint = _Paint(colour)
    lines: list[str] = []
    visible = [f for f in result.findings if f.suppressed is None]
    if statistics:
        lines.extend(_statistics(visible))
    elif concise:
        lines.extend(_head(f, paint) for f in visible)
    else:
        for path, group in groupby(visible, key=lambda f: f.path):
            lines.append(paint(_BOLD, path))
            for finding in group:
                lines.extend(_finding(finding, sources.get(finding.path, ""), paint))
            lines.append("")
        lines.extend(_rules(visible, paint))
    lines.extend(_summary(result, visible, paint))
    return "\n".join(lines) + "\n"


class _Paint:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, code: str, text: str) -> str:
        return f"{code}{text}{_RESET}" if self.enabled else text


def _head(f: Finding, paint: _Paint) -> str:
    return f"{paint(_BOLD, f'{f.path}:{f.span.line}:{f.span.column}:')} {f.rule_id} {_severity(f, paint)} {f.message}"


def _severity(f: Finding, paint: _Paint) -> str:
    return paint(_COLOURS[f.severity], f"[{f.severity.label}]")


def _finding(f: Finding, source: str, paint: _Paint) -> list[str]:
    out = [f"  {f.span.line}:{f.span.column}  {f.rule_id} {_severity(f, paint)} {f.message}"]
    src_lines = source.split("\n") if source else []
    if 0 < f.span.line <= len(src_lines):
        code = reported_line(f, src_lines[f.span.line - 1])
        gutter = f"{f.span.line:>7} | "
        out.append(gutter + code)
        caret_len = max(
            1, (f.span.end_column - f.span.column) if f.span.end_line == f.span.line else len(code) - f.span.column + 1
        )
        out.append(" " * (len(gutter) + f.span.column - 1) + "^" * min(caret_len, 80))
    out.extend(_related(f))
    return out


def _related(f: Finding) -> list[str]:
    """The other places a finding involves, one a line (``= at path:line: what``), names and places only."""
    return [f"      = at {where}" + (f": {what}" if what else "") for where, what in related_places(f)]


def _rules(visible: list[Finding], paint: _Paint) -> list[str]:
    """Each rule's fix and incident, once, however many findings it has."""
    out: list[str] = []
    seen: dict[str, Finding] = {}
    counts = Counter(f.rule_id for f in visible)
    for finding in visible:
        seen.setdefault(finding.rule_id, finding)
    for rule_id in sorted(seen):
        f = seen[rule_id]
        count = counts[rule_id]
        out.append(paint(_BOLD, f"{rule_id} {f.rule_name}") + f" ({count} finding{'s' if count != 1 else ''})")
        out.append(f"  fix: {f.remediation}")
        if f.incident is not None:
            out.append(f"  why: {f.incident.title} ({f.incident.date}) {f.incident.url}")
        out.append("")
    return out


def _statistics(visible: list[Finding]) -> list[str]:
    """``--statistics``: findings per rule, most first (like ``ruff check --statistics``)."""
    counts = Counter((f.rule_id, f.rule_name, f.severity.label) for f in visible)
    width = max((len(str(n)) for n in counts.values()), default=1)
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0][0]))
    return [f"{count:>{width}}  {rule_id}  [{label}]  {name}" for (rule_id, name, label), count in ordered]


def _summary(result: ScanResult, visible: list[Finding], paint: _Paint) -> list[str]:
    counts = Counter(f.severity for f in visible)
    parts = [f"{counts[s]} {s.label}" for s in sorted(counts, reverse=True)]
    found = f"{len(visible)} finding{'s' if len(visible) != 1 else ''}"
    if parts:
        found += f" ({', '.join(parts)})"
    suppressed = len(result.findings) - len(visible)
    extra = f", {suppressed} suppressed" if suppressed else ""
    if result.baselined:
        extra += f", {result.baselined} baselined"
    if result.hidden:
        extra += f", {result.hidden} below --severity"
    line = f"{found}{extra} in {result.files_scanned} file{'s' if result.files_scanned != 1 else ''}"
    if result.internal_errors:
        errors = result.internal_errors
        line += f"; {errors} internal error{'s' if errors != 1 else ''} (GR000: files not fully checked)"
    if result.skipped:
        line += f"; {len(result.skipped)} skipped"
        # Templates are counted per engine (a chart repository has hundreds); -f json lists them.
        engines = Counter(s.reason for s in result.skipped if s.reason in TEMPLATE_REASONS)
        if engines:
            counted = ", ".join(f"{n} {reason}" for reason, n in sorted(engines.items()))
            line += f" ({counted}: templates, not analysed until rendered; -f json lists them)"
    out = [paint(_BOLD, line)]
    if result.stale_baseline:
        count = len(result.stale_baseline)
        out.append(f"{count} baseline entr{'ies' if count != 1 else 'y'} no longer match (remove them):")
        out.extend(f"  stale {e['path']}: {e['rule_id']} {e['anchor']}" for e in result.stale_baseline)
    others = [s for s in result.skipped if s.reason not in TEMPLATE_REASONS]
    out.extend(f"  skipped {s.path}: {s.reason}" + (f" ({s.detail})" if s.detail else "") for s in others)
    return out
