"""Format-specific documents: what each parser produces and what rules read.

Dependency-free on purpose: rules import these types without loading any parser.
Every element carries a ``Span`` in its own document's coordinates; a rule turns it
into a file position with ``Rule.finding`` (which maps embedded documents back).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from guardrails.model import Document, Node, ParseError, Span

# --------------------------------------------------------------------------- any kind


@dataclass
class FailedDocument(Document):
    """A file (or embedded snippet) that could not be parsed as its kind.

    Only rules that opt in (``reads_failures``) see it: the unparseable-input rule
    turns it into a finding, so that what cannot be read never passes silently.
    """

    error: ParseError | None = None


# --------------------------------------------------------------------------- YAML / JSON


@dataclass
class TreeDocument(Document):
    """YAML (one root per ``---`` document) or JSON (one root)."""

    roots: list[Node] = field(default_factory=list)


# --------------------------------------------------------------------------- Terraform


@dataclass
class Expr:
    """An HCL expression: enough structure to resolve values, with its source text.

    kind is one of: ``literal`` (value: str/int/float/bool/None), ``tuple`` (value:
    list[Expr]), ``object`` (value: dict[str, Expr]), ``template`` (value: str with its
    interpolations left as text), ``reference`` (value: dotted path such as
    ``var.ttl``, ``local.x`` or ``aws_route53_zone.main.name_servers[0]``),
    ``call`` (value: function name; ``args``), ``other`` (anything else).
    """

    kind: str
    value: Any
    text: str
    span: Span
    args: list[Expr] = field(default_factory=list)

    def literal(self) -> Any:
        """The plain Python value when the expression is fully literal, else ``None``."""
        if self.kind == "literal":
            return self.value
        if self.kind == "tuple":
            items = [e.literal() for e in self.value]
            return None if any(i is None for i in items) else items
        if self.kind == "object":
            obj = {k: e.literal() for k, e in self.value.items()}
            return None if any(v is None for v in obj.values()) else obj
        return None


@dataclass
class Attribute:
    name: str
    expr: Expr
    span: Span


@dataclass
class Block:
    """An HCL block: ``type "label" "label" { ... }``."""

    type: str
    labels: list[str]
    attributes: dict[str, Attribute]
    blocks: list[Block]
    span: Span

    @property
    def address(self) -> str:
        """The Terraform address: ``aws_db_instance.main``, ``var.ttl``, ``module.x``."""
        if self.type == "resource" and len(self.labels) >= 2:
            return f"{self.labels[0]}.{self.labels[1]}"
        if self.type == "data" and len(self.labels) >= 2:
            return f"data.{self.labels[0]}.{self.labels[1]}"
        if self.type == "variable" and self.labels:
            return f"var.{self.labels[0]}"
        if self.labels:
            return f"{self.type}.{'.'.join(self.labels)}"
        return self.type

    def get(self, name: str) -> Attribute | None:
        return self.attributes.get(name)

    def children(self, block_type: str) -> list[Block]:
        return [b for b in self.blocks if b.type == block_type]

    def child(self, block_type: str) -> Block | None:
        for b in self.blocks:
            if b.type == block_type:
                return b
        return None


@dataclass
class TerraformDocument(Document):
    """A .tf, .tf.json, .tfvars or .tfvars.json file: its top-level blocks and attributes."""

    blocks: list[Block] = field(default_factory=list)
    attributes: dict[str, Attribute] = field(default_factory=dict)

    def resources(self, *types: str) -> list[Block]:
        return [b for b in self.blocks if b.type == "resource" and b.labels and (not types or b.labels[0] in types)]


# --------------------------------------------------------------------------- Shell


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
    word and the matched ``patterns``).
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


# --------------------------------------------------------------------------- Python


@dataclass
class PythonDocument(Document):
    """A Python script as a libcst module (typed Any to keep this module import-free)."""

    module: Any = None


# --------------------------------------------------------------------------- SQL


@dataclass
class SqlStatement:
    """One SQL statement. ``keywords`` are its upper-cased keywords and names, in order,
    with comments and string literals left out, so ``-- DROP DATABASE`` never matches."""

    text: str
    keywords: list[str]
    span: Span
    has_where: bool = False


@dataclass
class SqlDocument(Document):
    statements: list[SqlStatement] = field(default_factory=list)


# --------------------------------------------------------------------------- Dockerfile


@dataclass
class Instruction:
    """A Dockerfile instruction. ``arguments`` is the text after the keyword with line
    continuations kept (so positions map back line by line); ``exec_form`` holds the
    JSON array of the exec form; ``heredocs`` maps names to bodies."""

    keyword: str
    arguments: str
    span: Span
    args_span: Span
    exec_form: list[str] | None = None
    flags: dict[str, str] = field(default_factory=dict)
    heredocs: list[tuple[str, str, Span]] = field(default_factory=list)
    stage: int = 0


@dataclass
class DockerfileDocument(Document):
    instructions: list[Instruction] = field(default_factory=list)
    escape: str = "\\"


# --------------------------------------------------------------------------- Makefile


@dataclass
class RecipeLine:
    target: str
    text: str
    span: Span


@dataclass
class MakefileDocument(Document):
    recipes: list[RecipeLine] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)


# --------------------------------------------------------------------------- .env


@dataclass
class EnvEntry:
    key: str
    value: str
    span: Span
    value_span: Span
    quoted: bool = False


@dataclass
class DotenvDocument(Document):
    entries: list[EnvEntry] = field(default_factory=list)

    def as_dict(self) -> dict[str, str]:
        return {e.key: e.value for e in self.entries}


# --------------------------------------------------------------------------- DNS zone file


@dataclass
class ZoneRecord:
    """A resource record with its owner name fully qualified and its effective TTL.

    ``ttl`` is the record's own TTL in seconds (None when it inherits); ``effective_ttl``
    applies ``$TTL`` or, failing that, the previous record's TTL (RFC 1035 / 2308).
    """

    name: str
    ttl: int | None
    effective_ttl: int | None
    rclass: str
    rtype: str
    rdata: list[str]
    span: Span
    ttl_span: Span | None = None


@dataclass
class ZoneDirective:
    name: str
    value: str
    span: Span
    seconds: int | None = None


@dataclass
class ZoneDocument(Document):
    origin: str = ""
    directives: list[ZoneDirective] = field(default_factory=list)
    records: list[ZoneRecord] = field(default_factory=list)


# --------------------------------------------------------------------------- resolv.conf


@dataclass
class ResolvEntry:
    keyword: str
    values: list[str]
    span: Span


@dataclass
class ResolvDocument(Document):
    entries: list[ResolvEntry] = field(default_factory=list)

    @property
    def nameservers(self) -> list[ResolvEntry]:
        return [e for e in self.entries if e.keyword == "nameserver"]
