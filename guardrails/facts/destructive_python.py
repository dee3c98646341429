"""Destructive calls in Python scripts, read from CPython's syntax tree, and their guards.

Functions are matched by qualified name (``guardrails.facts.python_names``, as libcst's
QualifiedNameProvider resolved them), so ``from shutil import rmtree as rm; rm(...)`` is still
``shutil.rmtree``. Methods on
objects (``engine.execute``, ``client.drop_database``) cannot be resolved that way;
they are matched by name when the module imports the library they belong to.

Guards (docs/guards.md): an enclosing ``if`` that is false in production (a
comparison of ``os.environ[...]``/``os.getenv(...)``/``settings.ENVIRONMENT`` or an
environment-named variable with a non-production value, or ``settings.DEBUG``), an
earlier ``if <production>: raise/sys.exit()/return`` or ``assert <not production>``
in the same block or an enclosing one, a confirmation: ``input()``,
``click.confirm()``/``typer.confirm()`` whose answer is tested, ``confirm(…, abort=True)``
or a ``@click.confirmation_option`` decorator (or the ``--yes`` idiom it stands for), and an
opt-in flag: a condition over the call (or an earlier stop) that is false when no
command-line flag is given, read from the flags' declared defaults (argparse
``store_true``/``store_false``/``BooleanOptionalAction``, click ``is_flag`` and
``--x/--no-x`` options, ``typer.Option(False)``). A flag named after an environment
(``--production``) picks a target; it is no opt-in.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from guardrails.documents import PythonDocument
from guardrails.facts.python_names import Names
from guardrails.facts.shell_guards import GuardSettings
from guardrails.model import Span
from guardrails.parsers.python_source import HOLE, Source, literal_text
from guardrails.records import Record

if TYPE_CHECKING:
    from guardrails.project import Project

_ENV_READERS = {"os.environ.get", "os.getenv", "os.environ.__getitem__"}
_CONFIRMERS = {"input", "builtins.input", "click.confirm", "typer.confirm", "rich.prompt.Confirm.ask"}
_EXITS = {"sys.exit", "exit", "quit", "builtins.exit", "os._exit"}
TEST_FILE_NAMES = ("conftest.py",)
# Statements that share a line with ``;`` (libcst's SimpleStatementLine); the others are compound.
_SIMPLE = (
    ast.Expr,
    ast.Assign,
    ast.AugAssign,
    ast.AnnAssign,
    ast.Return,
    ast.Raise,
    ast.Assert,
    ast.Pass,
    ast.Break,
    ast.Continue,
    ast.Delete,
    ast.Import,
    ast.ImportFrom,
    ast.Global,
    ast.Nonlocal,
)
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


def is_test_file(path: str) -> bool:
    """A pytest/unittest file: its databases are the suite's own."""
    name = PurePosixPath(path).name
    return name in TEST_FILE_NAMES or name.startswith("test_") or name.endswith("_test.py")


class Arg(Record):
    """One argument of a call as written: ``keyword`` is None for a positional one (and for
    ``*x``/``**x``, whose ``value`` is ``x``)."""

    __slots__ = ("keyword", "value")

    def __init__(self, keyword: str | None, value: Any) -> None:
        self.keyword = keyword
        self.value = value


def arguments(call: ast.Call) -> list[Arg]:
    """A call's arguments in source order, keyword or not."""
    written = [(a, Arg(None, a.value if isinstance(a, ast.Starred) else a)) for a in call.args]
    written += [(k, Arg(k.arg, k.value)) for k in call.keywords]
    if call.keywords and call.args:
        written.sort(key=lambda pair: (pair[0].lineno, pair[0].col_offset))
    return [arg for _, arg in written]


class PyCall(Record):
    __slots__ = ("args", "names", "node", "span")

    def __init__(self, node: ast.Call, names: set[str], span: Span) -> None:
        self.node = node
        self.names = names
        self.span = span
        self.args = arguments(node)


