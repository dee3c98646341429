"""Terragrunt units: which module a ``terragrunt.hcl`` deploys and which inputs it passes.

A unit is one more caller of a Terraform module: ``terraform { source = "..." }`` names
the module (a local path, ``${get_repo_root()}/modules/x``, or a registry or git source
that ``tf_registry`` describes) and ``inputs = { ... }`` sets its variables. The inputs of
the files a unit ``include``s are merged first, the unit's own win (Terragrunt's shallow
merge; ``merge_strategy = "no_merge"`` keeps the parent's out). Paths are evaluated the
way Terragrunt evaluates them (``find_in_parent_folders``, ``dirname``,
``get_terragrunt_dir``, ``get_repo_root``), never outside the repository; anything else
(``dependency.*`` outputs, ``get_env``, ``run_cmd``) is unknown. ``guardrails.facts.terraform``
evaluates the inputs; this module only reads the files (docs/terraform.md).
"""

from __future__ import annotations

import posixpath
from pathlib import Path, PurePosixPath
from urllib.parse import parse_qs, urlsplit

from guardrails import deferred_re, posix
from guardrails.documents import Attribute, Block, Expr, TerraformDocument
from guardrails.facts.environments import DEFAULT_SYNONYMS, DEVELOPMENT, PRODUCTION, STAGING, names_production
from guardrails.facts.tf_registry import git_source
from guardrails.model import Kind, ParseError, Span
from guardrails.project import Project
from guardrails.records import Record

UNIT_FILE = "terragrunt.hcl"
_MAX_DEPTH = 8
#: ``extra_arguments`` keys that add variable files Terragrunt passes to every command.
_VAR_FILE_KEYS = ("required_var_files", "optional_var_files")


class Include(Record):
    """A parent configuration a unit includes: the unit's ``include`` block and the file."""

    __slots__ = ("block", "doc", "merge")

    def __init__(self, block: Block, doc: TerraformDocument, merge: bool) -> None:
        self.block = block
        self.doc = doc
        self.merge = merge


class Unit(Record):
    """What a ``terragrunt.hcl`` deploys. ``directory`` is the local module (a display path),
    ``registry`` a registry address with ``version`` when the source is one; both None when
    the source is unknown. ``opaque`` says something else may set any variable (a variable
    file in ``extra_arguments``, an included file that cannot be read)."""

    __slots__ = ("directory", "doc", "includes", "opaque", "registry", "source_span", "version")

    def __init__(self, doc: TerraformDocument, source_span: Span, includes: list[Include] | None = None) -> None:
        self.doc = doc
        self.source_span = source_span
        self.directory: str | None = None
        self.registry: str | None = None
        self.version: str | None = None
        self.includes: list[Include] = [] if includes is None else includes
        self.opaque = False


def is_unit(doc: TerraformDocument) -> bool:
    """Asked for every Terraform file by every rule: a string test, no path parsing."""
    path = doc.path
    return path.endswith(UNIT_FILE) and (path == UNIT_FILE or path.endswith("/" + UNIT_FILE))


_WORD = deferred_re.compile(r"[^a-z0-9]+")
_OTHER_ENVIRONMENTS = frozenset({*DEFAULT_SYNONYMS[STAGING], *DEFAULT_SYNONYMS[DEVELOPMENT], "nonprod", "sandbox"})
_NEGATING = frozenset({"non", "pre", "not"})
# "live" is left out: Terragrunt trees are called ``infrastructure-live`` and ``live/`` whatever they deploy.
_PRODUCTION = frozenset(DEFAULT_SYNONYMS[PRODUCTION]) - {"live"}


def names_other_environment(name: str) -> bool:
    """One directory's name names another environment than production (``dev``, ``qa-eu``)."""
    words = [w for w in _WORD.split(name.lower()) if w]
    return any(w in _OTHER_ENVIRONMENTS for w in words) and not names_production(name)


def non_production(path: str) -> bool:
    """True when the unit's directories name another environment than production and none names
    production (``non-prod/us-east-1/qa/mysql``, ``live/dev/rds``): a Terragrunt tree keeps one
    directory per environment, its equivalent of ``dev.tfvars``, and production is what is judged."""
    words = [w for w in _WORD.split(str(PurePosixPath(path).parent).lower()) if w]
    production = _PRODUCTION
    negated = {i for i, w in enumerate(words) if w in production and i > 0 and words[i - 1] in _NEGATING}
    if any(w in production and i not in negated for i, w in enumerate(words)):
        return False
    return bool(negated) or any(w in _OTHER_ENVIRONMENTS for w in words)


