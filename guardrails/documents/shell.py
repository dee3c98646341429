"""Shell scripts: commands with their words, conditions, redirects and assignments."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from guardrails.model import Document, Kind, Node, Span
from guardrails.records import Record


class Word(Record):
    """One shell word. ``value`` is its text with quotes removed when it is static."""

    __slots__ = ("expansions", "span", "static", "text", "value")

    def __init__(
        self,
        text: str,
        value: str,
        static: bool,
        span: Span,
        expansions: list[str] | None = None,
    ) -> None:
        self.text = text
        self.value = value
        self.static = static
        self.span = span
        self.expansions: list[str] = [] if expansions is None else expansions


class Condition(Record):
    """A control-flow condition a command sits under.

    ``kind``: ``if`` / ``elif`` / ``while`` / ``until`` (test is ``test``), ``else``
    (``tests`` are the failed if/elif tests before it), ``and`` / ``or`` (``cmd1 && cmd2``:
    the command runs when the left side succeeds, resp. fails), ``case`` (``subject``
    word and the matched ``patterns``), ``unread`` (a line the parser could not read, that
    may open an ``if`` or loop around the command: ``text`` is that line).
    """

    __slots__ = ("kind", "negated", "patterns", "span", "subject", "tests", "text")

    def __init__(
        self,
        kind: str,
        text: str,
        span: Span,
        tests: list[ShellCommand] | None = None,
        negated: bool = False,
        subject: Word | None = None,
        patterns: list[str] | None = None,
    ) -> None:
        self.kind = kind
        self.text = text
        self.span = span
        self.tests: list[ShellCommand] = [] if tests is None else tests
        self.negated = negated
        self.subject = subject
        self.patterns: list[str] = [] if patterns is None else patterns


class Redirect(Record):
    __slots__ = ("heredoc_body", "operator", "span", "target")

    def __init__(
        self,
        operator: str,
        target: str,
        heredoc_body: str | None = None,
        span: Span | None = None,
    ) -> None:
        self.operator = operator
        self.target = target
        self.heredoc_body = heredoc_body
        self.span = span


class ShellCommand(Record):
    """A simple command with its words, redirects, and where it sits in the control flow."""

    __slots__ = (
        "args",
        "assignments",
        "conditions",
        "function",
        "index",
        "name",
        "pipe_from",
        "redirects",
        "span",
        "text",
    )

    def __init__(
        self,
        name: Word | None,
        args: list[Word],
        span: Span,
        text: str,
        conditions: list[Condition] | None = None,
        redirects: list[Redirect] | None = None,
        pipe_from: list[ShellCommand] | None = None,
        assignments: dict[str, str] | None = None,
        function: str | None = None,
        index: int = 0,
    ) -> None:
        self.name = name
        self.args = args
        self.span = span
        self.text = text
        self.conditions: list[Condition] = [] if conditions is None else conditions
        self.redirects: list[Redirect] = [] if redirects is None else redirects
        self.pipe_from: list[ShellCommand] = [] if pipe_from is None else pipe_from
        self.assignments: dict[str, str] = {} if assignments is None else assignments
        self.function = function
        self.index = index

    @property
    def command(self) -> str:
        """The command's base name (``/usr/bin/psql`` -> ``psql``), '' when dynamic."""
        if self.name is None or not self.name.static:
            return ""
        return self.name.value.rsplit("/", 1)[-1]

    @property
    def argv(self) -> list[str]:
        return [w.value for w in self.args]


class ShellAssignment(Record):
    """A variable set by a statement of its own (``X=1``, ``export X=1``, ``local X``).

    ``index`` is the number of commands recorded before it: it runs before the command
    whose ``index`` equals it. ``value`` is None for a bare declaration (``local x``) and
    for a ``for`` loop variable (``loop``), which holds each item in turn.
    """

    __slots__ = ("conditions", "function", "index", "loop", "name", "span", "value")

    def __init__(
        self,
        name: str,
        value: Word | None,
        span: Span,
        conditions: list[Condition] | None = None,
        function: str | None = None,
        index: int = 0,
        loop: bool = False,
    ) -> None:
        self.name = name
        self.value = value
        self.span = span
        self.conditions: list[Condition] = [] if conditions is None else conditions
        self.function = function
        self.index = index
        self.loop = loop


_T = TypeVar("_T")


class _Walked(Generic[_T]):
    """A field of a script that its lazy walk fills: reading or setting it walks the tree first
    (the value lives in the slot of the same name with a leading underscore)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.slot = f"_{name}"

    def __get__(self, doc: ShellDocument | None, owner: type | None = None) -> _T:
        if doc is None:
            return self  # type: ignore[return-value]
        doc._walked()
        return getattr(doc, self.slot)

    def __set__(self, doc: ShellDocument, value: _T) -> None:
        doc._walked()
        setattr(doc, self.slot, value)


class ShellDocument(Document):
    """A shell script: every simple command in source order, with its control flow.

    The parser may leave a script it could read unwalked (``walk``): its commands,
    assignments, options and unread regions are then found when one of them is first asked
    for, as a Python file's names are resolved only when a rule asks. Rules ask only of a
    script whose text names a command they read (``guardrails.facts.shells.names_any``)."""

    # ``interpolations``: template placeholders (guardrails.embedded): shell variable name -> the template text
    # it stands for (``var_data_dir`` -> ``${var.data_dir}``); filled before any rule runs.
    # ``unread``: regions tree-sitter-bash could not read (guardrails.parsers.shell.parse): left out.
    # ``host_task``: the Ansible task that runs this script (guardrails.embedded): its ``when:`` guards it.
    # ``walk``: fills the four fields above on first use (None once done, or when the parser walked it).
    __slots__ = (
        "_assignments",
        "_commands",
        "_options",
        "_unread",
        "dialect",
        "host_task",
        "interpolations",
        "walk",
    )

    def __init__(
        self,
        path: str,
        kind: Kind,
        text: str,
        commands: list[ShellCommand] | None = None,
        assignments: list[ShellAssignment] | None = None,
        options: set[str] | None = None,
        dialect: str = "bash",
        interpolations: dict[str, str] | None = None,
        unread: list[Span] | None = None,
        host_task: Node | None = None,
        walk: Callable[[ShellDocument], None] | None = None,
        **base: Any,
    ) -> None:
        super().__init__(path, kind, text, **base)
        self._commands: list[ShellCommand] = [] if commands is None else commands
        self._assignments: list[ShellAssignment] = [] if assignments is None else assignments
        self._options: set[str] = set() if options is None else options
        self.dialect = dialect
        self.interpolations: dict[str, str] = {} if interpolations is None else interpolations
        self._unread: list[Span] = [] if unread is None else unread
        self.host_task = host_task
        self.walk = walk

    def _walked(self) -> None:
        if self.walk is not None:
            walk, self.walk = self.walk, None
            walk(self)

    commands: _Walked[list[ShellCommand]] = _Walked()
    assignments: _Walked[list[ShellAssignment]] = _Walked()
    options: _Walked[set[str]] = _Walked()
    unread: _Walked[list[Span]] = _Walked()

    def original(self, text: str) -> str:
        """``text`` (a message about this script) with each placeholder written as in the template."""
        for name, template in self.interpolations.items():
            text = re.sub(rf"\$\{{{name}\}}|\${name}(?![A-Za-z0-9_])", lambda _m, t=template: t, text)
        return text
