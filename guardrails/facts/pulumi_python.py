"""Pulumi Python programs, read as the resource tree of a Pulumi YAML program.

A Python program is the ``main`` of a ``Pulumi.yaml`` with ``runtime: python`` (or ``runtime:
{name: python}``): the directory it names, by default the project's own, whose ``__main__.py``
is the entrypoint, or the file it names (Pulumi docs, "Pulumi project file reference": ``main``;
"Projects": in Python a ``__main__.py`` is the entrypoint). Every module of that directory is
read (the components ``__main__.py`` imports declare resources too), tests excepted.

Each call of a resource class of a provider package (``aws.rds.Instance("db",
skip_final_snapshot=True)`` after ``import pulumi_aws as aws``) becomes an entry of
``resources`` as Pulumi YAML writes it: the type token (``aws:rds:Instance``: the package's
name, the module, the class; Pulumi Registry, each resource's Python example), its keyword
arguments as ``properties`` under the names the Python SDK sends them (snake_case
turned camelCase: ``skip_final_snapshot`` is ``skipFinalSnapshot``, the property every other
SDK and Pulumi YAML name), an ``...Args(...)`` object or a dict as a mapping, and
``opts=pulumi.ResourceOptions(protect=True)`` as ``options``. ``guardrails.facts.pulumi`` and
``guardrails.facts.stacks`` then read it as they read a YAML program: one set of facts and
rules for both languages.

Values are what a reviewer reads without running the program: literals, and module-level
names bound once to one (or to a list, a dict, an ``Args`` or ``ResourceOptions`` call).
Everything else (any other function call, an f-string with a replacement
field, a loop variable, ``**kwargs``) is an expression left unknown (``EXPRESSION``),
and nothing is reported on it. A resource variable named in another resource's argument
(``replicate_source_db=primary.identifier``) is a reference to it, as
``${primary.identifier}`` is in YAML, and a config value read without a default
(``config.get_bool("protect")`` of ``config = pulumi.Config()``) is ``${protect}``: the
production stack file's value, else the project file's default, else unknown.
"""

from __future__ import annotations

import ast
import posixpath
import re
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from guardrails.documents import PythonDocument, TreeDocument
from guardrails.model import Document, Kind, Node, Span

if TYPE_CHECKING:
    from guardrails.project import Project

#: Python package of a provider -> its name in type tokens (Pulumi Registry: ``pulumi_aws`` is
#: the ``aws`` package, ``pulumi_gcp`` the ``gcp`` one). Only the providers bridged from the
#: Terraform ones whose types ``guardrails.facts.pulumi.TERRAFORM_TYPES`` knows.
PACKAGES: dict[str, str] = {"pulumi_aws": "aws", "pulumi_gcp": "gcp"}
#: The class of a resource's options (Pulumi Python SDK, ``pulumi.ResourceOptions``).
RESOURCE_OPTIONS = frozenset({"pulumi.ResourceOptions", "pulumi.resource.ResourceOptions"})
#: A project's configuration, and its getters of a plain value (Pulumi Python SDK,
#: ``pulumi.Config``: ``get``/``require`` and their typed forms; secrets are left unknown).
CONFIG = frozenset({"pulumi.Config", "pulumi.config.Config"})
CONFIG_GETTERS = frozenset(f"{verb}{kind}" for verb in ("get", "require") for kind in ("", "_bool", "_int", "_float"))
CONFIG_KEY = re.compile(r"[A-Za-z0-9_.-]+")
#: What names the stack being deployed (Pulumi Python SDK, ``pulumi.get_stack``).
STACK_NAME = frozenset({"pulumi.get_stack", "pulumi.runtime.get_stack"})
#: The tag of a node standing for an expression of the program's language that is not evaluated
#: here (a call, a loop variable): ``guardrails.facts.pulumi`` reads it as unknown.
EXPRESSION = "!expression"
#: The label of the program's document under its Python file.
CONTEXT = "pulumi-program"
#: What names the program file in a project file.
PROJECT_FILES = ("Pulumi.yaml", "Pulumi.yml")


def attach_program(doc: Document, project: Project) -> None:
    """Give a Pulumi Python program its resource tree as a child document of kind PULUMI, which
    the Pulumi rules read; any other Python file pays a look for a project file beside it and one
    directory up."""
    if not isinstance(doc, PythonDocument) or doc.tree is None or doc.parent is not None:
        return
    if any(c.context == CONTEXT for c in doc.children):
        return
    if not is_program(doc.path, project):
        return
    root = Reader(doc.tree, doc.text).root()
    child = TreeDocument(path=doc.path, kind=Kind.PULUMI, text="", roots=[root], parent=doc, context=CONTEXT)
    doc.children.append(child)


