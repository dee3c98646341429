"""Destructive calls in Python scripts, read with libcst (imported lazily), and their guards.

Functions are matched by qualified name through libcst's QualifiedNameProvider, so
``from shutil import rmtree as rm; rm(...)`` is still ``shutil.rmtree``. Methods on
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

from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from guardrails.documents import PythonDocument
from guardrails.facts.shell_guards import GuardSettings
from guardrails.model import Span
from guardrails.records import Record

if TYPE_CHECKING:
    from guardrails.project import Project

_ENV_READERS = {"os.environ.get", "os.getenv", "os.environ.__getitem__"}
_CONFIRMERS = {"input", "builtins.input", "click.confirm", "typer.confirm", "rich.prompt.Confirm.ask"}
_EXITS = {"sys.exit", "exit", "quit", "builtins.exit", "os._exit"}
TEST_FILE_NAMES = ("conftest.py",)


def is_test_file(path: str) -> bool:
    """A pytest/unittest file: its databases are the suite's own."""
    name = PurePosixPath(path).name
    return name in TEST_FILE_NAMES or name.startswith("test_") or name.endswith("_test.py")


class PyCall(Record):
    __slots__ = ("names", "node", "span")

    def __init__(self, node: Any, names: set[str], span: Span) -> None:
        self.node = node
        self.names = names
        self.span = span