def unit(doc: TerraformDocument, project: Project) -> Unit | None:
    """The unit ``doc`` declares, or None when it names no module (a root configuration)."""
    key = ("terragrunt-unit", doc.path)
    if key not in project.cache:
        project.cache[key] = _unit(doc, project)
    return project.cache[key]


def _unit(doc: TerraformDocument, project: Project) -> Unit | None:
    here = str(project.cwd / _parent(doc.path))
    includes = []
    unreadable = False
    for block in doc.blocks:
        if block.type != "include":
            continue
        path = block.get("path")
        target = evaluate_path(path.expr, doc, here, project) if path is not None else None
        parent = config(target, project) if target is not None else None
        strategy = block.get("merge_strategy")
        merge = strategy is None or strategy.expr.value != "no_merge"
        if parent is not None:
            includes.append(Include(block, parent, merge))
        elif merge:
            unreadable = True  # an include we cannot read may set anything
    found = _source(doc) or next((s for s in (_source(i.doc) for i in reversed(includes)) if s), None)
    if found is None:
        return None
    attr, holder = found
    result = Unit(doc, attr.span if holder is doc else _include_span(includes, holder), includes=includes)
    text = evaluate_path(attr.expr, holder, here, project, raw=True)
    if text is not None:
        _classify(result, text, here, project)
    result.opaque = unreadable or any(_opaque(d) for d in [doc, *(i.doc for i in includes if i.merge)])
    return result


def _include_span(includes: list[Include], holder: TerraformDocument) -> Span:
    return next(i.block.span for i in includes if i.doc is holder)


def _source(doc: TerraformDocument) -> tuple[Attribute, TerraformDocument] | None:
    for block in doc.blocks:
        if block.type == "terraform" and block.get("source") is not None:
            return block.attributes["source"], doc
    return None


def _opaque(doc: TerraformDocument) -> bool:
    """Variable files passed through ``extra_arguments`` may set any variable."""
    for block in doc.blocks:
        if block.type != "terraform":
            continue
        for extra in block.children("extra_arguments"):
            if any(extra.get(key) is not None for key in _VAR_FILE_KEYS) or "-var" in (
                extra.get("arguments").expr.text if extra.get("arguments") is not None else ""
            ):
                return True
    return False


def _classify(result: Unit, text: str, here: str, project: Project) -> None:
    """A local path, or a registry address from ``tfr://`` or a ``terraform-<provider>-<name>``
    repository (the registry's naming rule), with the version it pins."""
    if text.startswith("tfr://"):
        parts = urlsplit(text)
        address = parts.path.strip("/")
        result.registry = address if parts.netloc in ("", "registry.terraform.io") else None
        result.version = next(iter(parse_qs(parts.query).get("version", [])), None)
        return
    if "::" not in text and not text.startswith(("git@", "github.com/", "http://", "https://", "s3", "gcs")):
        result.directory = _display(_join(here, text.split("?", 1)[0].replace("//", "/")), project)
        return
    found = git_source(text)
    if found is not None:
        result.registry, result.version = found


def _join(directory: str, path: str) -> str:
    return posixpath.normpath(path if posixpath.isabs(path) else posixpath.join(directory, path))


def _display(path: str, project: Project) -> str:
    return project.display_of(Path(path))


def _parent(path: str) -> str:
    return posix.parent(path)


def config(path: str, project: Project) -> TerraformDocument | None:
    """A Terragrunt configuration file (``root.hcl``, ``env.hcl``) parsed, or None."""

    def build() -> TerraformDocument | None:
        from guardrails.parsers.hcl import parse

        text = project.read_as(project.cwd / path, Kind.TERRAFORM)
        try:
            return parse(path, text, Kind.TERRAFORM) if text is not None else None
        except ParseError:
            return None

    if path.endswith(UNIT_FILE):
        doc = project.document(Path(path))
        return doc if isinstance(doc, TerraformDocument) else None
    return project.repository_fact(("terragrunt-config", path), build)


# --------------------------------------------------------------------------- paths


