"""Inline suppressions: ``guardrails: ignore[ED001,DO010] reason`` in a comment, or a
``guardrails.dev/ignore-ED001: "reason"`` annotation on a Kubernetes object.

Applied after the rules and before reporting. Comments are found with each format's own
lexer (PyYAML's scanner, tree-sitter for HCL and shell, ``tokenize`` for Python, sqlparse
for SQL, and the line grammar of Dockerfile, Makefile, dotenv, zone and resolv.conf), so a
``#`` inside a quoted string is never taken for a directive. Every exception must name its
rules and say why; one that cannot be honoured, has expired or excuses nothing becomes a
finding of its own (GR002-GR005), never a silent pass.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Iterator
from typing import TYPE_CHECKING

from guardrails import deferred_re
from guardrails.detect import is_json_text
from guardrails.documents import FailedDocument, TreeDocument
from guardrails.model import REFINED_KINDS, SUPPRESSION_MARKER, Document, Finding, Kind, Span
from guardrails.records import Frozen, Record
from guardrails.rule import Rule, RuleContext

if TYPE_CHECKING:
    import datetime

    from guardrails.registry import RuleRef

MARKER = SUPPRESSION_MARKER
ANNOTATION_PREFIX = "guardrails.dev/ignore-"
INVALID_ID = "GR002"
UNKNOWN_ID = "GR003"
EXPIRED_ID = "GR004"
UNUSED_ID = "GR005"
META_IDS = frozenset({"GR000", INVALID_ID, UNKNOWN_ID, EXPIRED_ID, UNUSED_ID})

_DIRECTIVE = deferred_re.compile(r"\bguardrails:\s*ignore\b(?P<rest>.*)", re.S)
_IDS = deferred_re.compile(r"\s*\[(?P<ids>[^\]]*)\]")
_UNTIL = deferred_re.compile(r"\s*until=(?P<date>\S+)")
_SEPARATORS = " \t\r\n-:;,\u2013\u2014"

YAML_KINDS = frozenset(
    {
        Kind.YAML,
        Kind.COMPOSE,
        Kind.KUBERNETES,
        Kind.HELM_VALUES,
        Kind.GITHUB_ACTIONS,
        Kind.GITLAB_CI,
        Kind.MONGOD_CONF,
        Kind.ELASTICSEARCH_YML,
        Kind.NETPLAN,
        Kind.PULUMI_STACK,
    }
    | REFINED_KINDS
)
# Line-based configuration files and the characters that open a whole-line comment in each.
_LINE_COMMENTS: dict[Kind, tuple[str, ...]] = {
    Kind.DOCKERFILE: ("#",),
    Kind.RESOLV_CONF: ("#", ";"),
    Kind.REDIS_CONF: ("#",),
    Kind.POSTGRESQL_CONF: ("#",),
    Kind.PG_HBA: ("#",),
    Kind.MYSQL_CNF: ("#", ";"),
    Kind.RESOLVED_CONF: ("#", ";"),
    Kind.DNSMASQ_CONF: ("#",),
    Kind.COREFILE: ("#",),
    Kind.NAMED_CONF: ("#", "//"),
    Kind.DNSCONTROL: ("//",),
    Kind.ANSIBLE_INVENTORY: ("#", ";"),
}


class Comment(Frozen):
    """A comment in its document's coordinates; ``own_line`` when nothing but blanks precede it."""

    line: int
    column: int
    text: str
    own_line: bool


class Directive(Record):
    """One suppression, located in the file on disk."""

    __slots__ = ("problems", "reason", "region", "rule_ids", "source", "span", "targets", "unknown", "until", "used")

    def __init__(
        self,
        span: Span,
        rule_ids: tuple[str, ...],
        reason: str,
        until: datetime.date | None,
        targets: frozenset[int] = frozenset(),
        region: tuple[int, int] | None = None,
        problems: list[str] | None = None,
        unknown: list[str] | None = None,
        source: str = "",
        used: set[str] | None = None,
    ) -> None:
        self.span = span
        self.rule_ids = rule_ids
        self.reason = reason
        self.until = until
        self.targets = targets
        self.region = region
        self.problems: list[str] = [] if problems is None else problems
        self.unknown: list[str] = [] if unknown is None else unknown
        self.source = source
        self.used: set[str] = set() if used is None else used

    def covers(self, finding: Finding) -> bool:
        if self.region is not None:
            return self.region[0] <= finding.span.line <= self.region[1]
        return finding.span.line in self.targets

    def label(self) -> str:
        return f"ignore[{','.join(self.rule_ids)}]"


