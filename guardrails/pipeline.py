"""One file from disk to a document: read, detect, parse, attach embedded shell."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from guardrails import detect, templates
from guardrails.documents import FailedDocument, TreeDocument
from guardrails.model import Document, Kind, ParseError, SkippedFile
from guardrails.source import Unreadable, read_head, read_text
from guardrails.templates import Template

HELM_HINT = "helm template <chart> | guardrails scan - --stdin-filename rendered.yaml"


@dataclass(slots=True)
class Loaded:
    """The outcome for one file: a document (possibly a FailedDocument), a skip, or neither
    when the file is of no supported kind."""

    document: Document | None = None
    skipped: SkippedFile | None = None


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


def load(path: Path, display: str, max_size: int) -> Loaded:
    kind = classify(path, display)
    if kind is None:
        return Loaded()
    if kind == detect.HELM_TEMPLATE:
        return Loaded(skipped=SkippedFile(display, "helm-template", f"not YAML until rendered: {HELM_HINT}"))
    assert isinstance(kind, Kind | Template)
    try:
        text = read_text(path, max_size)
    except ParseError as error:
        failed = kind.kind if isinstance(kind, Template) else kind
        return Loaded(document=FailedDocument(path=display, kind=failed, text="", error=error))
    if isinstance(text, Unreadable):
        return Loaded(skipped=SkippedFile(display, text.reason, text.detail))
    return load_text(display, text, kind)


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
    """Parse already-decoded text; a parse failure becomes a FailedDocument."""
    from guardrails.embedded import attach_children
    from guardrails.parsers import parse

    try:
        doc = parse(display, text, kind)
    except ParseError as error:
        return FailedDocument(path=display, kind=kind, text=text, error=error)
    if isinstance(doc, TreeDocument) and doc.kind is Kind.YAML:
        doc.kind = detect.refine(doc)
    attach_children(doc)
    return doc
