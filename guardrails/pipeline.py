"""One file from disk to a document: read, detect, parse, attach embedded shell.

Nothing that happens here stops a scan: a file of a supported kind that cannot be read
becomes a FailedDocument that a rule reports (GR001 when it does not parse, GR006 when it
was not read at all), and an unexpected exception in a parser becomes a FailedDocument
that the engine reports as an internal error (GR000) for this file alone. Warnings that
parsers raise over scanned content (``SyntaxWarning`` for an odd escape in a scanned
Python file) are the file's business, never the user's terminal.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from guardrails import detect, templates
from guardrails.documents import FailedDocument, PythonDocument, TreeDocument
from guardrails.model import Document, Kind, ParseError, SkippedFile
from guardrails.records import Record
from guardrails.source import Unreadable, read_head, read_text
from guardrails.templates import Template

HELM_HINT = "helm template <chart> | guardrails scan - --stdin-filename rendered.yaml"
# `terraform show -json` of a real plan is tens of megabytes; it is the file that shows a
# database being replaced, so it gets a limit of its own, above --max-file-size.
PLAN_MAX_SIZE = 256 * 1024 * 1024
# Skips of a file of a supported kind that leave it unchecked: each is a GR006 finding.
UNSCANNED_REASONS = frozenset({"too-large", "unreadable", "binary", "python-grammar"})


class Loaded(Record):
    """The outcome for one file: a document (possibly a FailedDocument), a skip, or neither
    when the file is of no supported kind. A supported file that was not read has both: the
    skip (listed in reports) and a FailedDocument that says why (a finding)."""

    __slots__ = ("document", "skipped")

    def __init__(self, document: Document | None = None, skipped: SkippedFile | None = None) -> None:
        self.document = document
        self.skipped = skipped


def classify(path: Path, display: str) -> Kind | Template | str | None:
    kind = detect.detect(display, read_head(path))
    if kind in (Kind.YAML, Kind.COMPOSE, Kind.GITHUB_ACTIONS, Kind.GITLAB_CI):
        if detect.in_helm_templates(str(path)):
            return detect.HELM_TEMPLATE
        if kind is Kind.YAML and detect.is_helm_values(str(path)):
            return Kind.HELM_VALUES
    if isinstance(kind, Kind) and templates.in_ansible_templates(str(path)):
        return Template(kind, templates.JINJA, "under an Ansible role's templates/")
    return kind


def load(path: Path, display: str, max_size: int, kind: Kind | Template | str | None = None) -> Loaded:
    """``kind``: the file's ``classify``, when the caller already asked (None: ask now)."""
    kind = classify(path, display) if kind is None else kind
    if kind is None:
        return Loaded()
    if kind == detect.HELM_TEMPLATE:
        return Loaded(skipped=SkippedFile(display, "helm-template", f"not YAML until rendered: {HELM_HINT}"))
    assert isinstance(kind, Kind | Template)
    failed = kind.kind if isinstance(kind, Template) else kind
    try:
        text = read_text(path, size_limit(failed, max_size))
    except ParseError as error:
        return Loaded(document=FailedDocument(path=display, kind=failed, text="", error=error))
    if isinstance(text, Unreadable):
        return unread(display, failed, text)
    return load_text(display, text, kind)


def size_limit(kind: Kind, max_size: int) -> int:
    return max(max_size, PLAN_MAX_SIZE) if kind is Kind.TERRAFORM_PLAN else max_size


def unread(display: str, kind: Kind, why: Unreadable, text: str = "") -> Loaded:
    """A file of a supported kind that was not read: listed as skipped, and a finding when
    the reason leaves it unchecked (``text``: what was read of it, for that finding's rule)."""
    skipped = SkippedFile(display, why.reason, why.detail)
    if why.reason not in UNSCANNED_REASONS:
        return Loaded(skipped=skipped)
    detail = f"{why.reason}: {why.detail}" if why.detail else why.reason
    return Loaded(document=FailedDocument(path=display, kind=kind, text=text, unscanned=detail), skipped=skipped)


def load_text(display: str, text: str, kind: Kind | Template) -> Loaded:
    """Decoded text to a document, or to a skip when it is a template (``guardrails.templates``):
    by convention when it holds a tag, by content when its tags are what break its parse."""
    if isinstance(kind, Template):
        engine = kind.engine or templates.engine_of(text, terraform=True)
        if templates.has_tags(text, engine):
            detail = templates.detail(engine, kind.kind, kind.evidence)
            return Loaded(skipped=SkippedFile(display, engine.reason, detail))
        kind = kind.kind  # no tag: it renders to itself
    doc = parse_text(display, text, kind)
    if isinstance(doc, PythonDocument) and doc.refused is not None:  # Python no rule here can read
        return unread(display, doc.kind, Unreadable("python-grammar", doc.refused), text)
    if isinstance(doc, FailedDocument) and doc.error is not None:
        cause = templates.broken_by_tags(text, kind, doc.error)
        if isinstance(cause, templates.Engine):
            detail = templates.detail(cause, kind, "its template tags are what it fails to parse on")
            return Loaded(skipped=SkippedFile(display, cause.reason, detail))
        if cause is not None:  # broken whatever its tags render to: point at the line to fix
            error = ParseError(f"{cause.message} (read with its template tags set aside)", cause.line, cause.column)
            doc = FailedDocument(path=display, kind=kind, text=text, error=error)
    return Loaded(document=doc)


def parse_text(display: str, text: str, kind: Kind) -> Document:
    """Parse already-decoded text; a parse failure becomes a FailedDocument, and so does a
    parser crash (with ``crashed`` set)."""
    from guardrails.embedded import attach_children
    from guardrails.parsers import parse

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            doc = parse(display, text, kind)
        except ParseError as error:
            return FailedDocument(path=display, kind=kind, text=text, error=error)
        except Exception as exc:
            return crashed(display, kind, text, exc, f"parsing it as {kind.value}")
        try:
            if isinstance(doc, TreeDocument) and doc.kind in (Kind.YAML, Kind.CLOUDFORMATION, Kind.ELASTICSEARCH_YML):
                doc.kind = detect.refine(doc)
            attach_children(doc)
        except Exception as exc:
            return crashed(display, doc.kind, text, exc, "reading what it embeds")
    return doc


def crashed(display: str, kind: Kind, text: str, exc: BaseException, doing: str) -> FailedDocument:
    """A FailedDocument for an unexpected exception: its type and where it was raised, never
    its text (which may quote the file, a secret with it)."""
    return FailedDocument(path=display, kind=kind, text=text, crashed=f"{doing}: {describe(exc)}")


def describe(exc: BaseException) -> str:
    import traceback  # only when something crashed: linecache and textwrap cost start-up time

    frames = traceback.extract_tb(exc.__traceback__)
    where = f" at {Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
    return f"{type(exc).__name__}{where}"