# --------------------------------------------------------------------------- comments per format


def comments(doc: Document) -> list[Comment]:
    """The comments of one document (not its children), by the document's own syntax."""
    if isinstance(doc, FailedDocument) or not doc.text:
        return []
    kind = doc.kind
    if kind in YAML_KINDS:
        return _yaml_comments(doc.text)
    if kind is Kind.CLOUDFORMATION:  # YAML or JSON, and JSON has no comments
        return [] if is_json_text(doc.path, doc.text) else _yaml_comments(doc.text)
    if kind in (Kind.TERRAFORM, Kind.TFVARS):
        return _treesitter_comments(doc.text, "hcl")
    if kind is Kind.SHELL:
        return _treesitter_comments(doc.text, "bash")
    if kind is Kind.PYTHON:
        return _python_comments(doc.text)
    if kind is Kind.SQL:
        return _sql_comments(doc.text)
    if kind in _LINE_COMMENTS:
        return _line_comments(doc.text, _LINE_COMMENTS[kind])
    if kind is Kind.MAKEFILE:
        return _makefile_comments(doc.text)
    if kind is Kind.DOTENV:
        return _dotenv_comments(doc.text)
    if kind is Kind.ZONE:
        return _zone_comments(doc.text)
    return []  # JSON kinds have no comments: use configuration or a baseline


def _own_line(line_text: str, column: int) -> bool:
    return not line_text[: column - 1].strip()


def _from_offsets(text: str, found: Iterable[tuple[int, str]]) -> list[Comment]:
    """Comments given as (character offset, text)."""
    starts = [0]
    for index, char in enumerate(text):
        if char == "\n":
            starts.append(index + 1)
    lines = text.split("\n")
    out: list[Comment] = []
    line = 0
    for offset, body in found:
        while line + 1 < len(starts) and starts[line + 1] <= offset:
            line += 1
        column = offset - starts[line] + 1
        out.append(Comment(line + 1, column, body, _own_line(lines[line], column)))
    return out


def _yaml_comments(text: str) -> list[Comment]:
    """``#`` after a blank or at a line start, outside every scalar token (PyYAML's scanner)."""
    from guardrails.yaml_lib import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    scalars: list[tuple[int, int]] = []
    try:
        for token in yaml.scan(text, Loader=loader):
            if isinstance(token, yaml.ScalarToken):
                scalars.append((token.start_mark.index, token.end_mark.index))
    except yaml.YAMLError:
        return []
    scalars.sort()
    found: list[tuple[int, str]] = []
    position = 0
    index = 0
    while True:
        hit = text.find("#", position)
        if hit == -1:
            break
        while index < len(scalars) and scalars[index][1] <= hit:
            index += 1
        inside = index < len(scalars) and scalars[index][0] <= hit < scalars[index][1]
        end = text.find("\n", hit)
        end = len(text) if end == -1 else end
        if not inside and (hit == 0 or text[hit - 1] in " \t\n"):
            found.append((hit, text[hit:end]))
            position = end
        else:
            position = hit + 1
    return _from_offsets(text, found)


def _treesitter_comments(text: str, grammar: str) -> list[Comment]:
    from guardrails.parsers._treesitter import Source, parser

    source = Source(text)
    tree = parser(grammar).parse(source.data)
    lines = text.split("\n")
    out: list[Comment] = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type == "comment":
            row, byte_column = node.start_point
            column = source.column(row, byte_column)
            body = source.data[node.start_byte : node.end_byte].decode("utf-8", "replace")
            out.append(Comment(row + 1, column, body, _own_line(lines[row], column)))
        else:
            stack.extend(reversed(node.children))
    return sorted(out, key=lambda c: (c.line, c.column))


