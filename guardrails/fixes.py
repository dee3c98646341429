"""Building fixes: the edits a rule attaches to its finding, shared by every rule that fixes.

A fix changes the text at positions the parser recorded; it never re-serialises a file,
so comments, order and layout survive. ``guardrails.fix`` applies the edits; Terraform's
own helpers (values that come from elsewhere) are in ``guardrails.terraform_fixes``.
"""

from __future__ import annotations

from guardrails.model import Document, Edit, Fix, Node, Safety, Span


def fix(description: str, safety: Safety, edits: list[Edit] | tuple[Edit, ...] | None) -> Fix | None:
    """A Fix of ``edits``, or None when there is none to make."""
    return Fix(description, safety, tuple(edits)) if edits else None


def replace(doc: Document, span: Span, text: str) -> Edit:
    """Replace ``span`` of ``doc`` (an embedded document's span is mapped to its host file)."""
    return Edit(doc.host.path, doc.host_span(span), text)


def insert(doc: Document, line: int, column: int, text: str) -> Edit:
    return replace(doc, Span.point(line, column), text)


def replace_scalar(doc: Document, node: Node, text: str) -> Edit | None:
    """A YAML or JSON scalar's new value, quoted as the old one was; None for a block scalar
    (``|``, ``>``) or one that spans lines."""
    span = node.span
    if not node.is_scalar or span.end_line != span.line:
        return None
    quote = line_text(doc, span.line)[span.column - 1 : span.column]
    if quote in "|>" and quote:
        return None
    quoted = f"{quote}{text}{quote}" if quote in ('"', "'") else text
    return replace(doc, span, quoted)


def line_text(doc: Document, line: int) -> str:
    lines = doc.text.split("\n")
    return lines[line - 1] if 0 < line <= len(lines) else ""
