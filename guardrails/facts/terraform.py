"""Terraform values as a reviewer resolves them, across module calls.

A ``Module`` is one directory: its variables, locals, tfvars, resources and module
calls. A ``Scope`` evaluates expressions in a module as one instance of it: the root
scope reads variable defaults, ``terraform.tfvars`` and ``*.auto.tfvars``; the scope
of a module call binds the child's variables to the call's inputs, evaluated in the
caller's scope (an unset input takes the child's default). ``resources`` lists the
resources a document declares and those its local module calls instantiate, each with
its scope, so that every Terraform rule judges module-resolved values the same way;
``placement`` says where a finding about a value belongs. docs/terraform.md tells how
values flow and what stays unknown.
"""

from __future__ import annotations

import json
import posixpath
import re
import weakref
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any

from guardrails import posix
from guardrails.documents import Attribute, Block, Expr, TerraformDocument
from guardrails.facts import terragrunt
from guardrails.facts.environments import names_production
from guardrails.facts.tf_registry import PublishedModule, git_source, published
from guardrails.model import Document, Kind, ParseError, Span
from guardrails.project import Project
from guardrails.records import Frozen, Record

_MODULE_SUFFIXES = (".tf", ".tf.json", ".tfvars", ".tfvars.json")
_MAX_DEPTH = 16
_MAX_NESTING = 8
_MAX_INSTANCES = 32  # a call expanded past this is judged once, with each.* unknown

#: Origin kinds: where the literal that decided a value was written.
DEFAULT = "default"
TFVARS = "tfvars"
LOCAL = "local"
INPUT = "input"


class Origin(Frozen):
    """Where a value came from, for messages: ``var.ttl default (variables.tf:3)``.

    ``kind`` is DEFAULT, TFVARS, LOCAL or INPUT (a module call's argument; ``span`` is
    then the argument's span); ``name`` the variable, local or input name."""

    what: str
    path: str
    line: int
    kind: str = ""
    name: str = ""
    span: Span | None = None
    #: The expression written there (what a fix edits); None for a value that has none.
    expr: Expr | None = None
    #: For a variable file: its path from the module's directory (``prod.tfvars``,
    #: ``../envs/prod.tfvars``), which says the environment it is for.
    label: str = ""

    def __str__(self) -> str:
        return f"{self.what} ({self.path}:{self.line})"


class Resolved(Record):
    __slots__ = ("known", "origins", "value")

    def __init__(self, value: Any, known: bool, origins: list[Origin] | None = None) -> None:
        self.value = value
        self.known = known
        self.origins: list[Origin] = [] if origins is None else origins

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


def _unknown() -> Resolved:
    return Resolved(None, False)


class Module:
    """The declarations of one Terraform directory; ``resolve``/``candidates`` evaluate
    in its root scope (the directory applied on its own)."""

    def __init__(
        self, documents: list[Document], directory: str = "", published: PublishedModule | None = None
    ) -> None:
        self.directory = directory
        self.published = published
        self.documents: list[TerraformDocument] = []
        self.variables: dict[str, tuple[Block, str]] = {}
        self.locals: dict[str, tuple[Attribute, str]] = {}
        self.auto_tfvars: dict[str, tuple[Attribute, str]] = {}
        self.other_tfvars: dict[str, list[tuple[Attribute, str]]] = {}
        #: Variable files outside the directory bound to it: path -> (label, what binds it).
        self.var_files: dict[str, tuple[str, str]] = {}
        #: A Terragrunt file's ``include.NAME``: the known ``locals`` and ``inputs`` of the file
        #: its include block NAME reads, with where that file is.
        self.includes: dict[str, tuple[dict[str, Any], Origin]] = {}
        #: Reads those files when a value needs them: finding them reads the whole repository.
        self.pending: Callable[[Module, Project], None] | None = None
        #: The project of the check that asked for the module last, which ``pending`` reads
        #: through. Held weakly: a module called from several directories lives for the whole
        #: scan, a project for one directory group, and what a group leaves alive is frozen
        #: out of the collector's reach (a strong reference leaked every group's documents).
        self.reader: Callable[[], Project | None] = _no_reader
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
            self.documents.append(doc)
            for block in doc.blocks:
                if block.type == "variable" and block.labels:
                    self.variables[block.labels[0]] = (block, doc.path)
                elif block.type == "locals":
                    for key, attr in block.attributes.items():
                        self.locals[key] = (attr, doc.path)
        self.root = Scope(self)

    def add_var_file(self, doc: TerraformDocument, via: str) -> None:
        """A variable file kept elsewhere that a command (or the layout) passes to this module:
        one more candidate, like the directory's own ``prod.tfvars``."""
        if doc.path in self.var_files:
            return
        label = posixpath.relpath(doc.path, self.directory or ".")
        self.var_files[doc.path] = (label, "" if via == "layout" else f", passed with {via}")
        for key, attr in doc.attributes.items():
            self.other_tfvars.setdefault(key, []).append((attr, doc.path))

    def var_file_paths(self) -> list[str]:
        """The variable files (other than auto-loaded ones) that set this module's variables."""
        return list(dict.fromkeys(path for items in self.other_tfvars.values() for _, path in items))

    def resolve(self, expr: Expr) -> Resolved:
        return self.root.resolve(expr)

    def candidates(self, expr: Expr) -> list[Resolved]:
        return self.root.candidates(expr)


class UnitCall(Block):
    """A Terragrunt unit as a module call: its attributes are the inputs (the unit's own and
    those of the files it includes, merged), its span the ``source`` that names the module."""

    __slots__ = ("evaluated", "inherited", "opaque", "unit")

    def __init__(self, unit: terragrunt.Unit) -> None:
        super().__init__("terragrunt", [], {}, [], unit.source_span)
        self.unit = unit
        #: True when some inputs cannot be listed: every variable they could set is unknown.
        self.opaque = unit.opaque
        #: input name -> where an included file set it (``root.hcl:12``); the unit's own are absent.
        self.inherited: dict[str, str] = {}
        #: Inputs held as the value they evaluated to (no expression of the unit to edit).
        self.evaluated: set[str] = set()