def _python_comments(text: str) -> list[Comment]:
    import io
    import tokenize

    lines = text.split("\n")
    out: list[Comment] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT:
                row, col = token.start
                out.append(Comment(row, col + 1, token.string, _own_line(lines[row - 1], col + 1)))
    except (tokenize.TokenError, SyntaxError):
        return out
    return out


def _sql_comments(text: str) -> list[Comment]:
    from sqlparse import lexer, tokens

    found: list[tuple[int, str]] = []
    offset = 0
    for ttype, value in lexer.tokenize(text):
        if ttype in tokens.Comment:
            found.append((offset, value.rstrip("\n")))
        offset += len(value)
    return _from_offsets(text, found)


def _line_comments(text: str, leaders: tuple[str, ...]) -> list[Comment]:
    """Formats where only a whole line is a comment (Dockerfile, resolv.conf, redis.conf)."""
    out: list[Comment] = []
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.lstrip()
        if stripped.startswith(leaders):
            out.append(Comment(number, len(line) - len(stripped) + 1, stripped, True))
    return out


def _makefile_comments(text: str) -> list[Comment]:
    """GNU make: an unescaped ``#`` starts a comment outside recipes; in a recipe line
    (tab-indented) only a leading ``#`` is one (the shell's)."""
    out: list[Comment] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if line.startswith("\t"):
            stripped = line.lstrip()
            if stripped.startswith("#"):
                out.append(Comment(number, len(line) - len(stripped) + 1, stripped, True))
            continue
        index = 0
        while True:
            index = line.find("#", index)
            if index == -1:
                break
            if index > 0 and line[index - 1] == "\\":
                index += 1
                continue
            out.append(Comment(number, index + 1, line[index:], _own_line(line, index + 1)))
            break
    return out


def _dotenv_comments(text: str) -> list[Comment]:
    """A ``#`` line, or `` #`` after an unquoted value or after a quoted value's closing quote."""
    out: list[Comment] = []
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.lstrip()
        if stripped.startswith("#"):
            out.append(Comment(number, len(line) - len(stripped) + 1, stripped, True))
            continue
        _, equals, value = line.partition("=")
        if not equals:
            continue
        start = len(line) - len(value)
        rest = value.lstrip()
        start += len(value) - len(rest)
        if rest[:1] in ("'", '"'):
            close = rest.find(rest[0], 1)
            if close == -1:
                continue
            start += close + 1
            rest = rest[close + 1 :]
            hit = rest.find("#")
        else:
            hit = next((i for i in range(1, len(rest)) if rest[i] == "#" and rest[i - 1] in " \t"), -1)
        if hit != -1:
            out.append(Comment(number, start + hit + 1, rest[hit:], False))
    return out


def _zone_comments(text: str) -> list[Comment]:
    """RFC 1035 master files: ``;`` to the end of the line, outside double quotes."""
    out: list[Comment] = []
    for number, line in enumerate(text.split("\n"), start=1):
        quoted = False
        escaped = False
        for index, char in enumerate(line):
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                quoted = not quoted
            elif char == ";" and not quoted:
                out.append(Comment(number, index + 1, line[index:], _own_line(line, index + 1)))
                break
    return out


# --------------------------------------------------------------------------- directives