class PythonScan:
    """One module's calls with qualified names, and the guard analysis over its tree."""

    def __init__(self, doc: PythonDocument, settings: GuardSettings) -> None:
        import libcst as cst
        from libcst.metadata import MetadataWrapper, ParentNodeProvider, PositionProvider, QualifiedNameProvider

        self.cst = cst
        self.settings = settings
        from guardrails.parsers.python import module_of

        wrapper = MetadataWrapper(module_of(doc), unsafe_skip_copy=True)
        self.names = wrapper.resolve(QualifiedNameProvider)
        self.parents = wrapper.resolve(ParentNodeProvider)
        self.positions = wrapper.resolve(PositionProvider)
        self.module = wrapper.module
        self.imports = _imported_modules(self.module, cst)
        self.constants = _string_constants(self.module, cst)
        self._calls: list[PyCall] | None = None
        self._argparse: dict[str, bool] | None = None
        self._aliases: dict[str, bool] | None = None
        self._answered: set[str] | None = None

    @classmethod
    def of(cls, doc: PythonDocument, settings: GuardSettings, project: Project) -> PythonScan:
        """The scan of ``doc``, made once for every Python rule that checks it: resolving
        libcst's metadata costs far more than any rule (8 rules made it 8 times)."""
        key = ("python-scan", doc.path, settings)
        cached = project.cache.get(key)
        if cached is None or cached[0] is not doc:
            cached = project.cache[key] = (doc, cls(doc, settings))
        scan: PythonScan = cached[1]
        return scan

    # -- calls ---------------------------------------------------------------------

    def calls(self) -> Iterator[PyCall]:
        if self._calls is None:
            self._calls = self._find_calls()
        yield from self._calls

    def _find_calls(self) -> list[PyCall]:
        cst = self.cst
        scan = self

        class Visitor(cst.CSTVisitor):
            def __init__(self) -> None:
                self.found: list[PyCall] = []

            def visit_Call(self, node: Any) -> None:  # noqa: N802 - libcst's visitor naming
                self.found.append(PyCall(node, scan.qualified(node.func), scan.span(node)))

        visitor = Visitor()
        self.module.visit(visitor)
        return visitor.found

    def qualified(self, node: Any) -> set[str]:
        value = self.names.get(node, ())
        if callable(value):  # libcst loads qualified names lazily (LazyValue)
            value = value()
        return {q.name for q in value}

    def span(self, node: Any) -> Span:
        pos = self.positions[node]
        return Span(pos.start.line, pos.start.column + 1, pos.end.line, pos.end.column + 1)

    def imports_any(self, *modules: str) -> bool:
        return any(m == x or m.startswith(x + ".") for m in self.imports for x in modules)

    def method(self, call: PyCall) -> str:
        func = call.node.func
        return func.attr.value if isinstance(func, self.cst.Attribute) else ""

    # -- values --------------------------------------------------------------------

    def string_value(self, node: Any) -> str | None:
        """A string argument as text: literals, concatenations, f-strings (holes become ``__v__``),
        ``text("…")``/``sql.SQL("…")`` wrappers and module-level string constants."""
        cst = self.cst
        if isinstance(node, cst.SimpleString):
            value = node.evaluated_value
            return value if isinstance(value, str) else None
        if isinstance(node, cst.ConcatenatedString):
            left, right = self.string_value(node.left), self.string_value(node.right)
            return left + right if left is not None and right is not None else None
        if isinstance(node, cst.FormattedString):
            parts = []
            for part in node.parts:
                parts.append(part.value if isinstance(part, cst.FormattedStringText) else "__v__")
            return "".join(parts)
        if isinstance(node, cst.Call) and node.args:
            names = self.qualified(node.func)
            simple = node.func.attr.value if isinstance(node.func, cst.Attribute) else getattr(node.func, "value", "")
            if simple in ("text", "SQL") or any(n.endswith((".text", ".SQL")) for n in names):
                return self.string_value(node.args[0].value)
        if isinstance(node, cst.Name) and node.value in self.constants:
            return self.constants[node.value]
        return None

    def keyword(self, call: PyCall | Any, name: str) -> Any:
        """A keyword argument's value node, of a PyCall or of a libcst Call."""
        node = call.node if isinstance(call, PyCall) else call
        for arg in node.args:
            if arg.keyword is not None and arg.keyword.value == name:
                return arg.value
        return None

    def is_true(self, node: Any) -> bool:
        return isinstance(node, self.cst.Name) and node.value == "True"

    def is_false(self, node: Any) -> bool:
        return isinstance(node, self.cst.Name) and node.value == "False"

    def env_name(self, node: Any) -> str | None:
        """``os.environ["X"]``, ``os.environ.get("X")``, ``os.getenv("X")`` -> ``X``."""
        cst = self.cst
        if isinstance(node, cst.Subscript) and self.qualified(node.value) & {"os.environ"}:
            element = node.slice[0].slice if node.slice else None
            if isinstance(element, cst.Index):
                return self.string_value(element.value)
        if isinstance(node, cst.Call) and self.qualified(node.func) & _ENV_READERS and node.args:
            return self.string_value(node.args[0].value)
        return None

    # -- guards --------------------------------------------------------------------

    def _env_subject(self, node: Any) -> bool:
        cst = self.cst
        name = self.env_name(node)
        if name is not None:
            return self.settings.is_env_variable(name)
        if isinstance(node, cst.Attribute):
            return self.settings.is_env_variable(node.attr.value)
        if isinstance(node, cst.Name):
            return self.settings.is_env_variable(node.value)
        if (
            isinstance(node, cst.Call)
            and isinstance(node.func, cst.Attribute)
            and node.func.attr.value
            in (
                "lower",
                "strip",
                "casefold",
            )
        ):
            return self._env_subject(node.func.value)
        return False

    def _strings(self, node: Any) -> list[str] | None:
        cst = self.cst
        if isinstance(node, (cst.Tuple, cst.List, cst.Set)):
            values = [self.string_value(e.value) for e in node.elements]
            return None if any(v is None for v in values) else [v for v in values if v is not None]
        value = self.string_value(node)
        return [value] if value is not None else None

    def in_production(self, node: Any) -> bool | None:
        """Whether a condition is true when the environment is production (None: cannot tell)."""
        cst = self.cst
        prod = self.settings.production_names
        if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Not):
            inner = self.in_production(node.expression)
            return None if inner is None else not inner
        if isinstance(node, cst.BooleanOperation):
            left, right = self.in_production(node.left), self.in_production(node.right)
            if isinstance(node.operator, cst.And):
                return False if False in (left, right) else (True if left is right is True else None)
            return True if True in (left, right) else (False if left is right is False else None)
        if isinstance(node, cst.Attribute) and node.attr.value == "DEBUG":
            return False
        if isinstance(node, cst.Comparison) and len(node.comparisons) == 1:
            target = node.comparisons[0]
            left, right = node.left, target.comparator
            if not self._env_subject(left):
                left, right = right, left
                if not self._env_subject(left):
                    return None
            values = self._strings(right)
            if not values or any(v == "" for v in values):
                return None
            hit = any(v.lower() in prod for v in values)
            op = target.operator
            if isinstance(op, (cst.Equal, cst.In, cst.Is)):
                return hit
            if isinstance(op, (cst.NotEqual, cst.NotIn, cst.IsNot)):
                return not hit
        return None

    def _mentions_confirmation(self, node: Any, answers: set[str]) -> bool:
        cst = self.cst
        found = False
        scan = self

        class Finder(cst.CSTVisitor):
            def visit_Call(self, call: Any) -> None:  # noqa: N802
                nonlocal found
                if scan.qualified(call.func) & _CONFIRMERS:
                    found = True

            def visit_Name(self, name: Any) -> None:  # noqa: N802
                nonlocal found
                if name.value in answers:
                    found = True

        node.visit(Finder())
        return found

    def _answers(self) -> set[str]:
        """Names assigned from ``input()``/``click.confirm()`` (read once per module: every
        guarded call asks)."""
        if self._answered is not None:
            return self._answered
        cst = self.cst
        answers: set[str] = set()
        scan = self

        class Finder(cst.CSTVisitor):
            def visit_Assign(self, node: Any) -> None:  # noqa: N802
                value = node.value
                while isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute):
                    value = value.func.value
                if isinstance(value, cst.Call) and scan.qualified(value.func) & _CONFIRMERS:
                    for target in node.targets:
                        if isinstance(target.target, cst.Name):
                            answers.add(target.target.value)

        self.module.visit(Finder())
        self._answered = answers
        return answers

    def guard_reason(self, node: Any) -> str | None:
        cst = self.cst
        answers = self._answers()
        flags = self._flags_around(node)
        child = node
        parent = self.parents.get(node)
        while parent is not None:
            if isinstance(parent, (cst.If, cst.While)) and child is not parent.test:
                in_body = child is parent.body
                value = self.in_production(parent.test)
                if (in_body and value is False) or (not in_body and value is True):
                    return f"`{self._code(parent.test)}` keeps it from running in production"
                if self._mentions_confirmation(parent.test, answers):
                    return f"it runs only after a confirmation (`{self._code(parent.test)}`)"
                default = self.by_default(parent.test, flags)
                if (in_body and default is False) or (not in_body and default is True):
                    return f"it runs only when an opt-in flag is given (`{self._code(parent.test)}` is off by default)"
            if isinstance(parent, (cst.FunctionDef,)):
                for decorator in parent.decorators:
                    if self._confirms(decorator.decorator):
                        return "the command asks for confirmation (a click confirmation option)"
            if isinstance(parent, (cst.IndentedBlock, cst.Module)):
                reason = self._earlier_stop(parent, child, answers, flags)
                if reason is not None:
                    return reason
            child, parent = parent, self.parents.get(parent)
        return None

    def _earlier_stop(self, block: Any, child: Any, answers: set[str], flags: dict[str, bool]) -> str | None:
        cst = self.cst
        for statement in block.body:
            if statement is child:
                return None
            if isinstance(statement, cst.If) and self._stops(statement.body):
                value = self.in_production(statement.test)
                if value is True:
                    return f"an earlier `if {self._code(statement.test)}` stops in production"
                if self._mentions_confirmation(statement.test, answers):
                    return f"an earlier confirmation (`{self._code(statement.test)}`) stops the script"
                if self.by_default(statement.test, flags) is True:
                    return f"an earlier `if {self._code(statement.test)}` stops it unless an opt-in flag is given"
            if isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    if isinstance(small, cst.Assert) and self.in_production(small.test) is False:
                        return f"`assert {self._code(small.test)}` stops it in production"
                    if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
                        call = small.value
                        abort = next((a for a in call.args if a.keyword and a.keyword.value == "abort"), None)
                        if self.qualified(call.func) & _CONFIRMERS and abort is not None and self.is_true(abort.value):
                            return "an earlier confirmation with abort=True stops the script"
        return None

    # -- opt-in flags ----------------------------------------------------------------

    def by_default(self, node: Any, flags: dict[str, bool]) -> bool | None:
        """A condition's value when no command-line flag is given (None: it depends on more)."""
        cst = self.cst
        if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Not):
            inner = self.by_default(node.expression, flags)
            return None if inner is None else not inner
        if isinstance(node, cst.BooleanOperation):
            left, right = self.by_default(node.left, flags), self.by_default(node.right, flags)
            if isinstance(node.operator, cst.And):
                return False if False in (left, right) else (True if left is right is True else None)
            return True if True in (left, right) else (False if left is right is False else None)
        if isinstance(node, cst.Name):
            return flags.get(node.value)
        if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name):
            return self._argparse_flags().get(node.attr.value)
        return None

    def _flags_around(self, node: Any) -> dict[str, bool]:
        """Flag defaults by the name code uses for them around ``node``: the parameters that
        click/typer fill in the enclosing functions, and module variables set from ``args.x``."""
        cst = self.cst
        flags = dict(self._argparse_aliases())
        parent = self.parents.get(node)
        while parent is not None:
            if isinstance(parent, cst.FunctionDef):
                for decorator in parent.decorators:
                    flags.update(self._click_flag(decorator.decorator))
                for param in parent.params.params:
                    default = self._typer_default(param.default) if param.default is not None else None
                    if default is not None and self._opt_in_name(param.name.value):
                        flags[param.name.value] = default
            parent = self.parents.get(parent)
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
                options = [v for v in (self.string_value(a.value) for a in call.node.args if a.keyword is None) if v]
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
        cst = self.cst
        aliases: dict[str, bool] = {}
        self._aliases = aliases
        if not self._argparse_flags():
            return aliases
        scan = self

        class Finder(cst.CSTVisitor):
            def visit_Assign(self, node: Any) -> None:  # noqa: N802
                value = node.value
                if len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
                    default = scan.by_default(value, {}) if isinstance(value, cst.Attribute) else None
                    if default is not None:
                        aliases[node.targets[0].target.value] = default

        self.module.visit(Finder())
        return aliases

    def _click_flag(self, decorator: Any) -> dict[str, bool]:
        """``@click.option("--yes", is_flag=True)`` -> {"yes": False}; ``"--dry-run/--no-dry-run"`` too."""
        cst = self.cst
        if not isinstance(decorator, cst.Call) or not self.qualified(decorator.func) & {"click.option"}:
            return {}
        call = decorator
        texts = [v for v in (self.string_value(a.value) for a in decorator.args if a.keyword is None) if v]
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
        cst = self.cst
        if isinstance(node, cst.Call) and self.qualified(node.func) & {"typer.Option"} and node.args:
            first = node.args[0]
            if first.keyword is None or first.keyword.value == "default":
                if self.is_true(first.value):
                    return True
                if self.is_false(first.value):
                    return False
        return None

    def _confirms(self, decorator: Any) -> bool:
        """``@click.confirmation_option``, or the click idiom it stands for: a ``--yes`` flag with a
        prompt and a callback that aborts, its value not passed to the function."""
        cst = self.cst
        target = decorator.func if isinstance(decorator, cst.Call) else decorator
        if self.qualified(target) & {"click.confirmation_option"}:
            return True
        if not isinstance(decorator, cst.Call) or not self.qualified(target) & {"click.option"}:
            return False
        call = decorator
        hidden = self.keyword(call, "expose_value")
        return (
            self.keyword(call, "prompt") is not None
            and self.keyword(call, "callback") is not None
            and hidden is not None
            and self.is_false(hidden)
        )

    def _stops(self, body: Any) -> bool:
        cst = self.cst
        for statement in body.body if isinstance(body, cst.IndentedBlock) else []:
            for small in statement.body if isinstance(statement, cst.SimpleStatementLine) else []:
                if isinstance(small, (cst.Raise, cst.Return)):
                    return True
                if (
                    isinstance(small, cst.Expr)
                    and isinstance(small.value, cst.Call)
                    and self.qualified(small.value.func) & _EXITS
                ):
                    return True
        return False

    def _code(self, node: Any) -> str:
        text = self.module.code_for_node(node)
        text = " ".join(text.split())
        return text if len(text) <= 70 else text[:67] + "..."