def is_program(path: str, project: Project) -> bool:
    """Whether a Pulumi.yaml of the Python runtime, beside the file or one directory up, runs it:
    the file is its ``main``, or a module of the program's directory (a component a
    ``__main__.py`` imports) other than a test."""
    file = PurePosixPath(path)
    if file.name.startswith("test_") or file.name.endswith("_test.py") or file.name == "conftest.py":
        return False
    places = [file.parent] if file.parent.parent == file.parent else [file.parent, file.parent.parent]
    for directory in places:
        for name in PROJECT_FILES:
            found = project.document(Path(directory / name))
            if isinstance(found, TreeDocument) and found.roots and _runs(found.roots[0], directory, file):
                return True
    return False


def _runs(root: Node, directory: PurePosixPath, file: PurePosixPath) -> bool:
    runtime = root.get("runtime")
    if runtime is not None and runtime.is_map:
        runtime = runtime.get("name")
    if runtime is None or not runtime.is_scalar or runtime.text != "python":
        return False
    main = root.get("main")
    target = _normal(directory / main.text) if main is not None and main.is_scalar else _normal(directory)
    if target.endswith(".py"):
        return _normal(file) == target
    return _normal(file.parent) == target


def _normal(path: PurePosixPath) -> str:
    return posixpath.normpath(str(path))


# --------------------------------------------------------------------------- the tree