def _parse(body: str, known: dict[str, str], span: Span, source: str) -> Directive | None:
    match = _DIRECTIVE.search(body)
    if match is None:
        return None
    rest = match.group("rest")
    if rest.rstrip().endswith("*/"):
        rest = rest.rstrip()[:-2]
    directive = Directive(span=span, rule_ids=(), reason="", until=None, source=source)
    ids = _IDS.match(rest)
    if ids is None:
        directive.problems.append("names no rule: write the rule ids in brackets, e.g. `guardrails: ignore[ED001]`")
    else:
        rest = rest[ids.end() :]
        names = [n for n in re.split(r"[\s,]+", ids.group("ids")) if n]
        if not names:
            directive.problems.append("has an empty rule list `[]`: name the rules it excuses")
        resolved = []
        for name in names:
            rule_id = known.get(name.upper(), known.get(name))
            if rule_id is None:
                directive.unknown.append(name)
            elif rule_id not in resolved:
                resolved.append(rule_id)
        directive.rule_ids = tuple(resolved)
    until = _UNTIL.match(rest)
    if until is not None:
        rest = rest[until.end() :]
        import datetime  # only a directive with an expiry date needs it

        try:
            directive.until = datetime.date.fromisoformat(until.group("date"))
        except ValueError:
            directive.problems.append(f"has until={until.group('date')}, which is not a date (YYYY-MM-DD)")
    directive.reason = " ".join(rest.strip(_SEPARATORS).split())
    if not directive.reason:
        directive.problems.append("gives no reason: say why after the rule list (a reason is required)")
    return directive


def may_hold_directives(doc: Document) -> bool:
    """Whether a document can hold a suppression, the cheap test before its comments are read.

    A directive is a comment holding ``guardrails: ignore``; the comments of a document with
    no embedded documents are pieces of its own text, so that text must hold one too. One
    with embedded documents (whose text may be unquoted or joined) or Kubernetes annotations
    needs only to name guardrails."""
    if MARKER not in doc.text:
        return False
    return bool(doc.children) or doc.kind is Kind.KUBERNETES or _DIRECTIVE.search(doc.text) is not None


def _known_rules(catalog: Iterable[RuleRef]) -> dict[str, str]:
    known: dict[str, str] = {}
    for rule in catalog:
        known[rule.id] = rule.id
        known[rule.name] = rule.id
    return known


def directives(host: Document, known: dict[str, str]) -> list[Directive]:
    """Every suppression in a file: comments of the file and of its embedded documents,
    and Kubernetes annotations."""
    seen: dict[tuple[int, int], tuple[Document, Comment]] = {}
    for doc in host.iter_tree():
        for comment in comments(doc):
            where = doc.host_span(Span.point(comment.line, comment.column))
            seen.setdefault((where.line, where.column), (doc, comment))
    comment_lines = {line for (line, _), (_, c) in seen.items() if c.own_line}
    found: list[Directive] = []
    for (line, column), (_, comment) in sorted(seen.items()):
        if MARKER not in comment.text:
            continue
        end = Span(line, column, line, column + len(comment.text.split("\n", 1)[0]))
        directive = _parse(comment.text, known, end, "comment")
        if directive is None:
            continue
        target = line
        if comment.own_line:
            target = line + 1
            while target in comment_lines:
                target += 1
        directive.targets = frozenset({target})
        found.append(directive)
    if host.kind is Kind.KUBERNETES and isinstance(host, TreeDocument):
        found.extend(_annotations(host, known))
    return found


def _annotations(doc: TreeDocument, known: dict[str, str]) -> Iterator[Directive]:
    for root in doc.roots:
        annotations = root.path("metadata", "annotations")
        for key, key_node, value in annotations.items() if annotations is not None else ():
            if not key.startswith(ANNOTATION_PREFIX):
                continue
            name = key[len(ANNOTATION_PREFIX) :]
            text = f"guardrails: ignore[{name}] {value.text if value.is_scalar else ''}"
            span = Span(key_node.span.line, key_node.span.column, value.span.end_line, value.span.end_column)
            directive = _parse(text, known, span, "annotation")
            if directive is not None:
                directive.region = (root.span.line, root.span.end_line)
                yield directive


# --------------------------------------------------------------------------- the stage


