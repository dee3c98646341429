"""Shell scripts: commands with their words, conditions, redirects and assignments."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from guardrails.model import Document, Node, Span


@dataclass
class Word:
    """One shell word. ``value`` is its text with quotes removed when it is static."""

    text: str
    value: str
    static: bool
    span: Span
    expansions: list[str] = field(default_factory=list)


@dataclass
class Condition:
    """A control-flow condition a command sits under.

    ``kind``: ``if`` / ``elif`` / ``while`` / ``until`` (test is ``test``), ``else``
    (``tests`` are the failed if/elif tests before it), ``and`` / ``or`` (``cmd1 && cmd2``:
    the command runs when the left side succeeds, resp. fails), ``case`` (``subject``
    word and the matched ``patterns``), ``unread`` (a line the parser could not read, that
    may open an ``if`` or loop around the command: ``text`` is that line).
    """

    kind: str
    text: str
    span: Span
    tests: list[ShellCommand] = field(default_factory=list)
    negated: bool = False
    subject: Word | None = None
    patterns: list[str] = field(default_factory=list)


@dataclass
class Redirect:
    operator: str
    target: str
    heredoc_body: str | None = None
    span: Span | None = None


@dataclass
class ShellCommand:
    """A simple command with its words, redirects, and where it sits in the control flow."""

    name: Word | None
    args: list[Word]
    span: Span
    text: str
    conditions: list[Condition] = field(default_factory=list)
    redirects: list[Redirect] = field(default_factory=list)
    pipe_from: list[ShellCommand] = field(default_factory=list)
    assignments: dict[str, str] = field(default_factory=dict)
    function: str | None = None
    index: int = 0

    @property
    def command(self) -> str:
        """The command's base name (``/usr/bin/psql`` -> ``psql``), '' when dynamic."""
        if self.name is None or not self.name.static:
            return ""
        return self.name.value.rsplit("/", 1)[-1]

    @property
    def argv(self) -> list[str]:
        return [w.value for w in self.args]


@dataclass
class ShellAssignment:
    """A variable set by a statement of its own (``X=1``, ``export X=1``, ``local X``).

    ``index`` is the number of commands recorded before it: it runs before the command
    whose ``index`` equals it. ``value`` is None for a bare declaration (``local x``) and
    for a ``for`` loop variable (``loop``), which holds each item in turn.
    """

    name: str
    value: Word | None
    span: Span
    conditions: list[Condition] = field(default_factory=list)
    function: str | None = None
    index: int = 0
    loop: bool = False


@dataclass
class ShellDocument(Document):
    """A shell script: every simple command in source order, with its control flow."""

    commands: list[ShellCommand] = field(default_factory=list)
    assignments: list[ShellAssignment] = field(default_factory=list)
    options: set[str] = field(default_factory=set)
    dialect: str = "bash"
    # Template placeholders (guardrails.embedded): shell variable name -> the template text
    # it stands for (``var_data_dir`` -> ``${var.data_dir}``); filled before any rule runs.
    interpolations: dict[str, str] = field(default_factory=dict)
    # Regions tree-sitter-bash could not read (guardrails.parsers.shell.parse): left out.
    unread: list[Span] = field(default_factory=list)
    # The Ansible task that runs this script (guardrails.embedded): its ``when:`` guards it.
    host_task: Node | None = None

    def original(self, text: str) -> str:
        """``text`` (a message about this script) with each placeholder written as in the template."""
        for name, template in self.interpolations.items():
            text = re.sub(rf"\$\{{{name}\}}|\${name}(?![A-Za-z0-9_])", lambda _m, t=template: t, text)
        return text