class Reader:
    """One program's syntax tree turned into Pulumi YAML's ``resources``."""

    def __init__(self, tree: ast.Module, text: str) -> None:
        from guardrails.facts.environments import DEFAULT_SYNONYMS
        from guardrails.facts.pulumi import camel  # the tables: only for a program
        from guardrails.facts.python_names import Names
        from guardrails.parsers.python_source import Source

        self.camel = camel
        self.environments = frozenset(word for words in DEFAULT_SYNONYMS.values() for word in words)
        self.tree = tree
        self.source = Source(text)
        self.names = Names(tree)
        self.constants = _constants(tree)
        self.resources: dict[str, str] = {}  # a variable bound once to a resource -> its logical id

    def root(self) -> Node:
        entries: list[tuple[Node, Node]] = []
        calls = [(node, self.token(node)) for node in ast.walk(self.tree) if isinstance(node, ast.Call)]
        branched = self._branched()
        calls = [(call, token) for call, token in calls if token and id(call) not in branched]
        calls.sort(key=lambda pair: (pair[0].lineno, pair[0].col_offset))
        names = self._variables({id(call) for call, _ in calls})
        taken: set[str] = set()
        logical: dict[int, str] = {}
        for call, _ in calls:
            name = self._logical_id(call, names.get(id(call)), taken)
            taken.add(name)
            logical[id(call)] = name
        for variable, call_id in ((v, c) for c, v in names.items()):
            self.resources[variable] = logical[call_id]
        for call, token in calls:
            entries.append((self._key(logical[id(call)], call), self._resource(call, token)))
        whole = self._span(self.tree.body[0]) if self.tree.body else Span.point(1)
        resources = Node("map", entries, whole)
        return Node("map", [(Node("scalar", "resources", whole, raw="resources"), resources)], whole)

    def token(self, call: ast.Call) -> str:
        """``aws:rds:Instance`` for a call of a provider's resource class, else ''."""
        name = self.qualified(call.func)
        parts = name.split(".") if name else []
        if len(parts) < 3 or parts[0] not in PACKAGES:
            return ""
        kind = parts[-1]
        if not kind[:1].isupper() or kind.endswith("Args"):
            return ""
        module = "/".join(part.rstrip("_") for part in parts[1:-1])  # lambda_ is the lambda module
        return f"{PACKAGES[parts[0]]}:{module}:{kind}"

    def _branched(self) -> set[int]:
        """The calls made in one branch of an ``if`` on the stack or the environment
        (``if pulumi.get_stack() == "prod":``, ``x if env == "dev" else y``): which branch a
        production stack takes is not read here, so neither is judged."""
        found: set[int] = set()
        for node in ast.walk(self.tree):
            if isinstance(node, (ast.If, ast.IfExp)) and self._on_environment(node.test, set()):
                branches = [*node.body, *node.orelse] if isinstance(node, ast.If) else [node.body, node.orelse]
                found.update(
                    id(inner) for branch in branches for inner in ast.walk(branch) if isinstance(inner, ast.Call)
                )
        return found

    def _on_environment(self, test: ast.expr, seen: set[str]) -> bool:
        """Whether a condition reads the stack's name, or compares with an environment's name."""
        for inner in ast.walk(test):
            if isinstance(inner, ast.Call) and self.qualified(inner.func) in STACK_NAME:
                return True
            if (
                isinstance(inner, ast.Constant)
                and isinstance(inner.value, str)
                and inner.value.lower() in self.environments
            ):
                return True
            if isinstance(inner, ast.Name) and inner.id in self.constants and inner.id not in seen:
                seen.add(inner.id)
                if self._on_environment(self.constants[inner.id], seen):
                    return True
        return False

    def qualified(self, expr: ast.expr) -> str:
        """The dotted name an expression stands for through the file's imports (the shared
        resolution of ``facts.python_names``), else '' (none, or several)."""
        found = self.names.qualified(expr)
        return next(iter(found)) if len(found) == 1 else ""

    def _variables(self, calls: set[int]) -> dict[int, str]:
        """Resource call -> the variable it is bound to, when that variable is bound once."""
        counts = _bindings(self.tree)
        found: dict[int, str] = {}
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and id(node.value) in calls:
                target = node.targets[0]
                if isinstance(target, ast.Name) and counts.get(target.id) == 1:
                    found[id(node.value)] = target.id
        return found

    def _logical_id(self, call: ast.Call, variable: str | None, taken: set[str]) -> str:
        first = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "resource_name"), None)
        if isinstance(first, ast.JoinedStr) and all(isinstance(part, ast.Constant) for part in first.values):
            first = ast.Constant("".join(str(part.value) for part in first.values))  # type: ignore[attr-defined]
        name = first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else variable
        if name is None and first is not None:  # f"{name}-rds", rds_name: as written
            name = self.source.segment(first)[:60]
        name = name or f"resource-{call.lineno}"
        return name if name not in taken else f"{name}@{call.lineno}"

    def _key(self, name: str, call: ast.Call) -> Node:
        return Node("scalar", name, self._span(call), raw=name)

    def _resource(self, call: ast.Call, token: str) -> Node:
        span = self._span(call)
        entry: list[tuple[Node, Node]] = [(self._word("type", span), Node("scalar", token, span, raw=token))]
        properties: Node | None = None
        options: Node | None = None
        positional = call.args[1:]
        if len(positional) > 2 or any(isinstance(arg, ast.Starred) for arg in call.args):
            properties = self._unknown(call)
        for arg in positional:
            if self._is_options(arg):
                options = self.value(arg)
            elif properties is None:
                properties = self.value(arg)
        keywords: list[tuple[Node, Node]] = []
        for keyword in call.keywords:
            if keyword.arg is None:  # **kwargs: any property, unknown
                properties = self._unknown(keyword.value)
            elif keyword.arg == "opts":
                options = self.value(keyword.value)
            elif keyword.arg == "args":
                properties = self.value(keyword.value)
            elif keyword.arg != "resource_name":
                keywords.append((self._word(self.camel(keyword.arg), self._span(keyword)), self.value(keyword.value)))
        if properties is None:
            properties = Node("map", keywords, span)
        elif properties.is_map and keywords:
            properties = Node("map", properties.value + keywords, properties.span)
        entry.append((self._word("properties", span), properties))
        if options is not None and not (options.is_scalar and options.tag != EXPRESSION and options.value is None):
            entry.append((self._word("options", span), options))
        return Node("map", entry, span)

    def _is_options(self, expr: ast.expr) -> bool:
        return isinstance(expr, ast.Call) and self.qualified(expr.func) in RESOURCE_OPTIONS

    # -- values ---------------------------------------------------------------------

    def value(self, expr: ast.expr, depth: int = 0) -> Node:
        """A Python expression as a tree node: a literal, a mapping, a list, a reference to a
        resource, else an unknown expression."""
        span = self._span(expr)
        if depth > 32:
            return self._unknown(expr)
        if isinstance(expr, ast.Constant) and isinstance(expr.value, (str, int, float, bool, type(None))):
            value = expr.value.replace("${", "$${") if isinstance(expr.value, str) else expr.value
            return Node("scalar", value, span)
        if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.USub) and isinstance(expr.operand, ast.Constant):
            number = expr.operand.value
            if isinstance(number, (int, float)) and not isinstance(number, bool):
                return Node("scalar", -number, span)
        if isinstance(expr, ast.JoinedStr) and all(isinstance(part, ast.Constant) for part in expr.values):
            return Node("scalar", "".join(str(part.value) for part in expr.values).replace("${", "$${"), span)  # type: ignore[attr-defined]
        if isinstance(expr, (ast.List, ast.Tuple)):
            if any(isinstance(item, ast.Starred) for item in expr.elts):
                return self._unknown(expr)
            return Node("seq", [self.value(item, depth + 1) for item in expr.elts], span)
        if isinstance(expr, ast.Dict):
            if not all(isinstance(key, ast.Constant) and isinstance(key.value, str) for key in expr.keys):
                return self._unknown(expr)
            pairs = [
                (self._word(self.camel(key.value), self._span(key)), self.value(item, depth + 1))  # type: ignore[union-attr]
                for key, item in zip(expr.keys, expr.values, strict=True)
            ]
            return Node("map", pairs, span)
        if isinstance(expr, ast.Call):
            return self._call(expr, depth)
        if isinstance(expr, ast.Name):
            return self._name(expr, depth)
        if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name) and expr.value.id in self.resources:
            text = f"${{{self.resources[expr.value.id]}.{self.camel(expr.attr)}}}"  # outputs: camelCase too
            return Node("scalar", text, span, raw=self.source.segment(expr))
        return self._unknown(expr)

    def _call(self, call: ast.Call, depth: int) -> Node:
        """``...Args(...)`` of a provider package and ``pulumi.ResourceOptions(...)`` are
        mappings of their keyword arguments; a config value read without a default is
        ``${key}`` as in YAML (the stack's value, else the project file's default, else
        unknown); any other call is unknown."""
        key = self._config_key(call)
        if key is not None:
            return Node("scalar", f"${{{key}}}", self._span(call), raw=self.source.segment(call))
        name = self.qualified(call.func)
        typed = name.split(".")[0] in PACKAGES and name.endswith("Args")
        if not (typed or name in RESOURCE_OPTIONS) or call.args:
            return self._unknown(call)
        pairs = []
        for keyword in call.keywords:
            if keyword.arg is None:
                return self._unknown(call)
            key = self._word(self.camel(keyword.arg), self._span(keyword))
            pairs.append((key, self.value(keyword.value, depth + 1)))
        return Node("map", pairs, self._span(call))

    def _config_key(self, call: ast.Call) -> str | None:
        """``config.get_bool("protect")`` of a ``config = pulumi.Config()`` (the project's own
        namespace), or ``pulumi.Config().require("size")``: the key, when no default is given."""
        func = call.func
        if not isinstance(func, ast.Attribute) or func.attr not in CONFIG_GETTERS or call.keywords:
            return None
        if len(call.args) != 1 or not isinstance(call.args[0], ast.Constant) or not isinstance(call.args[0].value, str):
            return None
        source = func.value
        if isinstance(source, ast.Name):
            source = self.constants.get(source.id)  # type: ignore[assignment]
        if not isinstance(source, ast.Call) or source.args or source.keywords:
            return None
        key = call.args[0].value
        return key if self.qualified(source.func) in CONFIG and CONFIG_KEY.fullmatch(key) else None

    def _name(self, expr: ast.Name, depth: int) -> Node:
        if expr.id in self.resources:
            return Node("scalar", f"${{{self.resources[expr.id]}}}", self._span(expr), raw=expr.id)
        bound = self.constants.get(expr.id)
        if bound is None:
            return self._unknown(expr)
        found = self.value(bound, depth + 1)
        return Node(found.kind, found.value, self._span(expr), found.raw, found.tag)

    def _unknown(self, expr: ast.AST) -> Node:
        return Node("scalar", None, self._span(expr), raw=self.source.segment(expr), tag=EXPRESSION)

    def _word(self, text: str, span: Span) -> Node:
        return Node("scalar", text, span, raw=text)

    def _span(self, node: ast.AST) -> Span:
        (line, column), (end_line, end_column) = self.source.start(node), self.source.end(node)
        return Span(line, column + 1, end_line, end_column + 1)


def _constants(tree: ast.Module) -> dict[str, ast.expr]:
    """Module-level names bound once, by a plain assignment, with the expression they are bound
    to (read where a name is used: a literal is known there, a call is not)."""
    counts = _bindings(tree)
    found: dict[str, ast.expr] = {}
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target, value = statement.targets[0], statement.value
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None and statement.simple:
            target, value = statement.target, statement.value
        else:
            continue
        if isinstance(target, ast.Name) and counts.get(target.id) == 1:
            found[target.id] = value
    return found


def _bindings(tree: ast.Module) -> dict[str, int]:
    """How many times each name is bound anywhere in the file, other than by an import (an
    assignment, a loop, a parameter, a definition, ``global``, ``as``): a name bound more than
    once, or in a function, has no single value here."""
    counts: dict[str, int] = {}

    def bind(name: str) -> None:
        counts[name] = counts.get(name, 0) + 1

    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            bind(node.id)
        elif isinstance(node, ast.arg):
            bind(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bind(node.name)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            for name in node.names:  # assigned in a function: never one value
                counts[name] = 2
        elif isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and node.name:
            bind(node.name)
    return counts
