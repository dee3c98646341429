"""CPython's tree read as libcst read it: qualified names, columns, code and string values.

The Python rules were written against libcst's metadata; these pin the semantics they rely on
(the differential fixtures in fixtures/destructive/python/cpython_tree/ pin them end to end)."""

from __future__ import annotations

import ast

import pytest

from guardrails.facts.python_names import Names
from guardrails.parsers.python_source import HOLE, Source, literal_text


def _callee_names(text: str) -> list[set[str]]:
    tree = ast.parse(text)
    names = Names(tree)
    calls = sorted((n for n in ast.walk(tree) if isinstance(n, ast.Call)), key=lambda n: (n.lineno, n.col_offset))
    return [names.qualified(call.func) for call in calls]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("import subprocess as sp\nsp.run(x)\n", {"subprocess.run"}),
        ("from shutil import rmtree as rm\nrm(x)\n", {"shutil.rmtree"}),
        ("import os.path\nos.path.join(x)\n", {"os.path.join"}),
        ("from .tools import call_command as cc\ncc(x)\n", {".tools.call_command"}),
        ("from . import db\ndb.flush()\n", {".db.flush"}),
        ("input(x)\n", {"builtins.input"}),
        ("exit = print\nexit(x)\n", {"exit"}),  # a module-level name is itself
        ("import shutil as sh\nsh = None\nsh.rmtree(x)\n", {"shutil.rmtree", "sh.rmtree"}),  # every assignment
    ],
)
def test_a_callee_is_named_through_its_imports(text: str, expected: set[str]) -> None:
    assert _callee_names(text)[-1] == expected


def test_a_name_called_sees_only_the_assignments_before_it_in_its_scope() -> None:
    text = "from shutil import rmtree\n\ndef f():\n    rmtree(x)\n    rmtree = None\n    rmtree(y)\n"
    assert _callee_names(text) == [{"shutil.rmtree"}, {"f.<locals>.rmtree"}]


def test_a_class_body_is_not_seen_from_its_methods() -> None:
    text = (
        "from os import system\n\nclass T:\n    system = print\n    system(a)\n\n    def go(self):\n        system(b)\n"
    )
    assert _callee_names(text) == [{"T.system"}, {"os.system"}]


def test_global_and_nonlocal_move_an_assignment() -> None:
    text = "def f():\n    global run\n    run = print\n\nrun(x)\n"
    assert _callee_names(text) == [{"run"}]


def test_columns_are_characters_and_code_keeps_its_own_parentheses() -> None:
    text = 'x = "é😀"; (os.system("rm"))\nif (a ==\n    b):\n    pass\n'
    tree = ast.parse(text)
    source = Source(text)
    call = next(n for n in ast.walk(tree) if isinstance(n, ast.Call))
    assert source.start(call) == (1, 11) and source.end(call) == (1, 26)  # as libcst counted
    assert source.code(call) == '(os.system("rm"))'
    test = next(n for n in ast.walk(tree) if isinstance(n, ast.If)).test
    assert source.code(test) == "(a ==\n    b)"
    argument = call.args[0]
    assert source.code(argument) == '"rm"'  # the call's parentheses are the call's


@pytest.mark.parametrize(
    ("literal", "expected"),
    [
        ('f"DROP {name}"', f"DROP {HOLE}"),
        ('f"{{x}} {a!r:>{w}} \\n"', f"{{{{x}}}} {HOLE} \\n"),  # text undecoded, ``{{`` kept
        ("\"DROP \" f'DATABASE {x}'", f"DROP DATABASE {HOLE}"),
        ("f'{x[\"k\"]}'", HOLE),
    ],
)
def test_string_values_are_read_as_libcst_read_them(literal: str, expected: str) -> None:
    node = ast.parse(literal, mode="eval").body
    literals = Source(literal).strings(node)
    assert literals is not None and literal_text(literals, HOLE) == expected
