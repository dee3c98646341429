"""Shell scripts through tree-sitter-bash, flattened into commands with their context.

A rule needs three things about a command: its words, what feeds its standard input
(heredoc, here-string, pipe, file), and which conditions it runs under (``if``,
``case``, ``&&``/``||``). Guards such as ``[ "$ENV" != production ] && …`` are read
from those conditions by the rules; the parser only records them faithfully.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import tree_sitter

from guardrails.documents import Condition, Redirect, ShellAssignment, ShellCommand, ShellDocument, Word
from guardrails.model import Kind, ParseError, Span
from guardrails.parsers._treesitter import Source, parser

_EXPANSION_TYPES = {
    "simple_expansion",
    "expansion",
    "command_substitution",
    "arithmetic_expansion",
    "process_substitution",
}
_TEST_PARTS = {"binary_expression", "unary_expression", "parenthesized_expression", "negated_expression"}
_BRANCH_PUNCTUATION = {"if", "elif", "fi", ";", "&", "comment", "elif_clause", "else_clause"}
_SEQUENCES = {"program", "compound_statement", "subshell", "do_group", "else_clause"}
_SIMPLE = {"command", "test_command", "declaration_command", "variable_assignment"}
_STATEMENTS = (
    _SEQUENCES
    | _SIMPLE
    | {
        "ERROR",
        "list",
        "redirected_statement",
        "pipeline",
        "negated_command",
        "if_statement",
        "case_statement",
        "while_statement",
        "until_statement",
        "for_statement",
        "c_style_for_statement",
        "function_definition",
        "variable_assignments",
    }
)
# Reserved words (bash manual, "Reserved Words") that cannot name a command; after an
# opener a command follows on the same line, after a closer none does.
_OPENERS = frozenset({"do", "then", "else", "elif", "if", "while", "until", "!", "{"})
_CLOSERS = frozenset({"done", "fi", "esac", "}"})
_RESERVED = _OPENERS | _CLOSERS | {"in", "for", "case", "select", "function"}


# Blanks (a line continuation among them), then a reserved word that may follow a command list.
_RESERVED_AFTER = re.compile(rb"(?:[ \t]|\\\n)+(?:then|do|done|fi|else|elif|esac|\})(?=[\s;&|)]|\Z)")
# Blanks, then a parameter that starts a substring offset (``$n``, ``$1``): the ``$`` is matched last.
_OFFSET_PARAMETER = re.compile(rb"[ \t]*\$(?=[A-Za-z0-9_])")
_MAX_MENDS = 8
_COMPOUND = frozenset(
    {
        *("subshell", "compound_statement", "if_statement", "case_statement"),
        *("for_statement", "c_style_for_statement", "while_statement", "until_statement"),
    }
)


# More than this share of a script unreadable (by characters and by lines): it is not
# shell that tree-sitter merely misread, and the file is reported as unparseable (GR001).
UNREAD_LIMIT = 0.5
# Re-parses of misread regions per script: each drops one line, so a pathological input
# cannot make parsing quadratic.
_MAX_REREADS = 64


def parse(path: str, text: str, kind: Kind) -> ShellDocument:
    """Parse a script, tolerating what tree-sitter-bash cannot read.

    tree-sitter-bash misreads some valid shell (``[ "$a" '<' "$b" ]``, ``for x do``, a
    ``for`` whose ``in`` is on the next line) and marks the region ERROR while the rest of
    the tree stays sound. Those regions are left out and everything around them is
    analysed: statements inside an ERROR node are walked as usual; a command that an
    error runs through over several lines loses its first line (where the misread
    construct starts) and the lines after it are parsed again; reserved words misread as
    command names (``do``, ``then``, ``done``) are put back in their place; the variable
    of a misread ``for`` is still a loop variable. A script is refused (GR001) when
    tree-sitter had to insert a token it lacks (an unclosed ``if``, loop or quote: bash
    refuses it too), when most of its code is unread (see ``_mostly_unread``: not shell),
    or when it holds a NUL byte (binary data, which no shell runs).
    """
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ParseError("not a shell script: it holds binary data (a NUL byte)", line, 1)
    source = Source(text)
    tree = _tree(source)
    if not tree.root_node.has_error and _shallow(tree):
        return ShellDocument(path=path, kind=kind, text=text, walk=_walk)
    walker = _Walker(source)
    try:
        walker.statement(tree.root_node, [], None)
    except RecursionError:
        raise ParseError("shell script nested too deeply to analyse") from None
    if tree.root_node.has_error:
        missing = _first_missing(tree.root_node)
        if missing is not None:
            span = source.span(missing)
            raise ParseError(f"invalid shell script: missing {missing.type!r}", span.line, span.column)
        if _mostly_unread(source, walker.unread):
            first = _span_of(source, *_merge(walker.unread)[0])
            raise ParseError("invalid shell script: most of it cannot be read as shell", first.line, first.column)
    doc = ShellDocument(path=path, kind=kind, text=text)
    _fill(doc, source, walker)
    return doc


# A tree no deeper than this is walked in well under a third of Python's default recursion
# limit (the walker takes at most three frames a level), wherever the walk is asked for.
_LAZY_DEPTH = 100


def _offset_parameter(node: Any, data: bytes) -> int | None:
    """Where the ``$`` of ``${name:$offset}`` is, when tree-sitter stopped the expansion there
    (it inserted the closing brace right after the colon)."""
    children = node.children
    if len(children) < 2 or not children[-1].is_missing or children[-2].type != ":":
        return None
    found = _OFFSET_PARAMETER.match(data, children[-2].end_byte)
    return found.end() - 1 if found is not None else None


def _shallow(tree: tree_sitter.Tree) -> bool:
    """Whether no node of ``tree`` is deeper than ``_LAZY_DEPTH``: then walking it later cannot
    fail, and a script that could not be walked is still refused at once (GR001). A cursor
    visits the nodes in C (95,000 nodes: about 15 ms)."""
    cursor = tree.walk()
    depth = 0
    while True:
        if cursor.goto_first_child():
            depth += 1
            if depth > _LAZY_DEPTH:
                return False
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return True
            depth -= 1


def _walk(doc: ShellDocument) -> None:
    """The walk the parser left for first use: the text is parsed again (tree-sitter's part
    costs a tenth of the walk), so a document never holds a tree."""
    source = Source(doc.text)
    walker = _Walker(source)
    walker.statement(_tree(source).root_node, [], None)
    _fill(doc, source, walker)


def _tree(source: Source) -> tree_sitter.Tree:
    """The script's tree. tree-sitter-bash misreads two constructs bash accepts, which are
    mended in the bytes it parses (same length: every span still reads the original text):

    * a compound command followed by a reserved word with no separator (``if (pg_isready -q)
      then``, ``while (check 'x') do``, ``fi done``): after ``)``, ``fi``, ``done``, ``esac`` or
      ``}`` a reserved word is one. The first blank after such a command is read as ``;``;
    * a substring offset that starts with a parameter (``${@:$n}``, ``${line:$i:2}``): the
      ``$`` is read as ``_``, an arithmetic name like the plain ``${line:i:2}`` it stands for.

    A script whose last line has no newline is read with one: cut off inside an ``if`` or a
    loop, tree-sitter-bash marks the end an ERROR instead of a missing ``fi``, and the script,
    which bash refuses, passed as valid."""
    data = _mask_astral(source.data)
    if not data.endswith(b"\n"):
        data += b"\n"
    tree = parser("bash").parse(data)
    # A command is read right once the one inside it is: each round mends what it reads.
    for _ in range(_MAX_MENDS):
        if not tree.root_node.has_error:
            break
        patched = bytearray(data)
        stack = [tree.root_node]
        while stack:
            node = stack.pop()
            if node.type in _COMPOUND and not node.has_error and _RESERVED_AFTER.match(data, node.end_byte):
                patched[node.end_byte] = ord(";")
            elif node.type == "expansion" and (dollar := _offset_parameter(node, data)) is not None:
                patched[dollar] = ord("_")
            stack.extend(node.children)
        if patched == data:
            break
        data = bytes(patched)
        tree = parser("bash").parse(data)
    return tree


def _fill(doc: ShellDocument, source: Source, walker: _Walker) -> None:
    doc.commands = walker.commands
    doc.assignments = walker.assignments
    doc.options = _shell_options(doc.text, walker.commands)
    doc.unread = [_span_of(source, start, end) for start, end in _merge(walker.unread, source.data)]


def _first_missing(root: Any) -> Any | None:
    """The first token tree-sitter had to insert (a ``fi``, ``done``, ``}`` or closing quote
    the script lacks). Valid shell it misreads gives ERROR nodes, never these: a script cut
    off inside an ``if`` is refused by bash as well."""
    stack = [root]
    while stack:
        node = stack.pop()
        if node.is_missing:
            return node
        if node.has_error:
            stack.extend(reversed(node.children))
    return None


@cache
def _range_parser() -> tree_sitter.Parser:
    """A bash parser of its own for parts of a script (its ``included_ranges`` change)."""
    return tree_sitter.Parser(parser("bash").language)


def _closes(node: Any, source: Source) -> bool:
    """A closer whose opener the parser never saw: ``fi`` read as a command or a token."""
    if node.type in _CLOSERS:
        return True
    if node.type == "command":
        name = node.child_by_field_name("name")
        return name is not None and source.text_of(name) in _CLOSERS
    return node.type == "ERROR" and any(c.type in _CLOSERS for c in node.children)


def _merge(ranges: list[tuple[int, int]], data: bytes = b"") -> list[tuple[int, int]]:
    """Sorted, overlapping ranges joined (and, given the text, those only blanks apart on a line)."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        gap = data[merged[-1][1] : start] if merged and data else b"x"
        if merged and (start <= merged[-1][1] or (not gap.strip() and b"\n" not in gap)):
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _mostly_unread(source: Source, unread: list[tuple[int, int]]) -> bool:
    """More than ``UNREAD_LIMIT`` of the code is unread, counted both ways: by non-blank
    characters and by lines (comment and blank lines left out). Characters alone would
    refuse a short script with one long misread line, lines alone a one-line script
    whose misread keyword (``for x do``) shares the line with what was read."""
    data = source.data
    code_rows = {
        row for row, line in enumerate(data.split(b"\n")) if line.strip() and not line.lstrip().startswith(b"#")
    }
    total = sum(len(b"".join(line.split())) for row, line in enumerate(data.split(b"\n")) if row in code_rows)
    if not total:
        return False
    merged = _merge(unread)
    lost = sum(len(b"".join(data[start:end].split())) for start, end in merged)
    rows: set[int] = set()
    for start, end in merged:
        first = data.count(b"\n", 0, start)
        rows.update(range(first, first + data.count(b"\n", start, max(start, end - 1)) + 1))
    return lost / total > UNREAD_LIMIT and len(rows & code_rows) / len(code_rows) > UNREAD_LIMIT


