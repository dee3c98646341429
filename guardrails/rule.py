"""The Rule base class: a rule's metadata is its documentation, its examples are its tests.

Subclasses are validated when defined (``__init_subclass__``), so a rule with no
incident URL, remediation or examples fails at import time, not in production.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, ClassVar

from guardrails.model import Category, Document, Finding, Fix, Incident, Kind, Safety, Severity, Span
from guardrails.records import Frozen, Record

if TYPE_CHECKING:
    from guardrails.project import Project

_ID = re.compile(r"^[A-Z]{2}\d{3}$")
_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


class Option(Frozen):
    """A typed rule option with its default, validated when configuration is loaded."""

    default: Any
    help: str

    @property
    def type(self) -> type:
        return type(self.default)

    def validate(self, value: Any, where: str) -> Any:
        expected = self.type
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if expected is list and isinstance(value, list):
            return value
        if expected is dict and isinstance(value, dict):
            return value
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise ValueError(f"{where}: expected {expected.__name__}, got {type(value).__name__}")
        return value


class Example(Frozen):
    """A runnable example: ``files`` maps relative paths to contents.

    For a bad example, ``lines`` lists the lines (in ``target``, the first file by
    default) where the rule must report, and nothing else may be reported by it.
    """

    files: dict[str, str]
    lines: tuple[int, ...] = ()
    target: str = ""
    note: str = ""

    @property
    def primary(self) -> str:
        return self.target or next(iter(self.files))


def Bad(path: str, source: str, *lines: int, note: str = "", extra: dict[str, str] | None = None) -> Example:  # noqa: N802
    return Example(files={path: source, **(extra or {})}, lines=tuple(lines), target=path, note=note)


def Good(path: str, source: str, note: str = "", extra: dict[str, str] | None = None) -> Example:  # noqa: N802
    return Example(files={path: source, **(extra or {})}, target=path, note=note)


class Place(Frozen):
    """Where a finding goes in the file on disk, without its document: what a per-document
    summary (``Rule.summarize``) keeps of a location, so that it can travel between processes."""

    path: str
    span: Span
    context: str = ""

    @classmethod
    def of(cls, doc: Document, span: Span) -> Place:
        """``span`` of ``doc`` placed in its host file (embedded documents are mapped back)."""
        return cls(doc.host.path, doc.host_span(span), doc.context)


class RuleContext(Record):
    """What a rule may read besides its document: its options and the project.

    ``options`` is shared by every check of the rule in a scan: read it, never change it."""

    __slots__ = ("options", "project", "severity_override")

    def __init__(
        self,
        options: dict[str, Any],
        project: Project,
        severity_override: Severity | None = None,
    ) -> None:
        self.options = options
        self.project = project
        self.severity_override = severity_override


class Rule:
    id: ClassVar[str]
    name: ClassVar[str]
    title: ClassVar[str]
    category: ClassVar[Category]
    severity: ClassVar[Severity]
    kinds: ClassVar[frozenset[Kind]]
    incidents: ClassVar[tuple[Incident, ...]]
    rationale: ClassVar[str]
    remediation: ClassVar[str]
    options: ClassVar[dict[str, Option]] = {}
    bad: ClassVar[tuple[Example, ...]] = ()
    good: ClassVar[tuple[Example, ...]] = ()
    project_wide: ClassVar[bool] = False
    # ``summarizes``: A project-wide rule that summarizes reads each document of its kinds into a small
    # picklable summary (``summarize``) where the document is checked, a worker process for
    # large scans, and checks the project over those summaries (``check_summaries``) in place
    # of ``check_project``: no parsed document has to travel back from a worker (that costs
    # more than parsing it), so the files it reads are checked in parallel too.
    summarizes: ClassVar[bool] = False
    reads_failures: ClassVar[bool] = False
    # ``sensitive``: findings point at secret values: reporters mask the source from the span's column on.
    sensitive: ClassVar[bool] = False
    # ``fix_safety``: the fix a finding may carry (None: the rule offers none) and, for `explain` and the
    # catalog, what it edits and where; a finding's own Fix is data built in ``check``.
    fix_safety: ClassVar[Safety | None] = None
    fix_note: ClassVar[str] = ""
    abstract: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("abstract", False):
            return
        problems = list(_metadata_problems(cls))
        if problems:
            raise TypeError(f"rule {cls.__qualname__}: " + "; ".join(problems))

    # -- checking -----------------------------------------------------------------

    def check(self, doc: Document, ctx: RuleContext) -> Iterable[Finding]:
        """Findings for one document (and never for its children: the engine visits them)."""
        return ()

    def check_project(self, docs: list[Document], ctx: RuleContext) -> Iterable[Finding]:
        """Findings that need every scanned document at once (``project_wide = True``)."""
        return ()

    def summarize(self, doc: Document, ctx: RuleContext) -> Any:
        """What ``check_summaries`` needs of one scanned document of ``kinds`` (``summarizes =
        True``): plain data and ``Place``s, never the document or its nodes. It may run in a worker
        process and must depend on the document, its path and the options alone: read other files
        through ``ctx.project`` in ``check_summaries``, where those reads are tracked for the cache.
        Summaries are never written to the cache: they may hold secret values."""
        raise NotImplementedError(f"{self.id} sets summarizes but does not define summarize")

    def check_summaries(self, summaries: list[Any], ctx: RuleContext) -> Iterable[Finding]:
        """Findings over the summaries of every scanned document of ``kinds`` (in scan order), for
        a rule that ``summarizes``; ``ctx.project`` loads files that were not scanned."""
        return ()

    # -- helpers for subclasses ------------------------------------------------------

    def finding(
        self,
        doc: Document,
        span: Span,
        message: str,
        *,
        anchor: str,
        ctx: RuleContext | None = None,
        severity: Severity | None = None,
        related: list[dict[str, Any]] | None = None,
        fix: Fix | None = None,
    ) -> Finding:
        """A finding located in the file on disk (embedded documents are mapped back)."""
        place = Place.of(doc, span)
        return self.finding_at(place, message, anchor=anchor, ctx=ctx, severity=severity, related=related, fix=fix)

    def finding_at(
        self,
        place: Place,
        message: str,
        *,
        anchor: str,
        ctx: RuleContext | None = None,
        severity: Severity | None = None,
        related: list[dict[str, Any]] | None = None,
        fix: Fix | None = None,
    ) -> Finding:
        """A finding at a ``Place`` (from a summary, where the document is no longer at hand)."""
        chosen = severity if severity is not None else self.severity
        if ctx is not None and ctx.severity_override is not None:
            chosen = ctx.severity_override
        if place.context:
            anchor = f"{place.context}/{anchor}"
        return Finding(
            rule_id=self.id,
            rule_name=self.name,
            category=self.category,
            severity=chosen,
            path=place.path,
            span=place.span,
            message=message,
            remediation=self.remediation,
            incident=self.incidents[0] if self.incidents else None,
            anchor=anchor,
            related=related or [],
            sensitive=self.sensitive,
            fix=fix,
        )

    @classmethod
    def describe(cls) -> dict[str, Any]:
        return {
            "id": cls.id,
            "name": cls.name,
            "title": cls.title,
            "category": cls.category.value,
            "severity": cls.severity.label,
            "kinds": sorted(k.value for k in cls.kinds),
            "incidents": [i.to_dict() for i in cls.incidents],
            "rationale": cls.rationale,
            "remediation": cls.remediation,
            "options": {k: {"default": o.default, "help": o.help} for k, o in cls.options.items()},
            "fix": {"safety": cls.fix_safety.value, "edits": cls.fix_note} if cls.fix_safety else None,
        }


def _metadata_problems(cls: type[Rule]) -> Iterator[str]:
    for attr in ("id", "name", "title", "category", "severity", "kinds", "incidents", "rationale", "remediation"):
        if not getattr(cls, attr, None):
            yield f"missing {attr}"
    if getattr(cls, "id", None) and not _ID.match(cls.id):
        yield f"id {cls.id!r} must be two capitals and three digits (e.g. ED001)"
    if getattr(cls, "name", None) and not _NAME.match(cls.name):
        yield f"name {cls.name!r} must be kebab-case"
    for incident in getattr(cls, "incidents", ()) or ():
        if not incident.url.startswith("https://") and not incident.url.startswith("http://"):
            yield f"incident {incident.title!r} has no URL"
    if not cls.bad:
        yield "needs at least one bad example"
    if not cls.good:
        yield "needs at least one good example"
    if bool(cls.fix_safety) != bool(cls.fix_note):
        yield "fix_safety and fix_note go together"
    if cls.summarizes and not cls.project_wide:
        yield "summarizes only applies to a project-wide rule"
    if cls.summarizes and cls.summarize is Rule.summarize:
        yield "summarizes = True needs a summarize method"
    for example in cls.bad:
        if not example.lines:
            yield f"bad example {example.primary!r} names no expected line"


def fix_line(rule: type[Rule]) -> str:
    """What ``guardrails scan --fix`` does for the rule, for ``explain`` and the catalog."""
    if rule.fix_safety is None:
        return "none"
    flag = "`--fix`" if rule.fix_safety is Safety.SAFE else "`--fix --unsafe-fixes`"
    return f"{rule.fix_safety.value}, applied by {flag}: {rule.fix_note}"


def visible(text: str) -> str:
    """An example's text as documentation shows it: control characters other than tab and
    newline (a NUL byte in a binary-file example) written as ``\\xNN``."""
    return "".join(c if c in "\t\n" or c.isprintable() else f"\\x{ord(c):02x}" for c in text)
