"""Shared tree-sitter plumbing: cached parsers, character columns, first syntax error."""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import os
from functools import cache
from types import ModuleType
from typing import Any

import tree_sitter

from guardrails.model import ParseError, Span

_GRAMMARS = {"hcl": "tree_sitter_hcl", "javascript": "tree_sitter_javascript", "bash": "tree_sitter_bash"}


@cache
def parser(grammar: str) -> tree_sitter.Parser:
    return tree_sitter.Parser(tree_sitter.Language(_binding(_GRAMMARS[grammar]).language()))


def _binding(package: str) -> ModuleType:
    """The grammar's compiled module, loaded without running its package's ``__init__``.

    tree-sitter-bash and tree-sitter-javascript import ``importlib.resources`` there (with
    tempfile, random, shutil and the compression modules) for highlighting queries that nothing
    here reads: 30M instructions, a tenth of a small workflow's scan. The package as installed
    is the fallback.
    """
    spec = importlib.util.find_spec(package)  # finds a top-level package without importing it
    for directory in (spec and spec.submodule_search_locations) or ():
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            path = os.path.join(directory, "_binding" + suffix)
            if not os.path.isfile(path):
                continue
            found = importlib.util.spec_from_file_location(f"{package}._binding", path)
            if found is not None and found.loader is not None:
                module = importlib.util.module_from_spec(found)
                found.loader.exec_module(module)
                return module
    return importlib.import_module(package)


_new = tuple.__new__


def new_span(line: int, column: int, end_line: int, end_column: int) -> Span:
    """``Span(line, column, end_line, end_column)`` without the keyword handling of the named
    tuple's ``__new__``: a tree's spans were the largest single cost of converting it (100k
    per 1,800 .tf files)."""
    return _new(Span, (line, column, end_line, end_column))


class Source:
    """The bytes tree-sitter parsed, with byte-to-character column conversion."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.data = text.encode("utf-8", "surrogatepass")
        self.ascii = len(self.data) == len(text)
        self._line_starts: list[int] | None = None

    def column(self, row: int, byte_column: int) -> int:
        """1-based character column of a tree-sitter (row, byte column) point."""
        if self.ascii:
            return byte_column + 1
        if self._line_starts is None:
            starts = [0]
            index = self.data.find(b"\n")
            while index != -1:
                starts.append(index + 1)
                index = self.data.find(b"\n", index + 1)
            self._line_starts = starts
        start = self._line_starts[row] if row < len(self._line_starts) else 0
        return len(self.data[start : start + byte_column].decode("utf-8", "replace")) + 1

    def span(self, node: Any) -> Span:
        (r1, c1), (r2, c2) = node.start_point, node.end_point
        return new_span(r1 + 1, self.column(r1, c1), r2 + 1, self.column(r2, c2))

    def text_of(self, node: Any) -> str:
        return self.data[node.start_byte : node.end_byte].decode("utf-8", "replace")


_KEYWORDS = frozenset(
    {
        *("if", "then", "elif", "else", "fi", "case", "esac", "for", "while", "until", "do", "done", "in"),
        *("function", "select", "resource", "data", "variable", "module", "locals", "output", "provider"),
        *("terraform", "for_each", "dynamic"),
    }
)


def _punctuation(word: str) -> bool:
    return len(word) <= 4 and not any(ch.isalnum() for ch in word)


def raise_first_error(root: Any, source: Source, what: str) -> None:
    """Turn tree-sitter's error recovery into a ParseError at the first bad node."""
    if not root.has_error:
        return
    stack = [root]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            span = source.span(node)
            if node.is_missing:
                message = f"invalid {what}: missing {node.type!r}"
            else:
                words = source.text_of(node).split(None, 1)
                # Quote only syntax (a keyword or punctuation), never a word from the file: it
                # may be a credential, and the message goes into every report.
                near = f" near {words[0]!r}" if words and (words[0] in _KEYWORDS or _punctuation(words[0])) else ""
                message = f"invalid {what}: syntax error{near}"
            raise ParseError(message, span.line, span.column)
        if node.has_error:
            stack.extend(reversed(node.children))
    raise ParseError(f"invalid {what}: syntax error")
