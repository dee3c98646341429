"""The base of the Python destructive-operation rules: scan, detect, skip what is guarded."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from guardrails.documents import PythonDocument
from guardrails.facts.destructive_python import PyCall, PythonScan
from guardrails.facts.shell_guards import GUARD_OPTIONS, GuardSettings
from guardrails.model import Document, Severity
from guardrails.rule import Rule, RuleContext

if TYPE_CHECKING:
    from guardrails.model import Finding


class PythonDestructiveRule(Rule):
    """Subclasses implement ``detect``: (description, anchor, severity or None) per call."""

    abstract = True
    options = dict(GUARD_OPTIONS)
    missing = "nothing keeps it from production (no environment check, assert, confirmation or opt-in flag)"

    def detect(
        self, scan: PythonScan, call: PyCall, doc: PythonDocument, ctx: RuleContext
    ) -> Iterator[tuple[str, str, Severity | None]]:
        return iter(())

    def check(self, doc: Document, ctx: RuleContext) -> Iterator[Finding]:
        if not isinstance(doc, PythonDocument) or doc.module is None:
            return
        scan = PythonScan.of(doc, GuardSettings.from_options(ctx.options), ctx.project)
        for call in scan.calls():
            for what, anchor, severity in self.detect(scan, call, doc, ctx):
                if scan.guard_reason(call.node) is not None:
                    continue
                yield self.finding(doc, call.span, f"{what}; {self.missing}", anchor=anchor, ctx=ctx, severity=severity)