class Call(Frozen):
    """A ``module`` block, the file that holds it and the scope it is evaluated in; for one
    instance of a call with ``for_each`` or ``count``, its key (or index) and ``each.value``."""

    block: Block
    path: str
    scope: Scope
    key: str | int | None = None
    value: Any = None

    @property
    def name(self) -> str:
        return self.block.labels[0] if self.block.labels else ""

    @property
    def label(self) -> str:
        """``module.db``, ``module.db["eu"]``, ``module.db[0]``; a Terragrunt unit has none."""
        if isinstance(self.block, UnitCall):
            return ""
        if self.key is None:
            return f"module.{self.name}"
        return f"module.{self.name}[{json.dumps(self.key)}]"

    @property
    def arguments(self) -> Scope:
        """The scope the call's arguments are evaluated in: the caller's, with ``each.*`` and
        ``count.index`` bound to this instance."""
        return self.scope if self.key is None else Scope(self.scope.module, self.scope.call, self)


class Scope:
    """One instance of a module: the root (``call`` None) or the child of a module call."""

    __slots__ = ("call", "instance", "module")

    def __init__(self, module: Module, call: Call | None = None, instance: Call | None = None) -> None:
        self.module = module
        self.call = call
        self.instance = instance  # the call instance whose arguments are evaluated here

    @property
    def calls(self) -> list[Call]:
        """The module calls that lead here, outermost first."""
        chain: list[Call] = []
        call = self.call
        while call is not None:
            chain.append(call)
            call = call.scope.call
        return chain[::-1]

    @property
    def prefix(self) -> str:
        """``module.db.module.db_instance.`` (empty at the root)."""
        return "".join(f"{c.label}." for c in self.calls if c.label)

    def resolve(self, expr: Expr, _depth: int = 0, _binding: Binding | None = None) -> Resolved:
        if _depth > _MAX_DEPTH:
            return _unknown()
        kind = expr.kind
        if kind == "literal":
            return Resolved(expr.value, True)
        if kind == "reference":
            return self._reference(str(expr.value), _depth, _binding)
        if kind == "tuple":
            return _collect([self.resolve(item, _depth + 1, _binding) for item in expr.value], list)
        if kind == "object":
            items = {key: self.resolve(item, _depth + 1, _binding) for key, item in expr.value.items()}
            merged = _collect(list(items.values()), list)
            merged.value = {key: r.value for key, r in items.items()} if merged.known else None
            return merged
        if kind == "conditional":
            test = self.resolve(expr.args[0], _depth + 1, _binding)
            condition = test.as_bool()
            if condition is None:
                return Resolved(None, False, test.origins)
            # What chose the branch is an origin too (a module input, a tfvars value), before
            # the branch's own: the last origin stays the one that wrote the value.
            chosen = self.resolve(expr.args[1] if condition else expr.args[2], _depth + 1, _binding)
            chosen.origins[:0] = test.origins
            return chosen
        if kind == "unary":
            inner = self.resolve(expr.args[0], _depth + 1, _binding)
            flag = inner.as_bool()
            return Resolved(not flag, True, inner.origins) if flag is not None else _unknown()
        if kind == "binary":
            return _binary(str(expr.value), [self.resolve(a, _depth + 1, _binding) for a in expr.args])
        if kind == "call":
            function = _FUNCTIONS.get(str(expr.value))
            if function is None:
                return _unknown()
            return function([self.resolve(a, _depth + 1, _binding) for a in expr.args])
        return _unknown()

    def _reference(self, ref: str, depth: int, binding: Binding | None) -> Resolved:
        head, _, rest = ref.partition(".")
        name, steps = _steps(rest)
        if head == "var":
            found = self._variable(name, depth, binding)
        elif head in ("each", "count") and self.instance is not None:
            found = self._instance(head, name)
        elif head == "local" and name in self.module.locals:
            attr, path = self.module.locals[name]
            found = self.resolve(attr.expr, depth + 1, binding)
            found.origins.insert(0, Origin(f"local.{name}", path, attr.span.line, LOCAL, name, expr=attr.expr))
        elif head == "include" and name in self.module.includes:
            value, origin = self.module.includes[name]
            found = Resolved(value, True, [origin])
        else:
            return _unknown()
        return _walk(found, steps)

    def _instance(self, head: str, name: str) -> Resolved:
        """``each.key``, ``each.value`` and ``count.index`` of the call instance."""
        call = self.instance
        if call is None:
            return _unknown()
        counted = isinstance(call.key, int)
        if (head, name, counted) not in (("each", "key", False), ("each", "value", False), ("count", "index", True)):
            return _unknown()
        attr = call.block.get("count" if counted else "for_each")
        line = attr.span.line if attr is not None else call.block.span.line
        origin = Origin(f"{head}.{name} of {call.label}", call.path, line)
        return Resolved(call.value if name == "value" else call.key, True, [origin])

    def _variable(self, name: str, depth: int, binding: Binding | None) -> Resolved:
        if name not in self.module.variables:
            return _unknown()
        call = self.call
        if call is not None and name in call.block.attributes:
            attr = call.block.attributes[name]
            found = call.arguments.resolve(attr.expr, depth + 1, binding)
            found.origins.insert(0, _input(call, attr))
            return found
        if call is not None and isinstance(call.block, UnitCall) and call.block.opaque:
            return _unknown()  # inputs that cannot be listed may set it
        if call is None and binding is not None and binding.module is self.module:
            binding.read.add(name)
            bound = binding.value(name)
            if bound is not None:
                found = self.resolve(bound.expr, depth + 1, binding)
                found.origins.insert(0, binding.origin(name, bound))
                return found
        if call is None and name in self.module.auto_tfvars:
            attr, path = self.module.auto_tfvars[name]
            found = self.resolve(attr.expr, depth + 1, binding)
            found.origins.insert(0, Origin(f"var.{name} in tfvars", path, attr.span.line, TFVARS, name, expr=attr.expr))
            return found
        block, path = self.module.variables[name]
        default = block.get("default")
        if default is None:
            return Resolved(None, False, [Origin(f"var.{name} has no default", path, block.span.line)])
        found = self.resolve(default.expr, depth + 1, binding)
        found.origins.insert(
            0, Origin(f"var.{name} default", path, default.span.line, DEFAULT, name, expr=default.expr)
        )
        return found

    def bound(self, expr: Expr) -> tuple[Expr, Scope]:
        """The expression a module call passes for ``expr`` when it is one of this module's
        variables (followed through nested calls), with the scope it is written in: what a
        caller wrote (``module.primary.id``) says more than its unknown value."""
        scope = self
        while expr.kind == "reference" and str(expr.value).startswith("var.") and scope.call is not None:
            name, steps = _steps(str(expr.value)[4:])
            attr = scope.call.block.attributes.get(name)
            if steps or attr is None or name not in scope.module.variables:
                break
            expr, scope = attr.expr, scope.call.arguments
        return expr, scope

    def candidates(self, expr: Expr) -> list[Resolved]:
        """The value without -var-file, then one per other variable file of the root module
        (through module inputs: the outermost caller's) that sets a root variable the value
        reads: every variable the file sets is bound at once, as ``-var-file`` binds them."""
        root = self.calls[0].scope.module if self.calls else self.module
        probe = Binding(root)
        found = [self.resolve(expr, 0, probe)]
        if not probe.read:
            return found
        reader = root.reader()
        if root.pending is not None and reader is not None:
            root.pending(root, reader)
        for path in root.var_file_paths():
            binding = Binding(root, path)
            if not probe.read & binding.names:
                continue
            value = self.resolve(expr, 0, binding)
            found.append(value)
        return found