def evaluate_path(
    expr: Expr, doc: TerraformDocument, unit_dir: str, project: Project, raw: bool = False, depth: int = 0
) -> str | None:
    """A path as Terragrunt evaluates it in the unit whose absolute directory is ``unit_dir``,
    as a display path (with ``raw``, the string itself: a source); None when it cannot be
    told. Terragrunt's functions give absolute paths, and so do they here."""
    if depth > _MAX_DEPTH:
        return None
    value = _string(expr, doc, unit_dir, project, depth)
    if value is None or raw:
        return value
    return _display(_join(unit_dir, value), project)


def _string(expr: Expr, doc: TerraformDocument, unit_dir: str, project: Project, depth: int) -> str | None:
    if expr.kind == "literal":
        return expr.value if isinstance(expr.value, str) else None
    if expr.kind == "template":
        pieces = []
        for literal, inner in _template_pieces(str(expr.value)):
            pieces.append(literal)
            if inner is not None:
                value = _string(inner, doc, unit_dir, project, depth + 1)
                if value is None:
                    return None
                pieces.append(value)
        return "".join(pieces)
    if expr.kind == "reference":
        return _local(str(expr.value), doc, unit_dir, project, depth)
    if expr.kind != "call":
        return None
    args = [_string(a, doc, unit_dir, project, depth + 1) for a in expr.args]
    if any(a is None for a in args):
        return None
    name = str(expr.value)
    root = str(project.root)
    if name == "find_in_parent_folders" and len(args) <= 1:
        return _find_in_parents(unit_dir, str(args[0]) if args else UNIT_FILE, root, project)
    if name == "dirname" and len(args) == 1:
        return _parent(str(args[0]))
    if name == "get_terragrunt_dir" and not args:
        return unit_dir
    if name == "get_parent_terragrunt_dir" and not args:
        return str(project.cwd / _parent(doc.path))
    if name == "get_repo_root" and not args:
        return root
    if name == "get_path_to_repo_root" and not args:
        return posixpath.relpath(root, unit_dir)
    return None


def _local(ref: str, doc: TerraformDocument, unit_dir: str, project: Project, depth: int) -> str | None:
    """``local.NAME`` of the file, or ``include.LABEL.locals.NAME`` of a file it includes."""
    parts = ref.split(".")
    if parts[0] == "include" and len(parts) == 4 and parts[2] == "locals":
        for block in doc.blocks:
            path = block.get("path") if block.type == "include" and block.labels == [parts[1]] else None
            target = evaluate_path(path.expr, doc, unit_dir, project, depth=depth + 1) if path is not None else None
            other = config(target, project) if target is not None else None
            if other is not None:
                return _local(f"local.{parts[3]}", other, unit_dir, project, depth + 1)
        return None
    if parts[0] != "local" or len(parts) != 2:
        return None
    for block in doc.blocks:
        if block.type == "locals" and parts[1] in block.attributes:
            return _string(block.attributes[parts[1]].expr, doc, unit_dir, project, depth + 1)
    return None


def _find_in_parents(unit_dir: str, name: str, root: str, project: Project) -> str | None:
    """The first ``name`` in a directory above the unit's, up to the repository root."""
    current = unit_dir
    while current != root and _parent(current) != current:
        current = _parent(current)
        candidate = _join(current, name)
        if project.read_bytes(Path(candidate)) is not None:
            return candidate
    return None


def _template_pieces(text: str) -> list[tuple[str, Expr | None]]:
    """A template's literal runs, each followed by its interpolation parsed as HCL."""
    from guardrails.parsers.hcl import parse

    pieces: list[tuple[str, Expr | None]] = []
    at = 0
    while True:
        start = text.find("${", at)
        if start < 0:
            pieces.append((text[at:], None))
            return pieces
        end = _closing(text, start + 2)
        if end < 0:
            return [("", Expr("other", None, text, Span.point(1)))]
        try:
            inner = parse("", f"x = {text[start + 2 : end]}\n", Kind.TERRAFORM).attributes["x"].expr
        except (ParseError, KeyError):
            inner = Expr("other", None, text, Span.point(1))
        pieces.append((text[at:start], inner))
        at = end + 1


def _closing(text: str, at: int) -> int:
    """The ``}`` that closes an interpolation opened before ``at`` (strings and nested braces skipped)."""
    depth, quoted = 0, False
    while at < len(text):
        ch = text[at]
        if quoted:
            if ch == "\\":
                at += 1
            elif ch == '"':
                quoted = False
        elif ch == '"':
            quoted = True
        elif ch == "{":
            depth += 1
        elif ch == "}":
            if depth == 0:
                return at
            depth -= 1
        at += 1
    return -1