def _dest(options: list[str]) -> str:
    """argparse's and click's destination: the first long option, else the first short one."""
    longs = [o for o in options if o.startswith("--")]
    chosen = longs[0] if longs else next((o for o in options if o.startswith("-")), "")
    return chosen.lstrip("-").replace("-", "_")


def _imported_modules(module: Any, cst: Any) -> set[str]:
    found: set[str] = set()

    class Finder(cst.CSTVisitor):
        def visit_Import(self, node: Any) -> None:  # noqa: N802
            for alias in node.names:
                found.add(cst.helpers.get_full_name_for_node(alias.name) or "")

        def visit_ImportFrom(self, node: Any) -> None:  # noqa: N802
            if node.module is not None:
                found.add(cst.helpers.get_full_name_for_node(node.module) or "")

    module.visit(Finder())
    return found


def _string_constants(module: Any, cst: Any) -> dict[str, str]:
    """Module-level ``NAME = "literal"`` assignments."""
    constants: dict[str, str] = {}
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if (
                isinstance(small, cst.Assign)
                and len(small.targets) == 1
                and isinstance(small.targets[0].target, cst.Name)
                and isinstance(small.value, cst.SimpleString)
                and isinstance(small.value.evaluated_value, str)
            ):
                constants[small.targets[0].target.value] = small.value.evaluated_value
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

    cst = scan.cst
    names = call.names
    if not (names & SHELL_CALLS) or not call.node.args:
        return None
    first = call.node.args[0].value
    if isinstance(first, (cst.List, cst.Tuple)):
        words = []
        for element in first.elements:
            value = scan.string_value(element.value)
            static = value is not None and not isinstance(element.value, cst.FormattedString)
            text = value if value is not None else "${__v__}"
            words.append(Word(text, text, static, call.span, [] if static else [text]))
        if not words:
            return None
        cmd = ShellCommand(name=words[0], args=words[1:], span=call.span, text=scan._code(call.node))
        return ShellDocument(path=path, kind=Kind.SHELL, text="", commands=[cmd])
    text = scan.string_value(first)
    if text is None:
        return None
    try:
        doc = parse(path, text, Kind.SHELL)
    except ParseError:
        return None
    return doc if isinstance(doc, ShellDocument) else None