class Binding:
    """One evaluation's view of the root module's variables: the names it read and, for a
    ``-var-file`` candidate, the file whose values win over the defaults and auto tfvars."""

    __slots__ = ("module", "names", "path", "read", "used")

    def __init__(self, module: Module, path: str = "") -> None:
        self.module = module
        self.path = path
        self.read: set[str] = set()
        self.used: list[Origin] = []
        self.names = (
            {name for name, items in module.other_tfvars.items() if any(p == path for _, p in items)} if path else set()
        )

    def value(self, name: str) -> Attribute | None:
        if name not in self.names:
            return None
        return next(attr for attr, p in self.module.other_tfvars[name] if p == self.path)

    def origin(self, name: str, attr: Attribute) -> Origin:
        label, via = self.module.var_files.get(self.path, (PurePosixPath(self.path).name, ""))
        what = f"var.{name} in {label}{via}"
        found = Origin(what, self.path, attr.span.line, TFVARS, name, expr=attr.expr, label=label)
        self.used.append(found)
        return found


def _input(call: Call, attr: Attribute) -> Origin:
    if isinstance(call.block, UnitCall):
        where = call.block.inherited.get(attr.name)
        what = f"inputs.{attr.name} set in {where}, included" if where else f"inputs.{attr.name}"
        expr = None if attr.name in call.block.evaluated else attr.expr  # a fix edits only what is written here
        return Origin(what, call.path, attr.span.line, INPUT, attr.name, attr.span, expr)
    return Origin(f"{call.label} input {attr.name}", call.path, attr.span.line, INPUT, attr.name, attr.span, attr.expr)


def _steps(rest: str) -> tuple[str, list[str | int]]:
    """``db.settings["backup"][0]`` -> (``db``, ["settings", "backup", 0])."""
    parts: list[str | int] = []
    token = ""
    i = 0
    while i < len(rest):
        ch = rest[i]
        if ch in ".[":
            if token:
                parts.append(token)
                token = ""
            if ch == "[":
                end = rest.find("]", i)
                if end < 0:
                    return "", []
                inside = rest[i + 1 : end].strip()
                if inside.isdigit():
                    parts.append(int(inside))
                elif len(inside) >= 2 and inside[0] == inside[-1] == '"':
                    parts.append(inside[1:-1])
                else:
                    parts.append("\0")  # an index we cannot evaluate
                i = end
        else:
            token += ch
        i += 1
    if token:
        parts.append(token)
    if not parts or not isinstance(parts[0], str):
        return "", []
    return parts[0], parts[1:]


def _walk(found: Resolved, steps: list[str | int]) -> Resolved:
    """Attribute and index access on a resolved value; unknown when it does not apply."""
    if not steps:
        return found
    value = found.value
    if not found.known:
        return Resolved(None, False, found.origins)
    for step in steps:
        in_dict = isinstance(value, dict) and isinstance(step, str) and step in value
        in_list = isinstance(value, list) and isinstance(step, int) and 0 <= step < len(value)
        if not (in_dict or in_list):
            return Resolved(None, False, found.origins)
        value = value[step]
    return Resolved(value, True, found.origins)


def _collect(items: list[Resolved], build: Callable[[list[Any]], Any]) -> Resolved:
    origins = [o for r in items for o in r.origins]
    if not all(r.known for r in items):
        return Resolved(None, False, origins)
    return Resolved(build([r.value for r in items]), True, origins)


