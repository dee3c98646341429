"""Qualified names of the expressions of a CPython syntax tree, resolved as libcst's
``QualifiedNameProvider`` resolved them, so that rules written against it read the same.

``import subprocess as sp`` makes ``sp.run`` ``subprocess.run``; ``from shutil import rmtree
as rm`` makes ``rm`` ``shutil.rmtree``; relative imports keep their dots (``.db.flush``).
A name assigned in the module is itself (``exit = …`` then ``exit()``: ``exit``), one
assigned in a function or class is prefixed with it (``main.<locals>.exit``, ``Tool.exit``),
an unassigned builtin is ``builtins.…``. A name called is resolved against the assignments
made before it in its own scope (else against its enclosing ones); a dotted name
(``sp.run``) against every assignment of its first part that its scope sees, wherever made.
Scopes are Python's (functions, lambdas, classes, comprehensions; a class's names are not
seen from its methods; ``global`` and ``nonlocal`` move an assignment), numbered in the order
libcst's ``ScopeProvider`` visits a module."""

from __future__ import annotations

import ast
import builtins
from typing import Any

# What libcst counts as an assignment finished when it leaves it (``_ASSIGNMENT_LIKE_NODES``).
_COUNTED = (
    ast.Assign,
    ast.AugAssign,
    ast.AnnAssign,
    ast.Import,
    ast.ImportFrom,
    ast.Global,
    ast.Nonlocal,
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.NamedExpr,
)


class _Scope:
    __slots__ = ("assignments", "count", "kind", "overwrites", "parent", "prefix")

    def __init__(self, kind: str, parent: _Scope | None, name: str | None = None) -> None:
        self.kind = kind  # builtin, global, function, class or comprehension
        self.parent: _Scope = parent if parent is not None else self
        self.assignments: dict[str, list[_Assignment]] = {}
        self.overwrites: dict[str, _Scope] = {}  # ``global``/``nonlocal`` names -> their scope
        self.count = 0  # assignments finished so far: what orders an access after one
        above = parent.prefix if parent is not None else ""
        parts = {
            "function": [above, name, "<locals>"],
            "class": [above, name],
            "comprehension": [above, "<comprehension>"],
        }
        self.prefix = ".".join(filter(None, parts.get(kind, [])))

    def visible_parent(self, first: _Scope | None = None) -> _Scope:
        parent = first if first is not None else self.parent
        while parent.kind == "class":
            parent = parent.parent
        return parent

    def __contains__(self, name: str) -> bool:
        if self.kind == "builtin":
            return hasattr(builtins, name)
        if name in self.overwrites:
            return name in self.overwrites[name]
        if name in self.assignments:
            return bool(self.assignments[name])
        return name in self.visible_parent()

    def resolve(self, name: str) -> list[_Assignment]:
        """Every assignment ``name`` may stand for, seen from this scope."""
        if self.kind == "builtin":
            return [_Assignment(name, self, -1, None)] if hasattr(builtins, name) else []
        if name in self.overwrites:
            return self.visible_parent(self.overwrites[name]).resolve(name)
        if name in self.assignments:
            return self.assignments[name]
        return self.visible_parent().resolve(name)

    def target(self, name: str) -> _Scope:
        """The scope an assignment to ``name`` made here lands in."""
        if name in self.overwrites:
            return self.visible_parent(self.overwrites[name]).target(name)
        return self

    def assign(self, name: str, statement: ast.Import | ast.ImportFrom | None = None) -> None:
        scope = self.target(name)
        scope.assignments.setdefault(name, []).append(_Assignment(name, scope, scope.count, statement))


class _Assignment:
    __slots__ = ("index", "name", "scope", "statement")

    def __init__(self, name: str, scope: _Scope, index: int, statement: ast.Import | ast.ImportFrom | None) -> None:
        self.name, self.scope, self.index, self.statement = name, scope, index, statement

    def qualified(self, full: str) -> set[str]:
        if self.scope.kind == "builtin":
            return {f"builtins.{self.name}"}
        if self.statement is None:
            return {f"{self.scope.prefix}.{full}" if self.scope.prefix else full}
        return _imported(self.statement, full)


