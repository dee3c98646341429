"""Human output: ``path:line:col: RULE [severity] message``, a code frame, a summary."""

from __future__ import annotations

import os
from collections import Counter
from typing import TextIO

from guardrails.engine import ScanResult
from guardrails.model import Category, Finding, Severity
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


def use_colour(stream: TextIO) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def render(result: ScanResult, sources: dict[str, str], colour: bool = False) -> str:
    lines: list[str] = []
    visible = [f for f in result.findings if f.suppressed is None]
    for finding in visible:
        lines.extend(_finding(finding, sources.get(finding.path, ""), colour))
    lines.append(_summary(result, visible, colour))
    return "\n".join(lines) + "\n"


def _finding(f: Finding, source: str, colour: bool) -> list[str]:
    sev = f"[{f.severity.label}]"
    head = f"{f.path}:{f.span.line}:{f.span.column}: {f.rule_id} {sev} {f.message}"
    if colour:
        head = (
            f"{_BOLD}{f.path}:{f.span.line}:{f.span.column}:{_RESET} {f.rule_id} "
            f"{_COLOURS[f.severity]}{sev}{_RESET} {f.message}"
        )
    out = [head]
    src_lines = source.split("\n") if source else []
    if 0 < f.span.line <= len(src_lines):
        code = src_lines[f.span.line - 1].replace("\t", " ")
        if f.sensitive:
            # A value reported at this column: show what precedes it. A line that could not be
            # parsed: show none of it, a credential may sit anywhere on it.
            shown = "" if f.category is Category.UNPARSEABLE_INPUT else code[: f.span.column - 1]
            code = shown + "<value not shown>"
        gutter = f"{f.span.line:>5} | "
        out.append(gutter + code[:200])
        caret_len = max(
            1, (f.span.end_column - f.span.column) if f.span.end_line == f.span.line else len(code) - f.span.column + 1
        )
        out.append(" " * (len(gutter) + f.span.column - 1) + "^" * min(caret_len, 80))
    out.extend(_related(f))
    out.append(f"      = fix: {f.remediation}")
    if f.incident is not None:
        out.append(f"      = why: {f.incident.title} ({f.incident.date}) {f.incident.url}")
    out.append("")
    return out


def _related(f: Finding) -> list[str]:
    """The other places a finding involves, one a line (``= at path:line: what``), names and places only."""
    lines = []
    for item in f.related:
        where = f"{item['path']}:{item['line']}" if "line" in item else str(item["path"])
        what = item.get("message") or ", ".join(f"{k} {v}" for k, v in item.items() if k not in ("path", "line"))
        lines.append(f"      = at {where}" + (f": {what}" if what else ""))
    return lines


def _summary(result: ScanResult, visible: list[Finding], colour: bool) -> str:
    counts = Counter(f.severity for f in visible)
    parts = [f"{counts[s]} {s.label}" for s in sorted(counts, reverse=True)]
    found = f"{len(visible)} finding{'s' if len(visible) != 1 else ''}"
    if parts:
        found += f" ({', '.join(parts)})"
    suppressed = len(result.findings) - len(visible)
    extra = f", {suppressed} suppressed" if suppressed else ""
    if result.baselined:
        extra += f", {result.baselined} baselined"
    line = f"{found}{extra} in {result.files_scanned} file{'s' if result.files_scanned != 1 else ''}"
    if result.stale_baseline:
        count = len(result.stale_baseline)
        line += f"; {count} baseline entr{'ies' if count != 1 else 'y'} no longer match (remove them):"
        line += "".join(f"\n  stale {e['path']}: {e['rule_id']} {e['anchor']}" for e in result.stale_baseline)
    if result.skipped:
        line += f"; {len(result.skipped)} skipped"
        # Templates are counted per engine (a chart repository has hundreds); -f json lists them.
        engines = Counter(s.reason for s in result.skipped if s.reason in TEMPLATE_REASONS)
        if engines:
            counted = ", ".join(f"{n} {reason}" for reason, n in sorted(engines.items()))
            line += f" ({counted}: templates, not analysed until rendered; -f json lists them)"
        others = [s for s in result.skipped if s.reason not in TEMPLATE_REASONS]
        if others:
            line += ":" + "".join(f"\n  skipped {s.path}: {s.reason} ({s.detail})" for s in others)
    return (_BOLD + line + _RESET) if colour else line