def _span_of(source: Source, start: int, end: int) -> Span:
    data = source.data
    line = data.count(b"\n", 0, start) + 1
    end_line = line + data.count(b"\n", start, end)
    first = data.rfind(b"\n", 0, start) + 1
    last = data.rfind(b"\n", 0, end) + 1
    column = len(data[first:start].decode("utf-8", "replace")) + 1
    end_column = len(data[last:end].decode("utf-8", "replace")) + 1
    return Span(line, column, end_line, end_column)


_ASTRAL = re.compile(b"[\xf0-\xf4][\x80-\xbf]{3}")


def _mask_astral(data: bytes) -> bytes:
    """tree-sitter-bash's scanner segfaults on some characters beyond the BMP (the fuzz run
    found ``n{`` U+E4DFF ``$``). Each becomes four ASCII word bytes for the parse only: the same
    length, so every node's byte range still reads the original text."""
    return _ASTRAL.sub(b"____", data)


def _shell_options(text: str, commands: list[ShellCommand]) -> set[str]:
    """Options switched on for the whole script: ``set -u``, ``set -o nounset``, shebang flags."""
    options: set[str] = set()
    first = text.split("\n", 1)[0]
    if first.startswith("#!"):
        for token in first.split()[1:]:
            if token.startswith("-") and not token.startswith("--"):
                options.update(token[1:])
    for cmd in commands:
        if cmd.command != "set" or cmd.conditions or cmd.function:
            continue
        argv = cmd.argv
        for i, arg in enumerate(argv):
            if arg.startswith("-") and arg != "-o" and not arg.startswith("--"):
                options.update(arg[1:])
            elif arg == "-o" and i + 1 < len(argv):
                options.add(argv[i + 1])
    if "nounset" in options:
        options.add("u")
    if "errexit" in options:
        options.add("e")
    return options


