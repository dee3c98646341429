"""Python scripts through libcst: rules resolve imports to qualified names with its
metadata providers, so ``from shutil import rmtree as rm`` is still ``shutil.rmtree``."""

from __future__ import annotations

import libcst

from guardrails.documents import PythonDocument
from guardrails.model import Kind, ParseError

# CPython's own refusals for input nested past what its parser allows. libcst's native
# parser has no such limit: it recurses until the process stack overflows (a segfault).
_TOO_DEEP = ("too many nested parentheses", "too many levels of indentation", "too complex", "too many statically")


def parse(path: str, text: str, kind: Kind) -> PythonDocument:
    _refuse_what_cpython_refuses_as_too_deep(text)
    try:
        module = libcst.parse_module(text)
    except libcst.ParserSyntaxError as exc:
        raise ParseError(f"invalid Python: {exc.message}", exc.raw_line, exc.raw_column + 1) from None
    except RecursionError:
        raise ParseError("invalid Python: nesting too deep") from None
    except libcst.CSTValidationError:  # parsed, then refused: an identifier with an unassigned code point
        raise ParseError("invalid Python: a name that is not a valid identifier") from None
    return PythonDocument(path=path, kind=kind, text=text, module=module)


def _refuse_what_cpython_refuses_as_too_deep(text: str) -> None:
    """Let CPython's parser (bounded, in C) vet nesting depth before libcst sees the text.

    Only an AST is built (``PyCF_ONLY_AST``): nothing is compiled to bytecode or run.
    Other syntax errors are left to libcst, which knows newer and older grammars."""
    import ast

    try:
        compile(text, "<scanned>", "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as exc:
        if any(marker in str(exc.msg) for marker in _TOO_DEEP):
            raise ParseError(f"invalid Python: {exc.msg}", exc.lineno or 1, exc.offset or 1) from None
    except (RecursionError, MemoryError):
        raise ParseError("invalid Python: nested too deeply for the Python parser") from None
    except ValueError:  # source with NUL characters: libcst reports it
        return