def _binary(operator: str, operands: list[Resolved]) -> Resolved:
    left, right = operands
    origins = left.origins + right.origins
    if operator in ("&&", "||"):
        a, b = left.as_bool(), right.as_bool()
        # A known operand can decide alone: false && x, true || x.
        if operator == "&&" and (a is False or b is False):
            return Resolved(False, True, origins)
        if operator == "||" and (a is True or b is True):
            return Resolved(True, True, origins)
        if a is None or b is None:
            return Resolved(None, False, origins)
        return Resolved(a and b if operator == "&&" else a or b, True, origins)
    if not (left.known and right.known):
        return Resolved(None, False, origins)
    a, b = left.value, right.value
    if operator in ("==", "!="):
        equal = _same(a, b)
        return Resolved(equal if operator == "==" else not equal, True, origins)
    x, y = _number(a), _number(b)
    if x is None or y is None:
        return Resolved(None, False, origins)
    results: dict[str, Callable[[float, float], Any]] = {
        "<": lambda p, q: p < q,
        ">": lambda p, q: p > q,
        "<=": lambda p, q: p <= q,
        ">=": lambda p, q: p >= q,
        "+": lambda p, q: p + q,
        "-": lambda p, q: p - q,
        "*": lambda p, q: p * q,
    }
    if operator not in results:
        return Resolved(None, False, origins)
    value = results[operator](x, y)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return Resolved(value, True, origins)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    x, y = _number(a), _number(b)
    if x is not None and y is not None and not (isinstance(a, str) and isinstance(b, str)):
        return x == y
    return bool(a == b)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _convert(function: str) -> Callable[[list[Resolved]], Resolved]:
    def apply(args: list[Resolved]) -> Resolved:
        if len(args) != 1 or not args[0].known:
            return _unknown()
        inner = args[0]
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

    return apply


def _coalesce(args: list[Resolved]) -> Resolved:
    """The first argument that is neither null nor ""; unknown when an unknown one comes first.
    The arguments passed over chose it too (a tfvars ``null``): their origins come first, as a
    conditional's test does, and the picked argument's stay last."""
    passed: list[Origin] = []
    for arg in args:
        if not arg.known:
            return Resolved(None, False, passed + arg.origins)
        if arg.value is not None and arg.value != "":
            return Resolved(arg.value, True, passed + arg.origins)
        passed.extend(arg.origins)
    return Resolved(None, False, passed)


def _lookup(args: list[Resolved]) -> Resolved:
    """The map's value at the key, else the default: the map (a tfvars ``{}``) and the key chose
    the default too, so their origins come before its own."""
    if len(args) not in (2, 3) or not args[0].known or not args[1].known or not isinstance(args[0].value, dict):
        return _unknown()
    key = str(args[1].value)
    chose = args[0].origins + args[1].origins
    if key in args[0].value:
        return Resolved(args[0].value[key], True, chose)
    return Resolved(args[2].value, args[2].known, chose + args[2].origins) if len(args) == 3 else _unknown()


def _merge(args: list[Resolved]) -> Resolved:
    if not all(a.known and isinstance(a.value, dict) for a in args):
        return _unknown()
    merged: dict[str, Any] = {}
    for arg in args:
        merged.update(arg.value)
    return Resolved(merged, True, [o for a in args for o in a.origins])


def _concat(args: list[Resolved]) -> Resolved:
    if not all(a.known and isinstance(a.value, list) for a in args):
        return _unknown()
    return Resolved([v for a in args for v in a.value], True, [o for a in args for o in a.origins])


def _identity(args: list[Resolved]) -> Resolved:
    return args[0] if len(args) == 1 else _unknown()


def _strings(apply: Callable[[list[Any]], list[Any]]) -> Callable[[list[Resolved]], Resolved]:
    """A function of one list of strings (``compact``, ``distinct``, ``sort``)."""

    def call(args: list[Resolved]) -> Resolved:
        if len(args) != 1 or not args[0].known or not isinstance(args[0].value, list):
            return _unknown()
        if not all(isinstance(v, str) for v in args[0].value):
            return Resolved(None, False, args[0].origins)
        return Resolved(apply(args[0].value), True, args[0].origins)

    return call


#: Built-in functions evaluated on known arguments; any other call is unknown. ``try``
#: is absent on purpose: whether its first argument fails is not knowable here.
_FUNCTIONS: dict[str, Callable[[list[Resolved]], Resolved]] = {
    "tonumber": _convert("tonumber"),
    "tostring": _convert("tostring"),
    "tobool": _convert("tobool"),
    "coalesce": _coalesce,
    "lookup": _lookup,
    "merge": _merge,
    "concat": _concat,
    "tolist": _identity,
    "toset": _identity,
    "compact": _strings(lambda items: [v for v in items if v != ""]),
    "distinct": _strings(lambda items: list(dict.fromkeys(items))),
    "sort": _strings(sorted),
}


# --------------------------------------------------------------------------- modules on disk


def module_key(doc: Document) -> str:
    """What facts built once per module are cached under: the directory, or for a plan its path
    (a plan is a module of its own: its values are concrete, and the ``.tf`` files beside it
    are not what it applies)."""
    return doc.path if doc.kind is Kind.TERRAFORM_PLAN else _directory(doc.host.path)


def module_for(doc: Document, project: Project) -> Module:
    """The module ``doc`` belongs to, built once per directory (per plan) and scan."""
    directory = _directory(doc.host.path)
    if doc.kind is Kind.TERRAFORM_PLAN:
        key = ("terraform-plan", doc.path)
        if key not in project.cache:
            project.cache[key] = Module([doc], directory)
        return project.cache[key]
    key = ("terraform-module", directory)
    if key not in project.cache:
        project.cache[key] = _with_var_files(Module(project.siblings(doc.host, _MODULE_SUFFIXES), directory), project)
    return project.cache[key]


