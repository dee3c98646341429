"""Python scripts through libcst: rules resolve imports to qualified names with its
metadata providers, so ``from shutil import rmtree as rm`` is still ``shutil.rmtree``."""

from __future__ import annotations

import libcst

from guardrails.documents import PythonDocument
from guardrails.model import Kind, ParseError


def parse(path: str, text: str, kind: Kind) -> PythonDocument:
    try:
        module = libcst.parse_module(text)
    except libcst.ParserSyntaxError as exc:
        raise ParseError(f"invalid Python: {exc.message}", exc.raw_line, exc.raw_column + 1) from None
    except RecursionError:
        raise ParseError("invalid Python: nesting too deep") from None
    return PythonDocument(path=path, kind=kind, text=text, module=module)