def apply_inline(
    findings: list[Finding],
    documents: list[Document],
    selected: Collection[str],
    resolve: Callable[[str], tuple[Rule, RuleContext]],
    today: datetime.date,
    reached: Collection[str] = frozenset(),
) -> list[Finding]:
    """Mark suppressed findings (``Finding.suppressed`` = the reason) and add GR002-GR005.

    ``selected`` are the ids of the rules this run checks; ``resolve`` gives one of them,
    instantiated with its context (the GR rules report through it). ``reached``: the paths of
    the documents that were not scanned but read through another file (a file ``dnsconfig.js``
    requires): a rule covered such a file only if it reported in it, so a directive there is
    judged unused only for the rules that did (or that never report on its kind).
    """
    marked = [doc for doc in documents if may_hold_directives(doc) and not isinstance(doc, FailedDocument)]
    if not marked:
        return findings
    from guardrails.registry import catalog as rule_catalog

    catalog = {rule.id: rule for rule in rule_catalog()}
    known = _known_rules(r for r in catalog.values() if r.id not in META_IDS)
    by_path: dict[str, tuple[Document, list[Directive]]] = {}
    for doc in marked:
        found = directives(doc, known)
        if found:
            by_path[doc.path] = (doc, found)
    for finding in findings:
        if finding.rule_id in META_IDS or finding.path not in by_path:
            continue
        for directive in by_path[finding.path][1]:
            if (
                finding.rule_id in directive.rule_ids
                and not directive.problems
                and not (directive.until is not None and directive.until < today)
                and directive.covers(finding)
            ):
                finding.suppressed = directive.reason
                directive.used.add(finding.rule_id)
                break
    reported: dict[str, set[str]] = {path: set() for path in reached}
    for finding in findings:
        if finding.path in reported:
            reported[finding.path].add(finding.rule_id)
    meta: list[Finding] = []
    for doc, found in by_path.values():
        kinds = {d.kind for d in doc.iter_tree()}
        for directive in found:
            meta.extend(_meta(directive, doc, kinds, selected, reported.get(doc.path), resolve, catalog, today))
    return findings + meta


def _meta(
    directive: Directive,
    doc: Document,
    kinds: set[Kind],
    selected: Collection[str],
    reported: Collection[str] | None,
    resolve: Callable[[str], tuple[Rule, RuleContext]],
    catalog: dict[str, RuleRef],
    today: datetime.date,
) -> Iterator[Finding]:
    """The meta findings of one directive. ``reported``: for a file reached through another,
    the rules that reported in it, the only ones known to have covered it (None: a scanned
    file, which every selected rule of its kinds covered)."""
    label = directive.label() if directive.rule_ids else "ignore"
    where = "annotation" if directive.source == "annotation" else "suppression"

    def report(rule_id: str, message: str, anchor: str) -> Iterator[Finding]:
        if rule_id in selected:
            rule, ctx = resolve(rule_id)
            yield rule.finding(doc, directive.span, message, anchor=anchor, ctx=ctx)

    reason_key = directive.reason[:80]
    for problem in directive.problems:
        yield from report(
            INVALID_ID,
            f"{where} `{label}` {problem}; it suppresses nothing",
            f"{label}:{problem.split(':')[0]}:{reason_key}",
        )
    for name in directive.unknown:
        yield from report(
            UNKNOWN_ID,
            f"{where} names unknown rule {name!r}; `guardrails rules` lists the ids and names",
            f"unknown:{name}:{reason_key}",
        )
    if directive.problems:
        return
    if directive.until is not None and directive.until < today:
        yield from report(
            EXPIRED_ID,
            f"{where} `{label}` expired on {directive.until.isoformat()} (reason given: {directive.reason!r}); "
            "the findings it excused are reported again",
            f"{label}:until={directive.until.isoformat()}:{reason_key}",
        )
        return
    for rule_id in directive.rule_ids:
        if rule_id in directive.used:
            continue
        rule = catalog[rule_id]
        covered = selected if reported is None else reported
        if not (reported is not None and rule_id in reported) and not (rule.kinds & kinds):
            reads = ", ".join(sorted(k.value for k in rule.kinds))
            message = (
                f"{where} `{label}` excuses {rule_id} ({rule.name}), which never reports on a "
                f"{doc.kind.value} file (it reads {reads}); remove it"
            )
        elif rule_id in covered:
            what = "this object" if directive.region is not None else f"line {min(directive.targets)}"
            message = f"{where} `{label}` excuses {rule_id} ({rule.name}) but {rule_id} reports nothing on {what}"
        else:
            continue
        yield from report(UNUSED_ID, message, f"unused:{rule_id}:{reason_key}")