def module_at(directory: str, project: Project) -> Module | None:
    """The module in ``directory`` (a display path), or None when it holds no Terraform."""
    key = ("terraform-module", directory)
    if key not in project.cache:
        # A called module is read by the groups of all its callers: once per scan, not per group.
        module = project.repository_fact(key, lambda: _module_in(directory, project))
        if module is not None:
            module.reader = weakref.ref(project)
        project.cache[key] = module
    return project.cache[key]


def _module_in(directory: str, project: Project) -> Module | None:
    found = Module(project.directory_documents(Path(directory), _MODULE_SUFFIXES), directory)
    return _with_var_files(found, project) if found.documents else None


def _with_var_files(module: Module, project: Project) -> Module:
    """The module, set to read the variable files kept outside its directory that bind to it
    (``facts.tf_var_files``: a ``-var-file`` command, or an ``envs/`` directory inside it)
    when a value first needs them."""
    if module.documents and module.published is None:
        module.pending = _attach_var_files
        module.reader = weakref.ref(project)
    return module


def _attach_var_files(module: Module, project: Project) -> None:
    from guardrails.facts import tf_var_files  # only when a value goes through a root variable

    # Asked for by every check that needs it (memoised: a later document inherits the reads).
    key = ("terraform-var-files", module.directory)
    if key not in project.cache:
        docs = [(project.document(Path(f.path)), f.via) for f in tf_var_files.var_files(module.directory, project)]
        project.cache[key] = [(d, via) for d, via in docs if isinstance(d, TerraformDocument)]
    for doc, via in project.cache[key]:
        if doc.kind is Kind.TFVARS:
            module.add_var_file(doc, via)


def _no_reader() -> Project | None:
    return None


@lru_cache(maxsize=1024)
def _directory(path: str) -> str:
    """Every rule asks for the module of every file: parsing the path each time cost more
    than the rest of the lookup (files come directory by directory, so a small cache does,
    and a normal path is split, not parsed)."""
    return posix.parent(path)


def attribute_value(block: Block, name: str, module: Module | Scope) -> tuple[Attribute | None, Resolved]:
    """An attribute of ``block`` and its resolved value (unknown when absent)."""
    attr = block.get(name)
    if attr is None:
        return None, Resolved(None, False)
    return attr, module.resolve(attr.expr)


def registry_calls(doc: TerraformDocument, module: Module) -> Iterator[tuple[Block, str, str | None]]:
    """The module calls of ``doc`` with a literal source, each with its version constraint (None
    when the call names none), for the facts that read a registry module's inputs from a table; a
    call whose constraint is not known is left out. A GitHub source of a published module
    (``tf_registry.git_source``) is its registry address at the version its ref names."""
    for call in doc.blocks:
        source = call.get("source") if call.type == "module" and call.labels else None
        if source is None or source.expr.kind != "literal" or not isinstance(source.expr.value, str):
            continue
        git = git_source(source.expr.value)
        if git is not None:
            yield call, git[0], git[1]
            continue
        version = call.get("version")
        constraint = module.resolve(version.expr) if version is not None else None
        if constraint is not None and not (constraint.known and isinstance(constraint.value, str | int | float)):
            continue
        yield call, source.expr.value, None if constraint is None else str(constraint.value)


def call_target(call: Block, caller: Scope, project: Project) -> Module | None:
    """The module a ``module`` block calls: a local path (``../../``), or what
    ``terraform init`` downloaded (``.terraform/modules/modules.json`` of the root), or the
    source of a Terragrunt unit."""
    if isinstance(call, UnitCall):
        unit = call.unit
        if unit is None:
            return None
        if unit.directory is not None:
            return module_at(unit.directory, project)
        table = published(unit.registry, unit.version) if unit.registry is not None else None
        return _published_module(table, project) if table is not None else None
    source = call.get("source")
    if source is None or source.expr.kind != "literal" or not isinstance(source.expr.value, str):
        return None
    text = source.expr.value
    if text.startswith(("./", "../")):
        return module_at(_join(caller.module.directory, text), project)
    root = caller.calls[0].scope.module if caller.calls else caller.module
    key = ".".join([c.name for c in caller.calls] + [call.labels[0] if call.labels else ""])
    downloaded = _downloaded(root.directory, project).get(key)
    if downloaded is not None:
        return module_at(downloaded, project)
    git = git_source(text)
    version = call.get("version")
    constraint = version.expr.value if version is not None and version.expr.kind == "literal" else None
    if git is not None:
        text, constraint = git
    table = published(text, None if constraint is None else str(constraint))
    return _published_module(table, project) if table is not None else None


def _published_module(table: PublishedModule, project: Project) -> Module:
    """A registry module not on disk, as its table describes it: one resource whose
    attributes read the inputs, and the inputs' published defaults."""
    key = ("terraform-published", table.source, table.major)
    if key not in project.cache:
        variables: list[Block] = []
        resource = Block("resource", [table.resource, table.address.rsplit(".", 1)[-1]], {}, [], Span.point(1))
        for name, item in sorted(table.inputs.items()):
            at = Span.point(item.line)
            default = Attribute("default", Expr("literal", item.default, repr(item.default), at), at)
            variables.append(Block("variable", [name], {"default": default}, [], at))
            if not item.attribute:
                continue
            *blocks, attribute = item.attribute.split(".")
            holder = resource
            for part in blocks:
                child = holder.child(part)
                if child is None:
                    child = Block(part, [], {}, [], Span.point(1))
                    holder.blocks.append(child)
                holder = child
            expr = _module_expression(item.value) if item.value else Expr("reference", f"var.{name}", f"var.{name}", at)
            holder.attributes[attribute] = Attribute(attribute, expr, at)
        doc = TerraformDocument(path=table.reference, kind=Kind.TERRAFORM, text="", blocks=[resource, *variables])
        project.cache[key] = Module([doc], table.reference, table)
    return project.cache[key]