class PythonScan:
    """One module's calls with qualified names, and the guard analysis over its tree."""

    def __init__(self, doc: PythonDocument, settings: GuardSettings) -> None:
        self.settings = settings
        self.tree: ast.Module = doc.tree
        self.source = Source(doc.text)
        self.names = Names(self.tree)
        self.imports = _imported_modules(self.tree)
        self.constants = _string_constants(self.tree, self.source)
        self._parents: dict[int, tuple[Any, str]] | None = None
        self._calls: list[PyCall] | None = None
        self._argparse: dict[str, bool] | None = None
        self._aliases: dict[str, bool] | None = None
        self._answered: set[str] | None = None

    @classmethod
    def of(cls, doc: PythonDocument, settings: GuardSettings, project: Project) -> PythonScan:
        """The scan of ``doc``, made once for every Python rule that checks it: resolving
        names costs more than any rule (8 rules made it 8 times)."""
        key = ("python-scan", doc.path, settings)
        cached = project.cache.get(key)
        if cached is None or cached[0] is not doc:
            cached = project.cache[key] = (doc, cls(doc, settings))
        scan: PythonScan = cached[1]
        return scan

    # -- calls ---------------------------------------------------------------------

    def calls(self) -> Iterator[PyCall]:
        if self._calls is None:
            self._calls = [
                PyCall(node, self.qualified(node.func), self.span(node)) for node in _in_order(self.tree, ast.Call)
            ]
        yield from self._calls

    def qualified(self, node: Any) -> set[str]:
        return self.names.qualified(node)

    def span(self, node: Any) -> Span:
        (line, column), (end_line, end_column) = self.source.start(node), self.source.end(node)
        return Span(line, column + 1, end_line, end_column + 1)

    def imports_any(self, *modules: str) -> bool:
        return any(m == x or m.startswith(x + ".") for m in self.imports for x in modules)

    def method(self, call: PyCall) -> str:
        func = call.node.func
        return func.attr if isinstance(func, ast.Attribute) else ""

    def code(self, node: Any) -> str:
        """A node's code on one line, shortened: what a message quotes."""
        text = " ".join(self.source.code(node).split())
        return text if len(text) <= 70 else text[:67] + "..."

    # -- values --------------------------------------------------------------------

    def string_value(self, node: Any) -> str | None:
        """A string argument as text: literals, concatenations, f-strings (holes become ``__v__``),
        ``text("…")``/``sql.SQL("…")`` wrappers and module-level string constants."""
        if isinstance(node, ast.Constant):
            return node.value if isinstance(node.value, str) else None
        if isinstance(node, ast.JoinedStr):
            literals = self.source.strings(node)
            return literal_text(literals, HOLE) if literals is not None else None
        if isinstance(node, ast.Call):
            args = arguments(node)
            if args:
                names = self.qualified(node.func)
                func = node.func
                simple = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
                if simple in ("text", "SQL") or any(n.endswith((".text", ".SQL")) for n in names):
                    return self.string_value(args[0].value)
        if isinstance(node, ast.Name) and node.id in self.constants:
            return self.constants[node.id]
        return None

    def is_fstring(self, node: Any) -> bool:
        """One f-string literal (not an implicit concatenation holding one)."""
        if not isinstance(node, ast.JoinedStr):
            return False
        literals = self.source.strings(node)
        return literals is not None and len(literals) == 1

    def keyword(self, call: PyCall | ast.Call, name: str) -> Any:
        """A keyword argument's value node."""
        node = call.node if isinstance(call, PyCall) else call
        return next((k.value for k in node.keywords if k.arg == name), None)

    def is_true(self, node: Any) -> bool:
        return isinstance(node, ast.Constant) and node.value is True

    def is_false(self, node: Any) -> bool:
        return isinstance(node, ast.Constant) and node.value is False

    def env_name(self, node: Any) -> str | None:
        """``os.environ["X"]``, ``os.environ.get("X")``, ``os.getenv("X")`` -> ``X``."""
        if isinstance(node, ast.Subscript) and self.qualified(node.value) & {"os.environ"}:
            element = node.slice
            if isinstance(element, ast.Tuple) and element.elts and not _parenthesized(element):
                element = element.elts[0]  # ``[a, b]``: libcst's first subscript element
            if isinstance(element, ast.Slice):
                return None
            return self.string_value(element.value if isinstance(element, ast.Starred) else element)
        if isinstance(node, ast.Call) and self.qualified(node.func) & _ENV_READERS:
            args = arguments(node)
            return self.string_value(args[0].value) if args else None
        return None

    # -- guards --------------------------------------------------------------------

    def _env_subject(self, node: Any) -> bool:
        name = self.env_name(node)
        if name is not None:
            return self.settings.is_env_variable(name)
        if isinstance(node, ast.Attribute):
            return self.settings.is_env_variable(node.attr)
        if isinstance(node, ast.Name):
            return self.settings.is_env_variable(node.id)
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("lower", "strip", "casefold")
        ):
            return self._env_subject(node.func.value)
        return False

    def _strings(self, node: Any) -> list[str] | None:
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            values = [self.string_value(e.value if isinstance(e, ast.Starred) else e) for e in node.elts]
            return None if any(v is None for v in values) else [v for v in values if v is not None]
        value = self.string_value(node)
        return [value] if value is not None else None

    def in_production(self, node: Any) -> bool | None:
        """Whether a condition is true when the environment is production (None: cannot tell)."""
        prod = self.settings.production_names
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            inner = self.in_production(node.operand)
            return None if inner is None else not inner
        if isinstance(node, ast.BoolOp):
            return _kleene(node.op, [self.in_production(value) for value in node.values])
        if isinstance(node, ast.Attribute) and node.attr == "DEBUG":
            return False
        if isinstance(node, ast.Compare) and len(node.ops) == 1:
            left, right = node.left, node.comparators[0]
            if not self._env_subject(left):
                left, right = right, left
                if not self._env_subject(left):
                    return None
            values = self._strings(right)
            if not values or any(v == "" for v in values):
                return None
            hit = any(v.lower() in prod for v in values)
            op = node.ops[0]
            if isinstance(op, (ast.Eq, ast.In, ast.Is)):
                return hit
            if isinstance(op, (ast.NotEq, ast.NotIn, ast.IsNot)):
                return not hit
        return None

    def _mentions_confirmation(self, node: Any, answers: set[str]) -> bool:
        """A confirmer called, or a name holding an answer, anywhere in ``node`` (every
        identifier libcst saw as a name: attributes, keywords and parameters too)."""
        for inner in ast.walk(node):
            if isinstance(inner, ast.Call) and self.qualified(inner.func) & _CONFIRMERS:
                return True
            name = _identifier(inner)
            if name is not None and name in answers:
                return True
        return False

    def _answers(self) -> set[str]:
        """Names assigned from ``input()``/``click.confirm()`` (read once per module: every
        guarded call asks)."""
        if self._answered is not None:
            return self._answered
        answers: set[str] = set()
        for node in _in_order(self.tree, ast.Assign):
            value = node.value
            while isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute):
                value = value.func.value
            if isinstance(value, ast.Call) and self.qualified(value.func) & _CONFIRMERS:
                answers.update(target.id for target in node.targets if isinstance(target, ast.Name))
        self._answered = answers
        return answers

    def _parent(self, node: Any) -> tuple[Any, str] | None:
        """The node holding ``node`` and the field it is in."""
        if self._parents is None:
            self._parents = {}
            for parent in ast.walk(self.tree):
                for field, value in ast.iter_fields(parent):
                    for child in value if isinstance(value, list) else [value]:
                        if isinstance(child, ast.AST):
                            self._parents[id(child)] = (parent, field)
        return self._parents.get(id(node))

    def _ancestors(self, node: Any) -> Iterator[tuple[Any, Any, str]]:
        """(child, parent, field) from ``node`` up to the module."""
        child, above = node, self._parent(node)
        while above is not None:
            yield child, above[0], above[1]
            child, above = above[0], self._parent(above[0])

    def guard_reason(self, node: Any) -> str | None:
        answers = self._answers()
        flags = self._flags_around(node)
        for child, parent, field in self._ancestors(node):
            if isinstance(child, ast.stmt) and (isinstance(parent, ast.Module) or self._block(getattr(parent, field))):
                reason = self._earlier_stop(getattr(parent, field), child, answers, flags)
                if reason is not None:
                    return reason
            if isinstance(parent, (ast.If, ast.While)) and field != "test":
                in_body = field == "body"
                value = self.in_production(parent.test)
                if (in_body and value is False) or (not in_body and value is True):
                    return f"`{self.code(parent.test)}` keeps it from running in production"
                if self._mentions_confirmation(parent.test, answers):
                    return f"it runs only after a confirmation (`{self.code(parent.test)}`)"
                default = self.by_default(parent.test, flags)
                if (in_body and default is False) or (not in_body and default is True):
                    return f"it runs only when an opt-in flag is given (`{self.code(parent.test)}` is off by default)"
            if isinstance(parent, _FUNCTIONS):
                for decorator in parent.decorator_list:
                    if self._confirms(decorator):
                        return "the command asks for confirmation (a click confirmation option)"
        return None

    def _block(self, statements: list[Any]) -> bool:
        """Whether a compound statement's statements are an indented block (libcst's
        IndentedBlock), not statements on its own line (``if x: a; b``)."""
        first = statements[0]
        if first.lineno > len(self.source.lines):
            return True
        return not self.source.lines[first.lineno - 1].encode()[: first.col_offset].strip()

    def _earlier_stop(self, block: list[Any], child: Any, answers: set[str], flags: dict[str, bool]) -> str | None:
        for line in _lines(block):
            if child in line:
                return None
            statement = line[0]
            if isinstance(statement, ast.If) and self._stops(statement.body):
                value = self.in_production(statement.test)
                if value is True:
                    return f"an earlier `if {self.code(statement.test)}` stops in production"
                if self._mentions_confirmation(statement.test, answers):
                    return f"an earlier confirmation (`{self.code(statement.test)}`) stops the script"
                if self.by_default(statement.test, flags) is True:
                    return f"an earlier `if {self.code(statement.test)}` stops it unless an opt-in flag is given"
            for small in line if isinstance(statement, _SIMPLE) else []:
                if isinstance(small, ast.Assert) and self.in_production(small.test) is False:
                    return f"`assert {self.code(small.test)}` stops it in production"
                if isinstance(small, ast.Expr) and isinstance(small.value, ast.Call):
                    call = small.value
                    abort = self.keyword(call, "abort")
                    if self.qualified(call.func) & _CONFIRMERS and abort is not None and self.is_true(abort):
                        return "an earlier confirmation with abort=True stops the script"
        return None

    # -- opt-in flags ----------------------------------------------------------------

    def by_default(self, node: Any, flags: dict[str, bool]) -> bool | None:
        """A condition's value when no command-line flag is given (None: it depends on more)."""
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            inner = self.by_default(node.operand, flags)
            return None if inner is None else not inner
        if isinstance(node, ast.BoolOp):
            return _kleene(node.op, [self.by_default(value, flags) for value in node.values])
        if isinstance(node, ast.Name):
            return flags.get(node.id)
        if isinstance(node, ast.Constant) and (node.value is True or node.value is False or node.value is None):
            return flags.get(str(node.value))  # libcst's True, False and None are names
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            return self._argparse_flags().get(node.attr)
        return None

    def _flags_around(self, node: Any) -> dict[str, bool]:
        """Flag defaults by the name code uses for them around ``node``: the parameters that
        click/typer fill in the enclosing functions, and module variables set from ``args.x``."""
        flags = dict(self._argparse_aliases())
        for _, parent, _ in self._ancestors(node):
            if isinstance(parent, _FUNCTIONS):
                for decorator in parent.decorator_list:
                    flags.update(self._click_flag(decorator))
                positional = [*parent.args.posonlyargs, *parent.args.args]
                defaults = dict(
                    zip(positional[len(positional) - len(parent.args.defaults) :], parent.args.defaults, strict=True)
                )
                for param in parent.args.args:
                    default = self._typer_default(defaults[param]) if param in defaults else None
                    if default is not None and self._opt_in_name(param.arg):
                        flags[param.arg] = default
        return flags

    def _opt_in_name(self, name: str) -> bool:
        """A flag named after an environment (``--production``) selects a target; it is no consent."""
        return not self.settings.is_env_variable(name) and name.lower() not in self.settings.production_names

    def _argparse_flags(self) -> dict[str, bool]:
        """``parser.add_argument("--force", action="store_true")`` -> {"force": False}."""
        if self._argparse is not None:
            return self._argparse
        found: dict[str, bool] = {}
        if self.imports_any("argparse"):
            for call in self.calls():
                if self.method(call) != "add_argument":
                    continue
                options = [v for v in (self.string_value(a.value) for a in call.args if a.keyword is None) if v]
                dest = self.string_value(self.keyword(call, "dest")) if self.keyword(call, "dest") else None
                dest = dest or _dest(options)
                default = self._argparse_default(call)
                if dest and default is not None and self._opt_in_name(dest):
                    found[dest] = default
        self._argparse = found
        return found

    def _argparse_default(self, call: PyCall) -> bool | None:
        """The value of a boolean option when it is not given; None for other options."""
        action, default = self.keyword(call, "action"), self.keyword(call, "default")
        if default is not None and not (self.is_true(default) or self.is_false(default)):
            return None
        given = None if default is None else self.is_true(default)
        if action is None:
            return given
        if self.string_value(action) == "store_true" or self.qualified(action) & {"argparse.BooleanOptionalAction"}:
            return False if given is None else given
        if self.string_value(action) == "store_false":
            return True if given is None else given
        return None

    def _argparse_aliases(self) -> dict[str, bool]:
        """Module-level and function-level ``force = args.force``: the name keeps the flag's default."""
        if self._aliases is not None:
            return self._aliases
        aliases: dict[str, bool] = {}
        self._aliases = aliases
        if not self._argparse_flags():
            return aliases
        for node in _in_order(self.tree, ast.Assign):
            if len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                default = self.by_default(node.value, {}) if isinstance(node.value, ast.Attribute) else None
                if default is not None:
                    aliases[node.targets[0].id] = default
        return aliases

    def _click_flag(self, decorator: Any) -> dict[str, bool]:
        """``@click.option("--yes", is_flag=True)`` -> {"yes": False}; ``"--dry-run/--no-dry-run"`` too."""
        if not isinstance(decorator, ast.Call) or not self.qualified(decorator.func) & {"click.option"}:
            return {}
        call = decorator
        texts = [v for v in (self.string_value(a.value) for a in arguments(call) if a.keyword is None) if v]
        switch = any("/" in t for t in texts)
        is_flag = self.keyword(call, "is_flag")
        if not switch and not (is_flag is not None and self.is_true(is_flag)):
            return {}
        default = self.keyword(call, "default")
        if default is not None and not (self.is_true(default) or self.is_false(default)):
            return {}
        plain = [t for t in texts if not t.startswith("-")]
        name = plain[0] if plain else _dest([t.split("/")[0] for t in texts])
        if not name or not self._opt_in_name(name):
            return {}
        return {name: default is not None and self.is_true(default)}

    def _typer_default(self, node: Any) -> bool | None:
        """``force: bool = typer.Option(False, "--force")``: the flag's default."""
        if isinstance(node, ast.Call) and self.qualified(node.func) & {"typer.Option"}:
            args = arguments(node)
            if args and (args[0].keyword is None or args[0].keyword == "default"):
                if self.is_true(args[0].value):
                    return True
                if self.is_false(args[0].value):
                    return False
        return None

    def _confirms(self, decorator: Any) -> bool:
        """``@click.confirmation_option``, or the click idiom it stands for: a ``--yes`` flag with a
        prompt and a callback that aborts, its value not passed to the function."""
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if self.qualified(target) & {"click.confirmation_option"}:
            return True
        if not isinstance(decorator, ast.Call) or not self.qualified(target) & {"click.option"}:
            return False
        call = decorator
        hidden = self.keyword(call, "expose_value")
        return (
            self.keyword(call, "prompt") is not None
            and self.keyword(call, "callback") is not None
            and hidden is not None
            and self.is_false(hidden)
        )

    def _stops(self, body: list[Any]) -> bool:
        if not self._block(body):
            return False
        for small in body:
            if isinstance(small, (ast.Raise, ast.Return)):
                return True
            if (
                isinstance(small, ast.Expr)
                and isinstance(small.value, ast.Call)
                and self.qualified(small.value.func) & _EXITS
            ):
                return True
        return False


