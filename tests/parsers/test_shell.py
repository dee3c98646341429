"""The shell parser reads what tree-sitter-bash misreads around the misread part, and
refuses only input that is mostly not shell; Terraform templates reach it with their
interpolations as shell parameters."""

from __future__ import annotations

import pytest

from guardrails.documents import ShellDocument
from guardrails.model import Kind, ParseError
from guardrails.parsers.shell import parse


def _commands(text: str) -> list[tuple[str, list[str], list[str]]]:
    doc = parse("s.sh", text, Kind.SHELL)
    return [(c.command, c.argv, [k.kind for k in c.conditions]) for c in doc.commands]


def test_for_without_in_keeps_its_loop_variable() -> None:
    doc = parse("s.sh", 'for arg do\n  rm -rf "$arg/build"\ndone\necho after\n', Kind.SHELL)
    assert [(c.command, c.argv) for c in doc.commands] == [("rm", ["-rf", "$arg/build"]), ("echo", ["after"])]
    assert [(a.name, a.loop) for a in doc.assignments] == [("arg", True)]


def test_for_with_in_on_the_next_line() -> None:
    doc = parse("s.sh", "for VAR\nin a b\ndo\n  echo $VAR\ndone\n", Kind.SHELL)
    assert [(c.command, c.argv) for c in doc.commands] == [("echo", ["$VAR"])]
    assert [a.name for a in doc.assignments if a.loop] == ["VAR"]


def test_misread_test_line_puts_what_follows_under_an_unread_condition_up_to_its_closer() -> None:
    text = 'if [ "$a" \'<\' "$b" ]; then\n  rm -rf /x\nfi\necho after\n'
    assert _commands(text) == [("rm", ["-rf", "/x"], ["unread"]), ("echo", ["after"], [])]
    doc = parse("s.sh", text, Kind.SHELL)
    assert [(u.line, u.column) for u in doc.unread] == [(1, 1)]


def test_reserved_word_read_as_a_command_name_is_put_back() -> None:
    assert _commands('for x do rm -rf "$x"; done\n') == [("rm", ["-rf", "$x"], [])]


def test_gradle_case_comments_parse() -> None:
    text = "case $( uname ) in   #(\n  CYGWIN* ) cygwin=true ;; #(\n  *) rm -rf /tmp/x ;;\nesac\n"
    assert ("rm", ["-rf", "/tmp/x"], ["case"]) in _commands(text)


@pytest.mark.parametrize(
    "text",
    [
        '#!/bin/bash\nif [ "$ENV" = staging ]; then\n  case "$1" in\n    reset)\n      psql -c "drop database app"\n',
        "ls\n\x00\x01ELF\n",
    ],
    ids=["cut-off", "binary"],
)
def test_mostly_unreadable_or_binary_input_is_refused(text: str) -> None:
    with pytest.raises(ParseError):
        parse("s.sh", text, Kind.SHELL)


def test_terraform_interpolations_become_shell_parameters() -> None:
    from guardrails.embedded import attach_children
    from guardrails.parsers import parse as parse_any

    tf = (
        'resource "null_resource" "x" {\n  provisioner "local-exec" {\n'
        '    command = "rm -rf ${var.data_dir}/* && echo $${HOME} %{ if var.a }yes%{ endif }"\n  }\n}\n'
    )
    doc = parse_any("main.tf", tf, Kind.TERRAFORM)
    attach_children(doc)
    (child,) = doc.children
    assert isinstance(child, ShellDocument)
    assert child.text == "rm -rf ${var_data_dir}/* && echo ${HOME} yes"
    assert child.interpolations == {"var_data_dir": "${var.data_dir}"}
    assert child.original("if $var_data_dir is empty") == "if ${var.data_dir} is empty"
    rm = child.commands[0]
    assert (rm.args[1].value, rm.args[1].static) == ("${var_data_dir}/*", False)
    span = child.host_span(rm.args[1].span)
    assert (span.line, span.column, span.end_column) == (3, 23, 40)


def test_local_exec_with_another_interpreter_is_not_shell() -> None:
    from guardrails.embedded import snippets
    from guardrails.parsers import parse as parse_any

    tf = (
        'resource "null_resource" "x" {\n  provisioner "local-exec" {\n'
        '    interpreter = ["python3", "-c"]\n    command = "import os"\n  }\n}\n'
    )
    assert list(snippets(parse_any("main.tf", tf, Kind.TERRAFORM))) == []
