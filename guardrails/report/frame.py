"""Which source text a report may quote around a finding, so that no report prints a secret.

The reported line is shown as the text report always showed it: a ``sensitive`` finding's value
is cut at its column, and a sensitive line that could not be parsed is not shown at all. Lines
around it (the HTML report's code frame) are shown only for findings that are not sensitive,
and a line that may hold a credential (a key word such as ``password`` or ``token``, a URL with
a user, a long mixed-case token, a line another finding reports as sensitive) is hidden whatever
rule reported near it: over-hiding costs a reader some context, quoting a secret costs a rotation.
"""

from __future__ import annotations

import re

from guardrails import deferred_re
from guardrails.model import Category, Finding
from guardrails.records import Frozen

VALUE_NOT_SHOWN = "<value not shown>"
LINE_NOT_SHOWN = "<line not shown: it may hold a secret>"
MAX_WIDTH = 200
# Lines shown before the reported line and after the end of its span.
CONTEXT = 2
# A span longer than this shows its first lines only.
MAX_SPAN_LINES = 8

_CREDENTIAL_HINT = deferred_re.compile(
    r"pass|pwd|secret|token|key|auth|cred|private|cert|salt|signature|://[^/\s]*@", re.IGNORECASE
)
# A run of token characters long enough to be a key (checked for digits and both cases apart).
_RUN = deferred_re.compile(r"[A-Za-z0-9+/=_-]{16,}")


def reported_line(finding: Finding, code: str) -> str:
    """The reported line as a report may quote it (tabs as spaces)."""
    code = code.replace("\t", " ")
    if finding.sensitive:
        # A value reported at this column: show what precedes it. A line that could not be
        # parsed: show none of it, a credential may sit anywhere on it.
        shown = "" if finding.category is Category.UNPARSEABLE_INPUT else code[: finding.span.column - 1]
        code = shown + VALUE_NOT_SHOWN
    return code[:MAX_WIDTH]


def may_hold_secret(code: str) -> bool:
    if _CREDENTIAL_HINT.search(code):
        return True
    return any(
        any(c.isdigit() for c in run) and any(c.islower() for c in run) and any(c.isupper() for c in run)
        for run in _RUN.findall(code)
    )


class FrameLine(Frozen):
    number: int
    text: str
    reported: bool  # inside the finding's span


def secret_lines(findings: list[Finding]) -> dict[str, frozenset[int]]:
    """Per path, the lines a sensitive finding reports: no other finding's frame shows them."""
    found: dict[str, set[int]] = {}
    for f in findings:
        if f.sensitive:
            found.setdefault(f.path, set()).update(range(f.span.line, max(f.span.end_line, f.span.line) + 1))
    return {path: frozenset(lines) for path, lines in found.items()}


def frame(finding: Finding, source: str, secrets: frozenset[int] = frozenset()) -> list[FrameLine]:
    """The lines around ``finding`` a report may show; empty when its line is not in ``source``.
    ``secrets``: the lines of the file that sensitive findings report (``secret_lines``)."""
    lines = source.split("\n") if source else []
    span = finding.span
    if not 0 < span.line <= len(lines):
        return []
    if finding.sensitive:
        return [FrameLine(span.line, reported_line(finding, lines[span.line - 1]), True)]
    last = min(max(span.end_line, span.line), span.line + MAX_SPAN_LINES - 1)
    shown: list[FrameLine] = []
    for number in range(max(1, span.line - CONTEXT), min(len(lines), last + CONTEXT) + 1):
        code = lines[number - 1]
        if number in secrets:
            text = LINE_NOT_SHOWN
        elif number == span.line:
            text = reported_line(finding, code)
        else:
            text = code.replace("\t", " ")[:MAX_WIDTH]
            if may_hold_secret(text):
                text = LINE_NOT_SHOWN
        shown.append(FrameLine(number, text, span.line <= number <= last))
    while shown and not shown[-1].text.strip():  # no trailing blank lines (the file's last newline)
        shown.pop()
    return shown