def _imported(statement: ast.Import | ast.ImportFrom, full: str) -> set[str]:
    """What ``full`` names through an import statement (libcst's ``ImportAssignment``)."""
    module = ""
    if isinstance(statement, ast.ImportFrom):
        module = "." * statement.level + (statement.module or "")
    found = set()
    for alias in statement.names:
        parts = alias.name.split(".")
        for real in (".".join(parts[:i]) for i in range(len(parts), 0, -1)):
            local = alias.asname if alias.asname is not None else real
            if module.endswith("."):
                real = module + real
            elif module:
                real = f"{module}.{real}"
            if full.startswith(local):
                rest = full.split(local, 1)[1]
                if rest and not rest.startswith("."):
                    continue
                rest = rest.lstrip(".")
                found.add(f"{real}.{rest}" if rest else real)
                break
    return found


def full_name(node: Any) -> str | None:
    """libcst's ``get_full_name_for_node``: ``a.b.c`` of ``a.b().c`` and of ``a.b[0].c``."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{full_name(node.value)}.{node.attr}"
    if isinstance(node, ast.Call):
        return full_name(node.func)
    if isinstance(node, ast.Subscript):
        return full_name(node.value)
    if isinstance(node, ast.Constant) and (node.value is None or node.value is True or node.value is False):
        return str(node.value)  # libcst's None, True and False are names
    return None


class Names:
    """The qualified names of one module's expressions (``qualified``)."""

    def __init__(self, tree: ast.Module) -> None:
        self._global = _Scope("global", _Scope("builtin", None))
        self._scope_of: dict[int, _Scope] = {}  # id of an expression -> the scope it is in
        self._access: dict[int, int] = {}  # id of a loaded name -> the count of its scope then
        self._keep = tree  # the ids above are of its nodes
        self._scope = self._global
        for statement in tree.body:
            self._visit(statement)

    def qualified(self, node: Any) -> set[str]:
        scope = self._scope_of.get(id(node))
        full = full_name(node)
        if scope is None or full is None:
            return set()
        chain = node
        while isinstance(chain, ast.Attribute):
            chain = chain.value
        if isinstance(chain, ast.Name) and id(chain) in self._access and (chain is node or full in scope):
            return self._referred(full, scope, self._access[id(chain)])
        prefix: str | None = full
        assignments: list[_Assignment] = []
        while prefix:
            if prefix in scope:
                assignments = scope.resolve(prefix)
                break
            prefix = prefix.rpartition(".")[0] or None
        return {name for assignment in assignments for name in assignment.qualified(full)}

    def _referred(self, name: str, scope: _Scope, index: int) -> set[str]:
        """An access's names: the assignments before it in its scope, else those above."""
        assignments = scope.resolve(name)
        earlier = [a for a in assignments if a.scope is not scope or a.index < index]
        if not earlier and assignments and scope.parent is not scope:
            earlier = scope.parent.resolve(name)
        return {found for a in earlier for found in a.qualified(a.name)}

    # -- the walk, in libcst's order -------------------------------------------------

    def _visit(self, node: Any) -> None:
        scope = self._scope
        if isinstance(node, ast.expr):
            self._scope_of[id(node)] = scope
        method = _VISITS.get(type(node))
        if method is not None:
            method(self, node)
        else:
            for child in ast.iter_child_nodes(node):
                self._visit(child)
        if isinstance(node, _COUNTED):
            scope.count += 1

    def _visit_Name(self, node: ast.Name) -> None:  # noqa: N802 - ast's node names
        if isinstance(node.ctx, ast.Store):
            self._scope.assign(node.id)
        else:
            self._access[id(node)] = self._scope.count

    def _visit_Attribute(self, node: ast.Attribute) -> None:  # noqa: N802
        self._visit(node.value)

    def _visit_Import(self, node: ast.Import | ast.ImportFrom) -> None:  # noqa: N802
        for alias in node.names:
            if alias.name == "*":
                return
            if alias.asname is not None:
                self._scope.assign(alias.asname, node)
                continue
            parts = alias.name.split(".")
            for end in range(len(parts), 0, -1):
                self._scope.assign(".".join(parts[:end]), node)

    _visit_ImportFrom = _visit_Import  # noqa: N815

    def _visit_Global(self, node: ast.Global) -> None:  # noqa: N802
        if self._scope is not self._global:
            for name in node.names:
                self._scope.overwrites[name] = self._global

    def _visit_Nonlocal(self, node: ast.Nonlocal) -> None:  # noqa: N802
        for name in node.names:
            self._scope.overwrites[name] = self._scope.parent

    def _visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:  # noqa: N802
        outer = self._scope
        outer.assign(node.name)
        self._scope = _Scope("function", outer, node.name)
        self._parameters(node.args, outer)
        for statement in node.body:
            self._visit(statement)
        self._scope = outer
        for decorator in node.decorator_list:
            self._visit(decorator)
        if node.returns is not None:
            self._visit(node.returns)

    _visit_AsyncFunctionDef = _visit_FunctionDef  # noqa: N815

    def _visit_Lambda(self, node: ast.Lambda) -> None:  # noqa: N802
        outer = self._scope
        self._scope = _Scope("function", outer, None)
        self._parameters(node.args, outer)
        self._visit(node.body)
        self._scope = outer

    def _parameters(self, arguments: ast.arguments, outer: _Scope) -> None:
        """Parameters are the function's names; their defaults and annotations are read outside."""
        inner = self._scope
        every = [*arguments.posonlyargs, *arguments.args, arguments.vararg, *arguments.kwonlyargs, arguments.kwarg]
        for parameter in every:
            if parameter is not None:
                inner.assign(parameter.arg)
        self._scope = outer
        for value in [*arguments.defaults, *arguments.kw_defaults]:
            if value is not None:
                self._visit(value)
        for parameter in every:
            if parameter is not None and parameter.annotation is not None:
                self._visit(parameter.annotation)
        self._scope = inner
        inner.count += 1

    def _visit_ClassDef(self, node: ast.ClassDef) -> None:  # noqa: N802
        outer = self._scope
        outer.assign(node.name)
        for child in [*node.decorator_list, *node.bases, *node.keywords]:
            self._visit(child)
        self._scope = _Scope("class", outer, node.name)
        for statement in node.body:
            self._visit(statement)
        self._scope = outer

    def _comprehension(self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp) -> None:
        first, *inner = node.generators
        self._visit(first.iter)
        outer = self._scope
        self._scope = _Scope("comprehension", outer)
        self._visit(first.target)
        self._scope.count += 1
        for condition in first.ifs:
            self._visit(condition)
        for generator in inner:
            self._visit(generator.target)
            self._visit(generator.iter)
            for condition in generator.ifs:
                self._visit(condition)
        self._scope.count += len(inner)
        for part in [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]:
            self._visit(part)
        self._scope = outer

    _visit_ListComp = _visit_SetComp = _visit_GeneratorExp = _visit_DictComp = _comprehension  # noqa: N815

    def _visit_For(self, node: ast.For | ast.AsyncFor) -> None:  # noqa: N802
        self._visit(node.target)
        self._scope.count += 1
        for child in [node.iter, *node.body, *node.orelse]:
            self._visit(child)

    _visit_AsyncFor = _visit_For  # noqa: N815

    def _visit_withitem(self, node: ast.withitem) -> None:
        self._visit(node.context_expr)
        if node.optional_vars is not None:
            self._visit(node.optional_vars)
            self._scope.count += 1  # its ``as``
        self._scope.count += 1

    def _visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:  # noqa: N802
        if node.type is not None:
            self._visit(node.type)
        if node.name is not None:
            self._scope.assign(node.name)
            self._scope.count += 1
        for statement in node.body:
            self._visit(statement)


_VISITS = {
    getattr(ast, name[len("_visit_") :]): method
    for name, method in vars(Names).items()
    if name.startswith("_visit_") and hasattr(ast, name[len("_visit_") :])
}
