"""Terraform fixes: a setting given a value, where the value is written.

Where a value comes from elsewhere (a variable default, a ``.tfvars`` line, a local, a
module call's input), the literal that decided it is edited, but only when every name on
the way has no other user: changing a value another resource reads would change more
than the finding.
"""

from __future__ import annotations

import json
import re
from typing import Any

from guardrails import posix
from guardrails.documents import Attribute, Block, Expr, TerraformDocument
from guardrails.facts.stateful import Setting
from guardrails.facts.terraform import INPUT, LOCAL, Origin, Resolved, module_at, sets_variable
from guardrails.fixes import fix, insert, line_text
from guardrails.model import Document, Edit, Fix, Kind, Safety
from guardrails.project import Project


def hcl_value(value: Any, like: Expr | None = None) -> str:
    """``value`` written as an HCL (and JSON) literal; a number stays a string when ``like``,
    the literal it replaces, was one (``"0"`` becomes ``"7"``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if like is not None and isinstance(like.value, str) and not isinstance(value, str):
        return json.dumps(str(value))
    if isinstance(value, str):
        return json.dumps(value)
    return str(value)


def set_setting(doc: TerraformDocument, found: Setting, value: Any, project: Project) -> list[Edit] | None:
    """Edits that give ``found`` (from ``stateful.unsafe_settings``) the value ``value``:
    the literal on the resource, the literal it comes from, or a new attribute in the
    resource when it is absent; None when no edit is sure, and in a plan: it is generated from
    the configuration, which is what to fix."""
    if doc.kind is Kind.TERRAFORM_PLAN:
        return None
    attr = found.attribute
    if attr is None:
        if found.instance is None or found.instance.called:
            return None
        *blocks, name = found.name.split(".")
        holder: Block | None = found.resource
        for part in blocks:
            holder = holder.child(part) if holder is not None else None
        return add_attribute(doc, holder, name, hcl_value(value)) if holder is not None else None
    if found.instance is None or (found.instance.called and attr.expr.kind == "literal"):
        return None
    return set_value(found.instance.path, attr, found.resolved, value, project)


def set_value(path: str, attr: Attribute, resolved: Resolved | None, value: Any, project: Project) -> list[Edit] | None:
    """Edits that give ``attr`` (in ``path``), whose value was ``resolved``, the value ``value``:
    its literal, or the literal it comes from when the way there is a chain of plain names
    (``var.x`` -> ``local.y`` -> a literal) and each name has this one user."""
    if attr.expr.kind == "literal":
        return [Edit(path, attr.expr.span, hcl_value(value, attr.expr))]
    origins = resolved.origins if resolved is not None else []
    if not origins:
        return None
    user_path, user = path, attr.expr
    for origin in origins:
        if not _sole_user(project, origin, user_path, user):
            return None
        if origin.expr is None:
            return None
        user_path, user = origin.path, origin.expr
    last = origins[-1]
    if last.expr is None or last.expr.kind != "literal" or not _editable(project, last.path):
        return None
    return [Edit(last.path, last.expr.span, hcl_value(value, last.expr))]


def _sole_user(project: Project, origin: Origin, user_path: str, user: Expr) -> bool:
    """``user`` (in ``user_path``) is a plain reference to ``origin`` and nothing else in its
    module reads that name."""
    prefix = "local" if origin.kind == LOCAL else "var"
    reference = f"{prefix}.{origin.name}"
    if user.kind != "reference" or str(user.value) != reference:
        return False
    directory = posix.parent(user_path)
    if prefix == "var" and origin.kind != INPUT and sets_variable(project, directory, origin.name):
        return False
    module = module_at(directory, project)
    if module is None:
        return False
    word = re.compile(rf"(?<![\w.]){re.escape(reference)}(?![\w-])")
    # The plain substring test first: most attributes do not name it, and it is the cheaper test.
    texts = (a.expr.text for doc in module.documents for a in _attributes(doc.blocks))
    users = sum(1 for text in texts if reference in text and word.search(text))
    return users == 1


def _attributes(blocks: list[Block]) -> list[Attribute]:
    found: list[Attribute] = []
    for block in blocks:
        found.extend(block.attributes.values())
        found.extend(_attributes(block.blocks))
    return found


def _editable(project: Project, path: str) -> bool:
    """A file of the repository (a registry module described by a table has none)."""
    return (project.cwd / path).is_file()


def add_attribute(doc: TerraformDocument, block: Block, name: str, value: str) -> list[Edit] | None:
    """``name = value`` on a line of its own before ``block``'s closing brace, indented as
    the block's attributes; None in a JSON file or a block closed on a line with content."""
    if doc.kind is not Kind.TERRAFORM or name in block.attributes:
        return None
    end = block.span
    closing = line_text(doc, end.end_line)
    if end.end_line == end.line or closing[: end.end_column - 2].strip():
        return None
    indent = _indent(doc, block)
    return [insert(doc, end.end_line, 1, f"{indent}{name} = {value}\n")]


def _indent(doc: TerraformDocument, block: Block) -> str:
    for attr in block.attributes.values():
        before = line_text(doc, attr.span.line)[: attr.span.column - 1]
        if not before.strip():
            return before
    opening = line_text(doc, block.span.line)
    return opening[: len(opening) - len(opening.lstrip())] + "  "


def setting_fix(description: str, doc: Document, found: Any, value: Any, project: Project) -> Fix | None:
    """The safe fix giving a protection setting ``value``: Terraform only (a CloudFormation
    template's settings, from ``facts.protection``, get none yet); None when no edit is sure."""
    if not isinstance(doc, TerraformDocument) or not isinstance(found, Setting):
        return None
    return fix(description, Safety.SAFE, set_setting(doc, found, value, project))
