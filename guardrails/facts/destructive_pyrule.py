"""The base of the Python destructive-operation rules: scan, detect, skip what is guarded."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import lru_cache
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

    Two cheap tests come before a file's names are resolved (``PythonScan``), most
    application code fails them:
    ``triggers`` are the words a call must name for ``detect`` to report it (its method, or a
    part of its qualified name), and a file whose text holds none of them as a whole word is
    skipped. Then the file's calls are read from CPython's tree (``call_sites``): a rule with
    ``by_method`` reports only ``x.<trigger>(…)`` calls, one with ``callees`` only calls whose
    qualified name is one of them (``check`` holds both to that), and
    ``may_report_argument`` says whether the literals of a call's first argument could make it
    report (by default: they hold one of ``argument_words``, the SQL keyword of
    ``cursor.execute("DROP …")``). A file with no call passing both is skipped too."""

    abstract = True
    options = dict(GUARD_OPTIONS)
    missing = "nothing keeps it from production (no environment check, assert, confirmation or opt-in flag)"
    triggers: ClassVar[frozenset[str]] = frozenset()
    by_method: ClassVar[bool] = False
    callees: ClassVar[frozenset[str]] = frozenset()
    _last_parts: ClassVar[frozenset[str]]
    argument_words: ClassVar[frozenset[str]] = frozenset()
    _named: ClassVar[re.Pattern[str]]
    _every_trigger: ClassVar[set[str]] = set()  # of every rule: one pass over a file finds them all

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("abstract", False):
            return
        if not cls.triggers:
            raise TypeError(f"rule {cls.__qualname__}: declare the triggers a reported call names")
        cls._named = _whole_words(cls.triggers)
        PythonDestructiveRule._every_trigger |= cls.triggers
        cls._last_parts = frozenset(name.rsplit(".", 1)[-1] for name in cls.callees)

    @classmethod
    def may_report(cls, text: str) -> bool:
        """Whether ``text`` names a trigger: the cheap test before the costly parse. Identifiers
        are whole words of the text, so this never turns away a file ``detect`` could report."""
        return cls._named.search(text) is not None

    @classmethod
    def named_in(cls, doc: PythonDocument) -> frozenset[str]:
        """The triggers of every rule that ``doc`` names, found in one pass and kept on it
        (eight rules searching a file each for its own cost eight passes)."""
        every = frozenset(PythonDestructiveRule._every_trigger)
        if doc.named is None or doc.named[0] != every:
            doc.named = (every, frozenset(_whole_words(every).findall(doc.text)))
        found: frozenset[str] = doc.named[1]
        return found

    @classmethod
    def may_report_argument(cls, texts: str, options: Mapping[str, Any]) -> bool:
        """Whether a call whose first argument holds ``texts`` (its literals, lower-cased and
        NUL-joined, ``call_sites``) could be reported under ``options``."""
        return not cls.argument_words or any(word in texts for word in cls.argument_words)

    @classmethod
    def may_report_document(cls, doc: PythonDocument, options: Mapping[str, Any] | None = None) -> bool:
        """``may_report``, then a call of the file that ``by_method`` and ``may_report_argument``
        let through (read from CPython's tree: escapes decoded, adjacent literals joined)."""
        from guardrails.parsers.python import call_sites

        if cls.triggers.isdisjoint(cls.named_in(doc)):
            return False
        sites = call_sites(doc)
        if sites is None:
            return True
        chosen = options if options is not None else {}
        return any(
            (not cls.by_method or site.method in cls.triggers)
            and (not cls.callees or not cls._last_parts.isdisjoint(site.names))
            and cls.may_report_argument(site.texts, chosen)
            for site in sites
        )

    def detect(
        self, scan: PythonScan, call: PyCall, doc: PythonDocument, ctx: RuleContext
    ) -> Iterator[tuple[str, str, Severity | None]]:
        return iter(())

    def check(self, doc: Document, ctx: RuleContext) -> Iterator[Finding]:
        if not isinstance(doc, PythonDocument) or doc.tree is None or not self.may_report_document(doc, ctx.options):
            return
        scan = PythonScan.of(doc, GuardSettings.from_options(ctx.options), ctx.project)
        for call in scan.calls():
            if self.by_method and scan.method(call) not in self.triggers:
                continue
            if self.callees and not (call.names & self.callees):
                continue
            for what, anchor, severity in self.detect(scan, call, doc, ctx):
                if scan.guard_reason(call.node) is not None:
                    continue
                yield self.finding(doc, call.span, f"{what}; {self.missing}", anchor=anchor, ctx=ctx, severity=severity)


@lru_cache(maxsize=32)
def _whole_words(words: frozenset[str]) -> re.Pattern[str]:
    alternatives = "|".join(sorted(map(re.escape, words)))
    return re.compile(rf"(?<![A-Za-z0-9_])(?:{alternatives})(?![A-Za-z0-9_])")