def _module_expression(text: str) -> Expr:
    """A table's copy of a module's expression, parsed as the module's own file would be."""
    from guardrails.parsers.hcl import parse  # the parser is needed only by such tables

    return parse("published.tf", f"value = {text}\n", Kind.TERRAFORM).attributes["value"].expr


def _join(directory: str, relative: str) -> str:
    joined = posixpath.normpath(posixpath.join(directory, relative.split("//", 1)[0] or "."))
    return joined or "."


def _downloaded(directory: str, project: Project) -> dict[str, str]:
    """``modules.json`` of a root module: module key (``db.db_instance``) -> directory."""
    key = ("terraform-downloaded", directory)
    if key not in project.cache:
        found: dict[str, str] = {}
        path = project.cwd / directory / ".terraform" / "modules" / "modules.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        except (OSError, ValueError):
            data = {}
        for entry in data.get("Modules", []) if isinstance(data, dict) else []:
            usable = isinstance(entry, dict) and isinstance(entry.get("Key"), str) and isinstance(entry.get("Dir"), str)
            if usable and entry["Key"] and not posixpath.isabs(entry["Dir"]):
                found[entry["Key"]] = _join(directory, entry["Dir"])
        project.cache[key] = found
    return project.cache[key]


# --------------------------------------------------------------------------- resource instances


class Instance(Frozen):
    """A resource as one module instance creates it: the block, the file holding it and
    the scope its expressions are evaluated in."""

    block: Block
    path: str
    scope: Scope

    @property
    def address(self) -> str:
        """``module.db.aws_db_instance.this``."""
        table = self.scope.module.published
        return self.scope.prefix + (table.address if table is not None else self.block.address)

    @property
    def called(self) -> bool:
        """True when a module call of the checked document created it."""
        return self.scope.call is not None

    def related(self) -> list[dict[str, Any]]:
        """The resource in the child module, for findings reported in the caller (a registry
        module described by a table has no file to point at)."""
        if not self.called or self.scope.module.published is not None:
            return []
        return [{"path": self.path, "line": self.block.span.line, "resource": self.address}]


def resources(doc: TerraformDocument, project: Project, *types: str) -> Iterator[Instance]:
    """The resources ``doc`` declares (in its module's root scope), then those its local or
    downloaded module calls create, child by child, with the calls' inputs bound.

    A call or a child resource whose ``count`` is known to be 0 creates nothing."""
    root = module_for(doc, project).root
    for block in doc.resources(*types):
        yield Instance(block, doc.path, root)
    for scope in scopes(doc, project):
        for child in scope.module.documents:
            for block in child.resources(*types):
                if not _creates_nothing(block, scope):
                    yield Instance(block, child.path, scope)


def scopes(doc: TerraformDocument, project: Project) -> list[Scope]:
    """The module instances ``doc``'s calls create (a registry module with a table among
    them), outermost first, each with its call's inputs bound: found once per document,
    since every Terraform rule walks them. A Terragrunt unit is a call of the module it
    deploys (``unit_call``); a non-production unit is not judged."""
    key = ("terraform-scopes", doc.path)
    found = project.cache.get(key)
    if found is None:
        if terragrunt.is_unit(doc):
            call = None if terragrunt.non_production(doc.path) else unit_call(doc, project)
            found = list(_called(call, project, 1)) if call is not None else []
        else:
            root = module_for(doc, project).root
            found = [
                scope
                for block in doc.blocks
                if block.type == "module" and block.labels
                for scope in _called(Call(block, doc.path, root), project, 1)
            ]
        project.cache[key] = found
    return found


def beside_production(doc: TerraformDocument, project: Project) -> bool:
    """``doc``'s directories name another environment, and the directory holding that one also
    holds a directory named for production: one root per environment (``database/env/dev``
    next to ``database/env/prod``). Asked by every settings rule of every file: answered once per
    directory."""
    directory = posix.parent(doc.path)
    key = ("beside-production", directory)
    found: bool | None = project.cache.get(key)
    if found is None:
        found = False
        parts = PurePosixPath(directory).parts
        for index, part in enumerate(parts):
            if terragrunt.names_other_environment(part):
                holder = project.cwd.joinpath(*parts[:index])
                found = any(names_production(sub.name) for sub in project.subdirectories(holder))
                break
        project.cache[key] = found
    return found


# --------------------------------------------------------------------------- Terragrunt units


def unit_call(doc: TerraformDocument, project: Project) -> Call | None:
    """A ``terragrunt.hcl`` as a call of the module it deploys: the inputs of the files it
    includes, then its own (which win), each evaluated where it is written."""
    key = ("terragrunt-call", doc.path)
    if key not in project.cache:
        project.cache[key] = _unit_call(doc, project)
    return project.cache[key]


def _unit_call(doc: TerraformDocument, project: Project) -> Call | None:
    unit = terragrunt.unit(doc, project)
    if unit is None:
        return None
    here = str(project.cwd / _directory(doc.path))
    caller = _config_module(doc, here, project)
    block = UnitCall(unit)
    for include in unit.includes:
        inputs = include.doc.attributes.get("inputs")
        if include.merge and inputs is not None:
            # Values, not expressions: the parent's locals are not the unit's.
            _add_inputs(block, inputs, _config_module(include.doc, here, project), include.block.span, include.doc)
    own = doc.attributes.get("inputs")
    if own is not None and own.expr.kind == "object":
        for name, expr in own.expr.value.items():
            block.attributes[name] = Attribute(name, expr, expr.span)
            block.inherited.pop(name, None)
            block.evaluated.discard(name)
    elif own is not None:
        _add_inputs(block, own, caller, own.span, None)
    return Call(block, doc.path, caller.root)


