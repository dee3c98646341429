"""Python scripts: vetted by CPython's own parser (in C, fast) when read, and parsed with
libcst (slow) only when a rule asks for the tree (``module_of``). Rules resolve imports to
qualified names with libcst's metadata providers, so ``from shutil import rmtree as rm`` is
still ``shutil.rmtree``; most application code names nothing a rule looks for and is never
parsed by libcst at all."""

from __future__ import annotations

from typing import Any

from guardrails.documents import PythonDocument
from guardrails.model import Kind, ParseError

# CPython's own refusals for input nested past what its parser allows. libcst's native
# parser has no such limit: it recurses until the process stack overflows (a segfault).
_TOO_DEEP = ("too many nested parentheses", "too many levels of indentation", "too complex", "too many statically")


def parse(path: str, text: str, kind: Kind) -> PythonDocument:
    """A document whose libcst tree is built on demand when CPython accepts the text.

    Text CPython refuses goes to libcst at once, as before: it knows older and newer grammars
    and decides whether the file is unparseable input (GR001), so no syntax error is hidden."""
    tree = _cpython_tree(text)
    if tree is not None:
        return PythonDocument(path=path, kind=kind, text=text, tree=tree)
    return PythonDocument(path=path, kind=kind, text=text, module=_libcst(text), parsed=True)


def string_constants(doc: PythonDocument) -> str | None:
    """Every string and bytes literal of the file, lower-cased, as CPython reads them: escapes
    decoded and adjacent literals joined (``"DR" "OP"`` is ``drop``), f-strings' literal parts
    included. None when CPython did not read the file (nothing can be ruled out then)."""
    import ast

    if doc.tree is None:
        return None
    found = []
    for node in ast.walk(doc.tree):
        if isinstance(node, ast.Constant):
            if isinstance(node.value, str):
                found.append(node.value)
            elif isinstance(node.value, bytes):
                found.append(node.value.decode("latin-1"))
    return "\0".join(found).lower()


def module_of(doc: PythonDocument) -> Any:
    """The libcst module of ``doc``, parsed on first use; None when libcst cannot read text
    that CPython accepted (a grammar newer than libcst's: nothing to check, nothing wrong)."""
    if not doc.parsed:
        doc.parsed = True
        try:
            doc.module = _libcst(doc.text)
        except ParseError:
            doc.module = None
    return doc.module


def _libcst(text: str) -> Any:
    import libcst

    try:
        return libcst.parse_module(text)
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
