"""Templates are not broken files: they are set aside, named by their engine, never GR001.

A Jinja, Go, ERB or Terraform template is a file of a supported kind only once rendered.
Its tags break the parse (an unrendered ``{{ iface }}:`` is a YAML mapping used as a key)
or stand where the values a rule judges would be, so it is listed as skipped with the
engine that renders it. A template is known two ways, in this order:

1. by convention: its extension (``.j2``, ``.erb``, ``.tftpl``...) or its place (an
   Ansible role's ``templates/``). Such a file with no tag renders to itself: it is
   scanned as what it renders to.
2. by content, for a file of an ordinary name: it does not parse as its kind, it holds
   template tags, and it parses once every tag is replaced by a placeholder, so the tags
   are what broke it. ``{{`` inside a string of a file that parses (a GitHub Actions
   ``${{ }}``, ``docker ps --format '{{.Names}}'``) is never looked at, and a file still
   broken without its tags is reported (GR001) as before. In an HCL file (``.tf``,
   ``.tfvars``, ``.hcl``) a value written ``<subscription_id>`` is a placeholder too: a bare
   ``<`` cannot start an HCL expression, so a file that parses once each is replaced was left
   for its reader to fill in (a redacted or sample configuration), not broken.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import PurePosixPath

from guardrails import deferred_re, posix
from guardrails.model import Kind, ParseError
from guardrails.records import Frozen


class Engine(Frozen):
    """A template language: the skip reason it is listed under, and how to get the rendered file."""

    reason: str
    label: str
    render: str
    tags: tuple[str, ...]


JINJA = Engine("jinja-template", "Jinja template", "render it (Ansible's template module)", ("{{", "{%", "{#"))
GO = Engine("go-template", "Go template", "render it (gomplate, helm template)", ("{{",))
ERB = Engine("erb-template", "ERB template", "render it (erb FILE)", ("<%",))
TERRAFORM = Engine(
    "terraform-template",
    "Terraform templatefile() source",
    "render it (templatefile() in terraform console)",
    ("${", "%{"),
)
PLACEHOLDER = Engine("template", "template with {{ }} placeholders", "substitute its placeholders", ("{{",))
ANGLE = Engine("template", "configuration with <...> placeholders", "fill in its placeholders", ("<",))
HELM_REASON = "helm-template"

# Every skip reason that means "a template, not a broken file" (reports count them per reason).
REASONS = frozenset({HELM_REASON, *(e.reason for e in (JINJA, GO, ERB, TERRAFORM, PLACEHOLDER, ANGLE))})

# None: the extension is used by more than one engine (.tpl serves Go and Terraform); the tags tell.
EXTENSIONS: dict[str, Engine | None] = {
    ".j2": JINJA,
    ".jinja": JINJA,
    ".jinja2": JINJA,
    ".erb": ERB,
    ".tftpl": TERRAFORM,
    ".tftmpl": TERRAFORM,
    ".gotmpl": GO,
    ".tpl": None,
    ".tmpl": None,
}

# Kinds whose own syntax has ${...} and %{...} (HCL string templates) or that a tool writes
# (a plan): their parse failures are never put down to a template engine.
_NATIVE_TEMPLATES = frozenset({Kind.TERRAFORM, Kind.TFVARS, Kind.TERRAFORM_JSON, Kind.TERRAFORM_PLAN})


class Template(Frozen):
    """A file that is a template by convention: the kind it renders to, and why it is one."""

    kind: Kind
    engine: Engine | None
    evidence: str


def split_extension(name: str) -> tuple[str, Engine | None, str] | None:
    """``("deploy.sh", JINJA, ".j2")`` for ``deploy.sh.j2``; None for a name of no template extension."""
    lower = name.lower()
    for extension, engine in EXTENSIONS.items():
        if lower.endswith(extension) and len(name) > len(extension):
            return name[: -len(extension)], engine, extension
    return None


def in_ansible_templates(path: str, exists: callable = os.path.exists) -> bool:  # type: ignore[valid-type]
    """True for a file under ``templates/`` of an Ansible role: ``roles/<role>/templates/``, or a
    role directory of its own (one with ``tasks/`` or ``meta/main.yml``)."""
    parts = posix.parts(path)
    for i, part in enumerate(parts[:-1]):
        if part != "templates" or i == 0:
            continue
        if i >= 2 and parts[i - 2] == "roles":
            return True
        role = PurePosixPath(*parts[:i])
        if exists(str(role / "tasks")) or exists(str(role / "meta" / "main.yml")):
            return True
    return False


# One tag: an opening, the shortest text to its closing (a tag may span lines, never a whole file).
_TAG = deferred_re.compile(
    r"""
     \{\{(?:-[ \t\n])?/\* (?s:.{0,20000}?) \*/(?:[ \t\n]-)?\}\}  # {{/* comment */}}: Go; it ends at */}}, so
                                  # it may hold tags (a block commented out)
    |\{\{ (?s:.{0,2000}?) \}\}    # {{ expression }}: Jinja, Go, placeholders
    |\{%  (?s:.{0,2000}?) %\}     # {% statement %}: Jinja
    |\{\#  (?s:.{0,2000}?) \#\}   # {# comment #}: Jinja
    |<%   (?s:.{0,2000}?) %>     # <% code %>, <%= expression %>: ERB
    |%\{  [^}\n]{0,2000}  \}     # %{ directive }: Terraform
    |\$\{ [^}\n]{0,2000}  \}     # ${ interpolation }: Terraform
    |<[A-Za-z_][\w.\-]{0,80}>   # <value>: a placeholder where an HCL value goes (ANGLE only)
    """,
    re.VERBOSE,
)
_GO_ACTION = deferred_re.compile(
    r"\{\{-?\s*(?:[.$]|(?:if|else|end|range|with|define|template|block|include|toYaml|tpl|printf)\b)"
)
# A tag that writes nothing in place: a Jinja statement or comment, a Terraform directive, ERB
# code, a Go action that steers (if, range, end...) or a Go comment.
_STATEMENT = deferred_re.compile(
    r"\{%|\{#|%\{|<%(?!=)|\{\{-?\s*(?:/\*|(?:if|else|end|range|with|define|block|break|continue)\b)"
)
# An ANGLE placeholder where a value starts: after ``=``, ``:``, ``[``, ``(``, ``,`` or at the start
# of a line (a list item), with only blanks between.
_ANGLE_VALUE = deferred_re.compile(r"(?:^|[=:\[(,])[ \t]*<[A-Za-z_][\w.\-]{0,80}>", re.MULTILINE)
_HCL = frozenset({Kind.TERRAFORM, Kind.TFVARS})
# Tags looked for in a file of an ordinary name: ${...} is shell's and YAML's own text, never one.
_CONTENT_TAGS = ("{{", "{%", "{#", "<%", "%{")


def has_tags(text: str, engine: Engine | None) -> bool:
    tags = engine.tags if engine is not None else (*_CONTENT_TAGS, "${")
    return any(tag in text for tag in tags)


def engine_of(text: str, terraform: bool) -> Engine:
    """The engine whose tags ``text`` holds; ``terraform``: ``${...}`` counts as a Terraform tag."""
    if "{%" in text or "{#" in text:
        return JINJA
    if "<%" in text:
        return ERB
    if "%{" in text or (terraform and "${" in text):
        return TERRAFORM
    if _GO_ACTION.search(text):
        return GO
    return PLACEHOLDER


def without_tags(text: str, engine: Engine) -> str:
    """``text`` with each tag of ``engine`` replaced: a tag alone on its line (a statement, or an
    expression that writes a block: ``{{- toYaml .x | nindent 4 }}``) and a statement anywhere
    (``{% if %}``, ``%{ for }``, ``{{ end }}``) by nothing, an expression by a distinct word."""
    count = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal count
        tag = match.group(0)
        if not tag.startswith(engine.tags):
            return tag
        newlines = "\n" * tag.count("\n")
        start, end = match.span()
        before = text[text.rfind("\n", 0, start) + 1 : start]
        after = text[end : (text.find("\n", end) + 1 or len(text) + 1) - 1]
        if _STATEMENT.match(tag) or (not before.strip() and not after.strip()):
            return newlines
        count += 1
        return f"_tpl{count}_" + newlines

    return _TAG.sub(replace, text)


def broken_by_tags(text: str, kind: Kind, error: ParseError) -> Engine | ParseError | None:
    """Why ``text`` does not parse as ``kind`` (``error``), when it holds template tags: the Engine
    whose tags broke it (see the module docstring); or, when ``error`` is on a line with a tag but
    the file stays broken without its tags, the error that remains (lines are kept, so it points
    at the line to fix). None: the tags are not to blame, ``error`` stands."""
    if kind in _HCL and "{{" not in text and _ANGLE_VALUE.search(text):
        engine = ANGLE
    elif not any(tag in text for tag in _CONTENT_TAGS):
        return None
    elif kind in _NATIVE_TEMPLATES:
        # Their own ${ } and %{ } never count; {{ }} is no HCL (a boilerplate or cookiecutter
        # template of a terragrunt.hcl or a .tf file).
        if kind is Kind.TERRAFORM_PLAN or "{{" not in text:
            return None
        engine = GO if _GO_ACTION.search(text) else PLACEHOLDER
    else:
        engine = engine_of(text, terraform=False)
    from guardrails.parsers import parse

    try:
        parse("template", without_tags(text, engine), kind)
    except ParseError as remaining:
        lines = text.split("\n")
        tags = (*_CONTENT_TAGS, *ANGLE.tags) if engine is ANGLE else _CONTENT_TAGS
        at_tag = error.line <= len(lines) and any(tag in lines[error.line - 1] for tag in tags)
        at_tag = at_tag or any(first <= error.line <= last for first, last in _tag_lines(text, engine))
        moved = (remaining.line, remaining.column) != (error.line, error.column)
        return remaining if at_tag and moved and "_tpl" not in remaining.message else None
    return engine


def _tag_lines(text: str, engine: Engine) -> Iterator[tuple[int, int]]:
    """The first and last line of each tag of ``engine`` that spans lines (a Go comment around a
    block): an error inside one is the tag's doing."""
    for match in _TAG.finditer(text):
        if match.group(0).startswith(engine.tags) and "\n" in match.group(0):
            first = text.count("\n", 0, match.start()) + 1
            yield first, first + match.group(0).count("\n")


def detail(engine: Engine, kind: Kind, evidence: str) -> str:
    """Why a template was not analysed and what to do, for the skipped list."""
    return (
        f"{engine.label} ({evidence}): not {kind.value} until rendered; "
        f"{engine.render} and scan the output: guardrails scan - --stdin-filename NAME"
    )
