"""Python scripts: read by CPython's own parser (in C, fast), whose syntax tree the rules
read (``guardrails.facts.destructive_python``). Text CPython refuses goes to libcst, which
knows older and newer grammars: what it refuses too is unparseable input (GR001), what it
reads is Python of another version, which nothing here analyses (``refused``: listed as
skipped and reported as unscanned, never passed as checked)."""

from __future__ import annotations

import sys
from typing import Any

from guardrails.documents import PythonDocument
from guardrails.model import Kind, ParseError
from guardrails.parsers.python_source import Source, literal_text

# CPython's own refusals for input nested past what its parser allows. libcst's native
# parser has no such limit: it recurses until the process stack overflows (a segfault).
_TOO_DEEP = ("too many nested parentheses", "too many levels of indentation", "too complex", "too many statically")


def parse(path: str, text: str, kind: Kind) -> PythonDocument:
    """A document with CPython's syntax tree of the text.

    Text CPython refuses goes to libcst, as before the rules read CPython's tree: when libcst
    refuses it too, it is unparseable input (ParseError); when libcst reads it, it is Python of
    a grammar this interpreter does not know, and the document says so (``refused``)."""
    tree = _cpython_tree(text)
    if tree is not None:
        return PythonDocument(path=path, kind=kind, text=text, tree=tree)
    _libcst(text)
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    why = f"Python {version} cannot read it: {_refusal(text)}; libcst reads it as another Python version's grammar"
    return PythonDocument(path=path, kind=kind, text=text, refused=why)


class CallSite:
    """One call as CPython reads it: what a rule can tell of it before the file's names are resolved."""

    __slots__ = ("_file", "_first", "_texts", "method", "names")

    def __init__(self, method: str, names: frozenset[str], first: Any, file: _File) -> None:
        self.method = method  # the attribute called (``cur.execute(…)`` -> ``execute``), '' for other callees
        self.names = names  # what the last part of its qualified name may be (see call_sites)
        self._first, self._file = first, file
        self._texts: str | None = None

    @property
    def texts(self) -> str:
        """The string literals of its first argument, lower-cased, NUL-joined (read on first use:
        most calls are turned away by their callee first)."""
        if self._texts is None:
            self._texts = self._file.literals(self._first) if self._first is not None else ""
        return self._texts


class _File:
    """What the literals of one file's call arguments are read with."""

    def __init__(self, text: str, constants: dict[str, list[str]]) -> None:
        self.text, self.constants = text, constants
        self.source: Source | None = None

    def literals(self, node: Any) -> str:
        import ast

        found: list[str] = []
        for inner in ast.walk(node):
            if isinstance(inner, ast.Constant):
                text = _literal(inner.value)
                if text is not None:
                    found.append(text)
            elif isinstance(inner, ast.Name):
                found.extend(self.constants.get(inner.id, ()))
            elif isinstance(inner, ast.JoinedStr):
                self.source = self.source or Source(self.text)
                literals = self.source.strings(inner)
                text = literal_text(literals, None) if literals is not None else None
                found.append(text if text is not None else self.source.segment(inner))
        return "\0".join(found).lower()


def call_sites(doc: PythonDocument) -> list[CallSite] | None:
    """Every call of the file with the literals its first argument may stand for; None when
    CPython did not read the file (nothing can be ruled out then).

    A callee's qualified name resolves through imports only (as libcst's provider resolved
    it), so its last part is the attribute called (``sp.run``: run), or the name called, or,
    for a name an import renames (``from shutil import rmtree as rm``), the name imported:
    ``names``.

    The first argument is the first in source order, keyword or not. Its literals are every
    string and bytes constant inside it, escapes decoded, an f-string also as the rules read
    it (its text parts undecoded: ``f"\\rm"`` holds ``\\rm``, which a shell reads as
    ``rm``), and the module-level constants its names may stand for: a superset of what a
    rule reads there (``PythonScan.string_value``)."""
    import ast

    if doc.tree is None:
        return None
    if doc.sites is not None:
        sites: list[CallSite] = doc.sites
        return sites
    constants: dict[str, list[str]] = {}
    for statement in doc.tree.body:
        if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Constant):
            text = _literal(statement.value.value)
            for target in statement.targets:
                if isinstance(target, ast.Name) and text is not None:
                    constants.setdefault(target.id, []).append(text)
    imported: dict[str, set[str]] = {}  # a name an import renames -> the names it may stand for
    calls = []
    for node in ast.walk(doc.tree):
        if isinstance(node, ast.Call):
            calls.append(node)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.asname is not None:
                    imported.setdefault(alias.asname, {alias.asname}).add(alias.name.rsplit(".", 1)[-1])
    file = _File(doc.text, constants)
    sites = []
    for call in calls:
        func = call.func
        method = func.attr if isinstance(func, ast.Attribute) else ""
        callee = func.id if isinstance(func, ast.Name) else method
        names = frozenset(imported.get(callee, (callee,))) if isinstance(func, ast.Name) else frozenset((callee,))
        arguments = [*call.args, *(keyword.value for keyword in call.keywords)]
        first = min(arguments, key=lambda arg: (arg.lineno, arg.col_offset)) if arguments else None
        sites.append(CallSite(method, names, first, file))
    doc.sites = sites
    return sites


def _literal(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return None


def _libcst(text: str) -> None:
    """Raises ParseError when libcst cannot read the text either."""
    import libcst

    try:
        libcst.parse_module(text)
    except libcst.ParserSyntaxError as exc:
        raise ParseError(f"invalid Python: {exc.message}", exc.raw_line, exc.raw_column + 1) from None
    except RecursionError:
        raise ParseError("invalid Python: nesting too deep") from None
    except libcst.CSTValidationError:  # parsed, then refused: an identifier with an unassigned code point
        raise ParseError("invalid Python: a name that is not a valid identifier") from None


def _cpython_tree(text: str) -> Any:
    """CPython's syntax tree of the text (its parser is bounded and in C), None when CPython
    refuses it; raises ParseError for input nested past what it allows, which libcst must
    never see.

    Only an AST is built (``PyCF_ONLY_AST``): nothing is compiled to bytecode or run."""
    import ast

    try:
        return compile(text, "<scanned>", "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as exc:
        if any(marker in str(exc.msg) for marker in _TOO_DEEP):
            raise ParseError(f"invalid Python: {exc.msg}", exc.lineno or 1, exc.offset or 1) from None
        return None
    except (RecursionError, MemoryError):
        raise ParseError("invalid Python: nested too deeply for the Python parser") from None
    except ValueError:  # source with NUL characters: libcst reports it
        return None


def _refusal(text: str) -> str:
    """CPython's own words for why it refuses the text, and where."""
    import ast

    try:
        compile(text, "<scanned>", "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as exc:
        return f"{exc.msg} (line {exc.lineno})"
    except ValueError as exc:
        return str(exc)
    return "refused"
