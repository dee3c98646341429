"""The base of the Python destructive-operation rules: scan, detect, skip what is guarded."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, ClassVar

from guardrails.documents import PythonDocument
from guardrails.facts.destructive_python import PyCall, PythonScan
from guardrails.facts.shell_guards import GUARD_OPTIONS, GuardSettings
from guardrails.model import Document, Severity
from guardrails.rule import Rule, RuleContext

if TYPE_CHECKING:
    from guardrails.model import Finding


class PythonDestructiveRule(Rule):
    """Subclasses implement ``detect``: (description, anchor, severity or None) per call.

    ``triggers`` are the words a call must name for ``detect`` to report it (its method, or a
    part of its qualified name): a file whose text holds none of them as a whole word is
    skipped before libcst parses it, which is most application code. ``argument_words``, when
    a rule declares them, are words that the string a reported call is given must hold (the
    SQL keyword of ``cursor.execute("DROP …")``): a file none of whose string literals holds
    one is skipped too (``execute`` and ``run`` name half the calls of ordinary code)."""

    abstract = True
    options = dict(GUARD_OPTIONS)
    missing = "nothing keeps it from production (no environment check, assert, confirmation or opt-in flag)"
    triggers: ClassVar[frozenset[str]] = frozenset()
    argument_words: ClassVar[frozenset[str]] = frozenset()
    _named: ClassVar[re.Pattern[str]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("abstract", False):
            return
        if not cls.triggers:
            raise TypeError(f"rule {cls.__qualname__}: declare the triggers a reported call names")
        words = "|".join(sorted(map(re.escape, cls.triggers)))
        cls._named = re.compile(rf"(?<![A-Za-z0-9_])(?:{words})(?![A-Za-z0-9_])")

    @classmethod
    def may_report(cls, text: str) -> bool:
        """Whether ``text`` names a trigger: the cheap test before the costly parse. Identifiers
        are whole words of the text, so this never turns away a file ``detect`` could report."""
        return cls._named.search(text) is not None

    @classmethod
    def may_report_document(cls, doc: PythonDocument) -> bool:
        """``may_report`` and, for a rule with ``argument_words``, a string literal holding one
        (read from CPython's tree: escapes decoded, adjacent literals joined, as libcst reads them)."""
        from guardrails.parsers.python import string_constants

        if not cls.may_report(doc.text):
            return False
        if not cls.argument_words:
            return True
        strings = string_constants(doc)
        return strings is None or any(word in strings for word in cls.argument_words)

    def detect(
        self, scan: PythonScan, call: PyCall, doc: PythonDocument, ctx: RuleContext
    ) -> Iterator[tuple[str, str, Severity | None]]:
        return iter(())

    def check(self, doc: Document, ctx: RuleContext) -> Iterator[Finding]:
        from guardrails.parsers.python import module_of

        if not isinstance(doc, PythonDocument) or not self.may_report_document(doc) or module_of(doc) is None:
            return
        scan = PythonScan.of(doc, GuardSettings.from_options(ctx.options), ctx.project)
        for call in scan.calls():
            for what, anchor, severity in self.detect(scan, call, doc, ctx):
                if scan.guard_reason(call.node) is not None:
                    continue
                yield self.finding(doc, call.span, f"{what}; {self.missing}", anchor=anchor, ctx=ctx, severity=severity)