def _add_inputs(block: UnitCall, inputs: Attribute, where: Module, at: Span, parent: TerraformDocument | None) -> None:
    """Inputs as the values they evaluate to (an ``inputs`` that cannot be evaluated makes
    every variable unknown), reported at ``at`` in the unit."""
    if inputs.expr.kind == "object":  # the names are known even where a value is not
        values = {name: where.resolve(expr) for name, expr in inputs.expr.value.items()}
    else:
        found = where.resolve(inputs.expr)
        if not found.known or not isinstance(found.value, dict):
            block.opaque = True
            return
        values = {name: Resolved(value, True) for name, value in found.value.items()}
    for name, value in values.items():
        expr = Expr("literal", value.value, repr(value.value), at) if value.known else Expr("other", None, "", at)
        block.attributes[name] = Attribute(name, expr, at)
        block.evaluated.add(name)
        if parent is None:
            block.inherited.pop(name, None)
            continue
        item = inputs.expr.value.get(name) if inputs.expr.kind == "object" else None
        line = item.span.line if item is not None else inputs.span.line
        block.inherited[name] = f"{parent.path}:{line}"


def _config_module(
    doc: TerraformDocument, unit_dir: str, project: Project, chain: frozenset[str] = frozenset()
) -> Module:
    """A Terragrunt file as a module whose locals can be evaluated; a local that reads another
    file (``read_terragrunt_config(find_in_parent_folders("env.hcl"))``) holds that file's
    known ``locals`` and ``inputs``, read as the unit at ``unit_dir`` reads it."""
    key = ("terragrunt-module", doc.path, unit_dir)
    if key in project.cache:
        return project.cache[key]
    module = Module([doc], _directory(doc.path))
    if doc.path in chain or len(chain) >= _MAX_NESTING:  # a file that reads itself, or a long chain
        return module
    chain = chain | {doc.path}
    for name, (attr, path) in list(module.locals.items()):
        expr = attr.expr
        if expr.kind != "call" or expr.value != "read_terragrunt_config" or not expr.args:
            continue
        target = terragrunt.evaluate_path(expr.args[0], doc, unit_dir, project)
        value = _config_value(target, unit_dir, project, chain)
        if value is not None:
            module.locals[name] = (Attribute(name, Expr("literal", value, expr.text, expr.span), attr.span), path)
    for block in doc.blocks:
        where = block.get("path") if block.type == "include" and len(block.labels) == 1 else None
        target = terragrunt.evaluate_path(where.expr, doc, unit_dir, project) if where is not None else None
        value = _config_value(target, unit_dir, project, chain)
        if value is not None and target is not None:
            origin = Origin(f"include.{block.labels[0]} ({target})", doc.path, block.span.line)
            module.includes[block.labels[0]] = (value, origin)
    project.cache[key] = module  # stored once built: it carries every read that built it
    return module


def _config_value(path: str | None, unit_dir: str, project: Project, chain: frozenset[str]) -> dict[str, Any] | None:
    """What ``read_terragrunt_config`` (or an exposed include) gives: the file's known ``locals``
    and, when known, its ``inputs``; None when the file cannot be read."""
    other = terragrunt.config(path, project) if path is not None else None
    if other is None:
        return None
    inner = _config_module(other, unit_dir, project, chain)
    value: dict[str, Any] = {
        "locals": {k: r.value for k in inner.locals if (r := inner.resolve(inner.locals[k][0].expr)).known},
    }
    inputs = other.attributes.get("inputs")
    found = inner.resolve(inputs.expr) if inputs is not None else Resolved({}, True)
    if found.known:
        value["inputs"] = found.value
    return value


def _called(call: Call, project: Project, depth: int) -> Iterator[Scope]:
    if depth > _MAX_NESTING or _creates_nothing(call.block, call.scope):
        return
    child = call_target(call.block, call.scope, project)
    if child is None or any(c.scope.module is child for c in call.scope.calls) or call.scope.module is child:
        return
    for instance in _expanded(call):
        scope = Scope(child, instance)
        yield scope
        for doc in child.documents:
            for block in doc.blocks:
                if block.type == "module" and block.labels:
                    yield from _called(Call(block, doc.path, scope), project, depth + 1)


def _expanded(call: Call) -> list[Call]:
    """One call per instance when its ``for_each`` or ``count`` is known (keys in Terraform's
    order), else the call once, its ``each.*`` unknown."""
    count, for_each = call.block.get("count"), call.block.get("for_each")
    if count is not None:
        number = call.scope.resolve(count.expr).as_int()
        if number is not None and 0 < number <= _MAX_INSTANCES:
            return [Call(call.block, call.path, call.scope, index) for index in range(number)]
    elif for_each is not None:
        found = call.scope.resolve(for_each.expr)
        value = found.value if found.known else None
        if isinstance(value, dict) and 0 < len(value) <= _MAX_INSTANCES:
            return [Call(call.block, call.path, call.scope, str(k), value[k]) for k in sorted(value, key=str)]
        if isinstance(value, list) and 0 < len(value) <= _MAX_INSTANCES and all(isinstance(v, str) for v in value):
            return [Call(call.block, call.path, call.scope, v, v) for v in sorted(set(value))]
    return [call]


def _creates_nothing(block: Block, scope: Scope) -> bool:
    count = block.get("count")
    if count is not None:
        return scope.resolve(count.expr).as_int() == 0
    for_each = block.get("for_each")
    if for_each is not None:
        found = scope.resolve(for_each.expr)
        return found.known and isinstance(found.value, (list, dict)) and not found.value
    return False


# --------------------------------------------------------------------------- where findings go