def _kleene(op: ast.boolop, values: list[bool | None]) -> bool | None:
    """``and``/``or`` over true, false and unknown (None)."""
    if isinstance(op, ast.And):
        return False if False in values else (True if all(v is True for v in values) else None)
    return True if True in values else (False if all(v is False for v in values) else None)


def _identifier(node: Any) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, (ast.keyword, ast.arg)):
        return node.arg
    return None


def _parenthesized(node: ast.Tuple) -> bool:
    first = node.elts[0]
    return (node.lineno, node.col_offset) != (first.lineno, first.col_offset)


def _lines(block: list[Any]) -> Iterator[list[Any]]:
    """Statements as lines: simple statements joined by ``;`` share one."""
    line: list[Any] = []
    for statement in block:
        if line and isinstance(statement, _SIMPLE) and statement.lineno == line[-1].end_lineno:
            line.append(statement)
            continue
        if line:
            yield line
        line = [statement]
        if not isinstance(statement, _SIMPLE):
            yield line
            line = []
    if line:
        yield line


def _in_order(tree: ast.AST, kind: type[Any]) -> list[Any]:
    """The nodes of one kind in source order, outer before inner (the order libcst visits)."""
    found = [node for node in ast.walk(tree) if isinstance(node, kind)]
    found.sort(key=lambda n: (n.lineno, n.col_offset, -n.end_lineno, -n.end_col_offset))
    return found