class _Walker:
    def __init__(self, source: Source) -> None:
        self.source = source
        self.commands: list[ShellCommand] = []
        self.assignments: list[ShellAssignment] = []
        self.unread: list[tuple[int, int]] = []  # byte ranges left out of the analysis
        self.rereads = _MAX_REREADS

    # -- statements --------------------------------------------------------------

    def statements(self, nodes: list[Any], conds: list[Condition], function: str | None) -> list[ShellCommand]:
        found: list[ShellCommand] = []
        for node in nodes:
            found.extend(self.statement(node, conds, function))
        return found

    def statement(self, node: Any, conds: list[Condition], function: str | None) -> list[ShellCommand]:
        t = node.type
        if t == "ERROR":
            return self.error_region(node, conds, function)
        if t in _SIMPLE and node.has_error and node.start_point[0] != node.end_point[0]:
            return self.reread(node, conds, function)
        if t == "command":
            cmd = self.command(node, conds, function)
            return [cmd] if cmd is not None else []
        if t == "test_command":
            return [self.test_command(node, conds, function)]
        if t in _SEQUENCES:
            return self.statements(node.children, conds, function)
        if t == "list":
            return self.and_or(node, conds, function)
        if t == "pipeline":
            return self.pipeline(node, conds, function)
        if t == "negated_command":
            return self.statements(node.children[1:], conds, function)
        if t == "redirected_statement":
            return self.redirected(node, conds, function)
        if t == "if_statement":
            return self.if_statement(node, conds, function)
        if t == "case_statement":
            return self.case_statement(node, conds, function)
        if t in ("while_statement", "until_statement"):
            return self.loop(node, conds, function)
        if t in ("for_statement", "c_style_for_statement"):
            variable = node.child_by_field_name("variable")
            if variable is not None:
                span = self.source.span(variable)
                self.assignments.append(
                    ShellAssignment(
                        self.source.text_of(variable), None, span, list(conds), function, len(self.commands), loop=True
                    )
                )
            body = [c for c in node.children if c.type == "do_group"]
            return self.statements(body, conds, function)
        if t == "function_definition":
            name = next((self.source.text_of(c) for c in node.children if c.type == "word"), "")
            body = [c for c in node.children if c.type in ("compound_statement", "subshell")]
            return self.statements(body, conds, name or function)
        if t in ("variable_assignment", "declaration_command", "variable_assignments"):
            found = self.nested_commands(node, conds, function)
            self.record_assignments(node, conds, function)
            return found
        return []

    def reread(self, node: Any, conds: list[Condition], function: str | None) -> list[ShellCommand]:
        """An error runs through a command over several lines: tree-sitter glued the lines
        after a construct it misread (its first line) into one command's words. The first
        line stays unread; the lines after it are parsed again on their own, in place, and
        what they hold sits under an ``unread`` condition: the misread line may have been
        an ``if`` that guards them."""
        data = self.source.data
        cut = data.find(b"\n", node.start_byte, node.end_byte) + 1
        self.unread.append((node.start_byte, cut))
        if self.rereads <= 0:
            self.unread.append((cut, node.end_byte))
            return []
        self.rereads -= 1
        first = self.source.text_of(node).split("\n", 1)[0]
        cond = Condition("unread", first, self.source.span(node))
        row = node.start_point[0] + 1
        end_row, end_column = node.end_point
        ranged = _range_parser()
        ranged.included_ranges = [tree_sitter.Range((row, 0), (end_row, end_column), cut, node.end_byte)]
        tree = ranged.parse(_mask_astral(data))
        # The misread line may open an if or loop: what follows sits under it up to the
        # first closer left without its opener (``fi``, ``done``...), then no longer.
        found: list[ShellCommand] = []
        inner = [*conds, cond]
        for child in tree.root_node.children:
            found.extend(self.statement(child, inner, function))
            if inner is not conds and _closes(child, self.source):
                inner = conds
        return found

    def error_region(self, node: Any, conds: list[Condition], function: str | None) -> list[ShellCommand]:
        """What tree-sitter could not fit into the grammar: its complete statements are
        walked, the loose tokens between them are unread (a ``for NAME`` whose ``in``/``do``
        it missed still makes NAME a loop variable)."""
        found: list[ShellCommand] = []
        children = node.children
        for i, child in enumerate(children):
            t = child.type
            if t == "comment" or child.is_missing:
                continue
            if t in _STATEMENTS:
                found.extend(self.statement(child, conds, function))
                continue
            if t in ("for", "select"):
                continue
            if t == "variable_name" and i > 0 and children[i - 1].type in ("for", "select"):
                self.assignments.append(
                    ShellAssignment(
                        self.source.text_of(child),
                        None,
                        self.source.span(child),
                        list(conds),
                        function,
                        len(self.commands),
                        loop=True,
                    )
                )
                continue
            self.unread.append((child.start_byte, child.end_byte))
        return found

    def record_assignments(self, node: Any, conds: list[Condition], function: str | None) -> None:
        """Standalone ``X=…`` (also under ``export``/``local``/``readonly``): guards read defaults."""
        targets = [node] if node.type == "variable_assignment" else list(node.children)
        for target in targets:
            if target.type == "variable_assignment":
                name_node = target.child_by_field_name("name")
                value_node = target.child_by_field_name("value")
            elif target.type == "variable_name" and node.type == "declaration_command":
                name_node, value_node = target, None
            else:
                continue
            if name_node is None:
                continue
            value = self.word(value_node) if value_node is not None else None
            self.assignments.append(
                ShellAssignment(
                    self.source.text_of(name_node),
                    value,
                    self.source.span(target),
                    conditions=list(conds),
                    function=function,
                    index=len(self.commands),
                )
            )

    def and_or(self, node: Any, conds: list[Condition], function: str | None) -> list[ShellCommand]:
        # ``a && b || c`` nests to the left, ((a && b) || c): walk that spine in a loop, so a
        # long chain cannot exhaust the Python stack.
        levels: list[list[Any]] = []
        while node.type == "list":
            levels.append([c for c in node.children if c.type not in ("comment",)])
            node = levels[-1][0]
        found = self.statement(node, conds, function)
        for children in reversed(levels):
            left, op, right = children[0], children[1], children[-1]
            kind = "and" if self.source.text_of(op) == "&&" else "or"
            cond = Condition(kind, self.source.text_of(left), self.source.span(left), tests=found)
            found = found + self.statement(right, [*conds, cond], function)
        return found

    def pipeline(self, node: Any, conds: list[Condition], function: str | None) -> list[ShellCommand]:
        found: list[ShellCommand] = []
        upstream: list[ShellCommand] = []
        for child in node.children:
            if child.type in ("|", "|&"):
                continue
            cmds = self.statement(child, conds, function)
            for cmd in cmds:
                cmd.pipe_from = list(upstream)
            upstream.extend(cmds)
            found.extend(cmds)
        return found

    def redirected(self, node: Any, conds: list[Condition], function: str | None) -> list[ShellCommand]:
        body = node.child_by_field_name("body") or node.children[0]
        cmds = self.statement(body, conds, function)
        redirects = [self.redirect(c) for c in node.children if c.type.endswith("redirect")]
        if cmds:
            cmds[-1].redirects.extend(redirects)
        return cmds

    def redirect(self, node: Any) -> Redirect:
        span = self.source.span(node)
        if node.type == "heredoc_redirect":
            start = next((c for c in node.children if c.type == "heredoc_start"), None)
            body = next((c for c in node.children if c.type == "heredoc_body"), None)
            delimiter = self.source.text_of(start).strip("'\"") if start is not None else ""
            body_text = self.source.text_of(body) if body is not None else ""
            return Redirect("<<", delimiter, heredoc_body=body_text, span=span)
        op = next((self.source.text_of(c) for c in node.children if not c.is_named), "")
        target_node = node.children[-1]
        target = self.word(target_node).value if target_node.is_named else ""
        if node.type == "herestring_redirect":
            return Redirect("<<<", target, heredoc_body=target, span=span)
        return Redirect(op, target, span=span)

    def if_statement(self, node: Any, conds: list[Condition], function: str | None) -> list[ShellCommand]:
        found: list[ShellCommand] = []
        failed: list[ShellCommand] = []
        for kind, test_nodes, body_nodes in self._branches(node):
            branch_conds = list(conds)
            if failed:
                branch_conds.append(Condition("else", "", self.source.span(node), tests=list(failed)))
            if kind == "else":
                found.extend(self.statements(body_nodes, branch_conds, function))
                continue
            tests = self.statements(test_nodes, branch_conds, function)
            found.extend(tests)
            text = " ".join(self.source.text_of(n) for n in test_nodes)
            span = self.source.span(test_nodes[0]) if test_nodes else self.source.span(node)
            cond = Condition(kind, text, span, tests=tests)
            found.extend(self.statements(body_nodes, [*branch_conds, cond], function))
            failed.extend(tests)
        return found

    def _branches(self, node: Any) -> list[tuple[str, list[Any], list[Any]]]:
        """(kind, test nodes, body nodes) for the if, each elif and the else."""
        branches: list[tuple[str, list[Any], list[Any]]] = []
        parts: list[tuple[str, Any]] = [("if", node)]
        parts += [("elif", c) for c in node.children if c.type == "elif_clause"]
        for kind, part in parts:
            tests: list[Any] = []
            body: list[Any] = []
            target = tests
            for child in part.children:
                if child.type in ("if", "elif", "fi", ";", "&", "comment") or child.type in (
                    "elif_clause",
                    "else_clause",
                ):
                    continue
                if child.type == "then":
                    target = body
                    continue
                target.append(child)
            branches.append((kind, tests, body))
        for child in node.children:
            if child.type == "else_clause":
                branches.append(("else", [], [c for c in child.children if c.type not in ("else", "comment")]))
        return branches

    def case_statement(self, node: Any, conds: list[Condition], function: str | None) -> list[ShellCommand]:
        subject_node = node.child_by_field_name("value")
        subject = self.word(subject_node) if subject_node is not None else None
        found = self.nested_commands(subject_node, conds, function) if subject_node is not None else []
        for item in (c for c in node.children if c.type == "case_item"):
            patterns: list[str] = []
            body: list[Any] = []
            in_body = False
            for child in item.children:
                if child.type == ")":
                    in_body = True
                elif not in_body and child.is_named and child.type != "comment":
                    patterns.append(self.word(child).value)
                elif in_body and child.type not in (";;", ";&", ";;&", "comment"):
                    body.append(child)
            cond = Condition(
                "case", self.source.text_of(item), self.source.span(item), subject=subject, patterns=patterns
            )
            found.extend(self.statements(body, [*conds, cond], function))
        return found

    def loop(self, node: Any, conds: list[Condition], function: str | None) -> list[ShellCommand]:
        tests_nodes = [c for c in node.children if c.is_named and c.type not in ("do_group", "comment")]
        tests = self.statements(tests_nodes, conds, function)
        kind = "while" if node.type == "while_statement" else "until"
        text = " ".join(self.source.text_of(n) for n in tests_nodes)
        cond = Condition(kind, text, self.source.span(node), tests=tests)
        body = [c for c in node.children if c.type == "do_group"]
        return tests + self.statements(body, [*conds, cond], function)

    # -- commands ----------------------------------------------------------------

    def command(self, node: Any, conds: list[Condition], function: str | None) -> ShellCommand | None:
        name: Word | None = None
        args: list[Word] = []
        assignments: dict[str, str] = {}
        redirects: list[Redirect] = []
        for child in node.children:
            if child.type == "command_name":
                name = self.word(child.children[0]) if child.children else None
                self.nested_commands(child, conds, function)
            elif child.type == "variable_assignment":
                parts = child.children
                key = self.source.text_of(parts[0])
                value = self.word(parts[2]).value if len(parts) > 2 else ""
                assignments[key] = value
                self.nested_commands(child, conds, function)
            elif child.type.endswith("redirect"):
                redirects.append(self.redirect(child))
            elif child.is_named and child.type != "comment":
                args.append(self.word(child))
                self.nested_commands(child, conds, function)
        while name is not None and name.static and name.text in _RESERVED:
            # ``do``/``then``/``done`` read as a command name: tree-sitter lost the compound
            # around it. What follows an opener is the command; after a closer, nothing is.
            if name.text not in _OPENERS or not args:
                return None
            name, args = args[0], args[1:]
        cmd = ShellCommand(
            name=name,
            args=args,
            span=self.source.span(node),
            text=self.source.text_of(node),
            conditions=list(conds),
            redirects=redirects,
            assignments=assignments,
            function=function,
        )
        return self._record(cmd)

    def test_command(self, node: Any, conds: list[Condition], function: str | None) -> ShellCommand:
        """``[ a = b ]`` and ``[[ … ]]`` as a command named ``[`` whose words are the operands."""
        opener = node.children[0]
        words: list[Word] = []
        stack = list(node.children[1:-1])
        while stack:
            child = stack.pop(0)
            if child.type in _TEST_PARTS:
                stack[0:0] = list(child.children)
                continue
            if child.type == "comment":
                continue
            words.append(self.word(child))
            self.nested_commands(child, conds, function)
        name = Word(self.source.text_of(opener), self.source.text_of(opener), True, self.source.span(opener))
        cmd = ShellCommand(
            name=name,
            args=words,
            span=self.source.span(node),
            text=self.source.text_of(node),
            conditions=list(conds),
            function=function,
        )
        return self._record(cmd)

    def _record(self, cmd: ShellCommand) -> ShellCommand:
        cmd.index = len(self.commands)
        self.commands.append(cmd)
        return cmd

    def nested_commands(self, node: Any, conds: list[Condition], function: str | None) -> list[ShellCommand]:
        """Commands inside ``$( … )``, backticks and ``<( … )``: they run too."""
        found: list[ShellCommand] = []
        stack = [node]
        while stack:
            current = stack.pop()
            if current.type in ("command_substitution", "process_substitution"):
                found.extend(self.statements(current.children, conds, function))
                continue
            stack.extend(reversed(current.children))
        return found

    # -- words ---------------------------------------------------------------------

    def word(self, node: Any) -> Word:
        text = self.source.text_of(node)
        span = self.source.span(node)
        expansions: list[str] = []
        value = self._unquote(node, expansions)
        return Word(text=text, value=value, static=not expansions, span=span, expansions=expansions)

    def _unquote(self, node: Any, expansions: list[str]) -> str:
        t = node.type
        if t in _EXPANSION_TYPES:
            expansions.append(self.source.text_of(node))
            return self.source.text_of(node)
        if t == "ERROR":  # text tree-sitter could not read: an unknown value, like an expansion
            self.unread.append((node.start_byte, node.end_byte))
            expansions.append(self.source.text_of(node))
            return self.source.text_of(node)
        if t == "raw_string":
            return self.source.text_of(node)[1:-1]
        if t == "ansi_c_string":
            return self.source.text_of(node)[2:-1]
        if t == "string":
            return "".join(self._unquote(c, expansions) for c in node.children if c.type != '"')
        if t == "concatenation":
            return "".join(self._unquote(c, expansions) for c in node.children)
        if t == "string_content":
            return self.source.text_of(node).replace('\\"', '"').replace("\\$", "$").replace("\\\\", "\\")
        if t == "word":
            raw = self.source.text_of(node)
            return _unescape_word(raw)
        return self.source.text_of(node)


def _unescape_word(raw: str) -> str:
    if "\\" not in raw:
        return raw
    out = []
    i = 0
    while i < len(raw):
        if raw[i] == "\\" and i + 1 < len(raw):
            if raw[i + 1] != "\n":
                out.append(raw[i + 1])
            i += 2
            continue
        out.append(raw[i])
        i += 1
    return "".join(out)