def placement(instance: Instance, attr: Attribute | None, found: Resolved | None, project: Project) -> Span | None:
    """Where, in the checked document, a finding about ``attr`` of ``instance`` belongs;
    None when it belongs elsewhere.

    In the module that declares the resource, a finding goes on the attribute (on the
    resource when absent). For a resource that a module call of the document creates, it
    goes on the call's input that carried the value; a literal or a provider default
    inside the child is the child's own finding. A value decided by a variable default
    that some module call in the repository sets is judged at the calls, each with its
    own value: the call that leaves it unset gets the finding."""
    origins = found.origins if found is not None else []
    decisive = origins[-1] if origins else None
    overridden = (
        decisive is not None
        and decisive.kind == DEFAULT
        and sets_variable(project, _directory(decisive.path), decisive.name)
    )
    if not instance.called:
        if overridden:
            return None
        return attr.span if attr is not None else Span.point(instance.block.span.line, instance.block.span.column)
    if attr is None:
        return None
    outermost = instance.scope.calls[0]
    block = outermost.block.span
    inputs = [o for o in origins if o.kind == INPUT and o.path == outermost.path and o.span is not None]
    if not isinstance(outermost.block, UnitCall):  # a unit's inputs are anywhere in its file
        inputs = [o for o in inputs if block.line <= o.line <= block.end_line]
    if inputs:
        return None if overridden else inputs[-1].span
    table = instance.scope.module.published
    if (
        table is not None
        and decisive is not None
        and decisive.path == table.reference
        and len(instance.scope.calls) == 1
    ):
        return Span.point(block.line, block.column)  # a published default the call leaves unsafe
    if overridden and decisive is not None:
        calls = instance.scope.calls
        child = calls[1].scope.module if len(calls) > 1 else instance.scope.module
        if _directory(decisive.path) == child.directory:
            return Span.point(block.line, block.column)
    return None


#: Stands in the callers index for "every variable": inputs a Terragrunt unit cannot list.
_EVERY = "*"


def sets_variable(project: Project, directory: str, name: str) -> bool:
    """True when some local module call or Terragrunt unit in the repository calls
    ``directory`` and sets ``name`` (or may set it: inputs that cannot be listed)."""
    inputs = _inputs_from_callers(project, directory)
    return name in inputs or _EVERY in inputs


def _inputs_from_callers(project: Project, directory: str) -> frozenset[str]:
    """The inputs that the repository's local calls of ``directory`` set, built once per scan.

    Only the files whose text names a local source leading to ``directory`` are parsed: most
    modules asked about are roots that nothing calls, and parsing every calling file of a
    large repository to learn that cost as much as the scan itself."""

    def build() -> frozenset[str]:
        found: set[str] = set()
        for path in _local_sources(project).get(directory, ()):
            for target, inputs in _local_calls(project, path):
                if target == directory:
                    found.update(inputs)
        for path in _units(project).get(directory, ()):
            doc = project.document(path)
            call = unit_call(doc, project) if isinstance(doc, TerraformDocument) else None
            if call is not None:
                found.update(call.block.attributes)
                if isinstance(call.block, UnitCall) and call.block.opaque:
                    found.add(_EVERY)
        return frozenset(found)

    return project.repository_fact(("terraform-callers", directory), build)


# A text test before parsing (the parse decides): a literal local source is written
# ``source = "./..."`` or ``source = "../..."``; the quoted path ends at the next quote.
_LOCAL_SOURCE = re.compile(rb'source\s*=\s*"(\.\.?/[^"]*)"')


def _local_sources(project: Project) -> dict[str, list[Path]]:
    """Directory -> the repository's .tf files whose text names a local source leading to it."""

    def build() -> dict[str, list[Path]]:
        found: dict[str, list[Path]] = {}
        for path in project.walk((".tf",)):
            data = project.read_bytes(path)
            sources = {m.group(1) for m in _LOCAL_SOURCE.finditer(data)} if data and b"module" in data else ()
            if not sources:
                continue
            here = project.display_of(path.parent)  # a walk lists directories: one lookup each
            for target in {_join(here, source.decode("utf-8", "replace")) for source in sources}:
                found.setdefault(target, []).append(path)
        return found

    return project.repository_fact(("terraform-local-sources",), build)


def _units(project: Project) -> dict[str, list[Path]]:
    """Local module directory -> the repository's Terragrunt units that deploy it."""

    def build() -> dict[str, list[Path]]:
        found: dict[str, list[Path]] = {}
        for path in project.walk((terragrunt.UNIT_FILE,)):
            doc = project.document(path)
            unit = terragrunt.unit(doc, project) if isinstance(doc, TerraformDocument) else None
            if unit is not None and unit.directory is not None and path.name == terragrunt.UNIT_FILE:
                found.setdefault(unit.directory, []).append(path)
        return found

    return project.repository_fact(("terragrunt-units",), build)


def _local_calls(project: Project, path: Path) -> list[tuple[str, frozenset[str]]]:
    """The local module calls of one file, parsed: (called directory, inputs set)."""

    def build() -> list[tuple[str, frozenset[str]]]:
        from guardrails.parsers.hcl import top_level_blocks
        from guardrails.source import decode

        data = project.read_bytes(path)
        try:
            text = decode(data) if data is not None else None
            calls = top_level_blocks(text, "module") if isinstance(text, str) else []
        except ParseError:
            return []  # the file's own scan reports it
        here = _directory(project.display_of(path))
        found = []
        for block in calls:
            source = block.get("source")
            value = source.expr.value if source is not None and source.expr.kind == "literal" else None
            if isinstance(value, str) and value.startswith(("./", "../")):
                found.append((_join(here, value), frozenset(block.attributes)))
        return found

    return project.repository_fact(("terraform-local-calls", str(path)), build)
