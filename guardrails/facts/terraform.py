"""Terraform values as a reviewer resolves them: variable defaults, locals and tfvars
of the same module (the directory), numeric strings, ``tonumber``/``tostring``.

``resolve`` gives the value Terraform would use without ``-var-file`` (defaults,
then ``terraform.tfvars`` and ``*.auto.tfvars``); ``candidates`` adds the values of
the other ``.tfvars`` files, which select an environment at plan time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Any

from guardrails.documents import Attribute, Block, Expr, TerraformDocument
from guardrails.model import Document, Kind
from guardrails.project import Project

_MODULE_SUFFIXES = (".tf", ".tf.json", ".tfvars", ".tfvars.json")
_MAX_DEPTH = 16


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a value came from, for messages: ``var.ttl default (variables.tf:3)``."""

    what: str
    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.what} ({self.path}:{self.line})"


@dataclass(slots=True)
class Resolved:
    value: Any
    known: bool
    origins: list[Origin] = field(default_factory=list)

    def as_int(self) -> int | None:
        """Numbers and numeric strings (``"30"``) as int, else None."""
        value = self.value
        if isinstance(value, bool) or not self.known:
            return None
        if isinstance(value, (int, float)):
            return int(value)
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                return None
        return None

    def as_bool(self) -> bool | None:
        value = self.value
        if not self.known:
            return None
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        return None

    @property
    def via(self) -> str:
        """``" (from var.ttl default (variables.tf:3))"`` or '' for a literal."""
        return f" (from {', '.join(str(o) for o in self.origins)})" if self.origins else ""


class Module:
    """The variables, locals and tfvars of one Terraform directory."""

    def __init__(self, documents: list[Document]) -> None:
        self.variables: dict[str, tuple[Block, str]] = {}
        self.locals: dict[str, tuple[Attribute, str]] = {}
        self.auto_tfvars: dict[str, tuple[Attribute, str]] = {}
        self.other_tfvars: dict[str, list[tuple[Attribute, str]]] = {}
        for doc in documents:
            if not isinstance(doc, TerraformDocument):
                continue
            if doc.kind is Kind.TFVARS:
                name = PurePosixPath(doc.path).name
                auto = name in ("terraform.tfvars", "terraform.tfvars.json") or ".auto.tfvars" in name
                for key, attr in doc.attributes.items():
                    if auto:
                        self.auto_tfvars[key] = (attr, doc.path)
                    else:
                        self.other_tfvars.setdefault(key, []).append((attr, doc.path))
                continue
            for block in doc.blocks:
                if block.type == "variable" and block.labels:
                    self.variables[block.labels[0]] = (block, doc.path)
                elif block.type == "locals":
                    for key, attr in block.attributes.items():
                        self.locals[key] = (attr, doc.path)

    def resolve(self, expr: Expr, _depth: int = 0) -> Resolved:
        if _depth > _MAX_DEPTH:
            return Resolved(None, False)
        if expr.kind == "literal":
            return Resolved(expr.value, True)
        if expr.kind in ("tuple", "object"):
            literal = expr.literal()
            return Resolved(literal, literal is not None)
        if expr.kind == "call" and expr.value in ("tonumber", "tostring", "tobool") and len(expr.args) == 1:
            inner = self.resolve(expr.args[0], _depth + 1)
            return _convert(expr.value, inner)
        if expr.kind == "reference":
            return self._reference(str(expr.value), _depth)
        return Resolved(None, False)

    def _reference(self, ref: str, depth: int) -> Resolved:
        head, _, rest = ref.partition(".")
        name = rest.split(".", 1)[0].split("[", 1)[0]
        if head == "var" and name in self.variables:
            if name in self.auto_tfvars:
                attr, path = self.auto_tfvars[name]
                inner = self.resolve(attr.expr, depth + 1)
                inner.origins.insert(0, Origin(f"var.{name} in tfvars", path, attr.span.line))
                return inner
            block, path = self.variables[name]
            default = block.get("default")
            if default is None:
                return Resolved(None, False, [Origin(f"var.{name} has no default", path, block.span.line)])
            inner = self.resolve(default.expr, depth + 1)
            inner.origins.insert(0, Origin(f"var.{name} default", path, default.span.line))
            return inner
        if head == "local" and name in self.locals:
            attr, path = self.locals[name]
            inner = self.resolve(attr.expr, depth + 1)
            inner.origins.insert(0, Origin(f"local.{name}", path, attr.span.line))
            return inner
        return Resolved(None, False)

    def candidates(self, expr: Expr) -> list[Resolved]:
        """The value without -var-file, then one per other .tfvars file that sets the variable."""
        found = [self.resolve(expr)]
        if expr.kind == "reference" and str(expr.value).startswith("var."):
            name = str(expr.value)[4:].split(".", 1)[0].split("[", 1)[0]
            for attr, path in self.other_tfvars.get(name, []):
                inner = self.resolve(attr.expr, 1)
                inner.origins.insert(0, Origin(f"var.{name} in {PurePosixPath(path).name}", path, attr.span.line))
                found.append(inner)
        return found


def _convert(function: str, inner: Resolved) -> Resolved:
    if not inner.known:
        return inner
    value = inner.value
    try:
        if function == "tonumber":
            value = float(value) if "." in str(value) else int(value)
        elif function == "tostring":
            value = str(value).lower() if isinstance(value, bool) else str(value)
        elif function == "tobool":
            value = value if isinstance(value, bool) else str(value).lower() == "true"
    except (TypeError, ValueError):
        return Resolved(None, False, inner.origins)
    return Resolved(value, True, inner.origins)


def module_for(doc: Document, project: Project) -> Module:
    """The module ``doc`` belongs to, built once per directory and scan."""
    key = ("terraform-module", _directory(doc.host.path))
    if key not in project.cache:
        project.cache[key] = Module(project.siblings(doc.host, _MODULE_SUFFIXES))
    return project.cache[key]


@lru_cache(maxsize=1024)
def _directory(path: str) -> str:
    """Every rule asks for the module of every file: parsing the path each time cost more
    than the rest of the lookup (files come directory by directory, so a small cache does)."""
    return str(PurePosixPath(path).parent)


def attribute_value(block: Block, name: str, module: Module) -> tuple[Attribute | None, Resolved]:
    """An attribute of ``block`` and its resolved value (unknown when absent)."""
    attr = block.get(name)
    if attr is None:
        return None, Resolved(None, False)
    return attr, module.resolve(attr.expr)