def _dest(options: list[str]) -> str:
    """argparse's and click's destination: the first long option, else the first short one."""
    longs = [o for o in options if o.startswith("--")]
    chosen = longs[0] if longs else next((o for o in options if o.startswith("-")), "")
    return chosen.lstrip("-").replace("-", "_")


def _imported_modules(tree: ast.Module) -> set[str]:
    """Every module an ``import`` or ``from … import`` names, wherever it stands."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module is not None:
            found.add(node.module)
    return found


def _string_constants(tree: ast.Module, source: Source) -> dict[str, str]:
    """Module-level ``NAME = "literal"`` assignments (one literal: no implicit concatenation)."""
    constants: dict[str, str] = {}
    for small in tree.body:
        if (
            isinstance(small, ast.Assign)
            and len(small.targets) == 1
            and isinstance(small.targets[0], ast.Name)
            and isinstance(small.value, ast.Constant)
            and isinstance(small.value.value, str)
            and len(source.strings(small.value) or ()) == 1
        ):
            constants[small.targets[0].id] = small.value.value
    return constants


_SUBPROCESS = {
    "subprocess.run",
    "subprocess.call",
    "subprocess.check_call",
    "subprocess.check_output",
    "subprocess.Popen",
    "subprocess.getoutput",
    "subprocess.getstatusoutput",
}
_OS_SHELL = {"os.system", "os.popen"}
SHELL_CALLS = frozenset(_SUBPROCESS | _OS_SHELL)
# A qualified name resolves only from an import and attribute chain that spell each of its
# parts, so a file calling one of the above names one of these words.
SHELL_CALL_TRIGGERS = frozenset({"subprocess", "system", "popen"})


def shell_of_call(scan: PythonScan, call: PyCall, path: str) -> Any:
    """The shell command a ``subprocess``/``os.system`` call runs, as a ShellDocument (or None).

    A list argv becomes one command whose words sit at the call; a string is parsed
    with the shell parser (it goes through ``/bin/sh`` with ``shell=True``).
    """
    from guardrails.documents import ShellCommand, ShellDocument, Word
    from guardrails.model import Kind, ParseError
    from guardrails.parsers import parse

    names = call.names
    if not (names & SHELL_CALLS) or not call.args:
        return None
    first = call.args[0].value
    if isinstance(first, (ast.List, ast.Tuple)):
        words = []
        for element in first.elts:
            element = element.value if isinstance(element, ast.Starred) else element
            value = scan.string_value(element)
            static = value is not None and not scan.is_fstring(element)
            text = value if value is not None else "${__v__}"
            words.append(Word(text, text, static, call.span, [] if static else [text]))
        if not words:
            return None
        cmd = ShellCommand(name=words[0], args=words[1:], span=call.span, text=scan.code(call.node))
        return ShellDocument(path=path, kind=Kind.SHELL, text="", commands=[cmd])
    text = scan.string_value(first)
    if text is None:
        return None
    try:
        doc = parse(path, text, Kind.SHELL)
    except ParseError:
        return None
    return doc if isinstance(doc, ShellDocument) else None
