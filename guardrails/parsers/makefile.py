"""Makefile parser: a small hand-written reader of GNU make syntax (``read.c`` rules).

Positions: every ``Span`` uses 1-based lines and columns that count characters (a tab
is one column; a UTF-8 byte-order mark at the start of the file is not counted).
``end_column`` is exclusive: one past the last character. ``\\r\\n`` is one line break
and ``\\r`` never appears in returned text.

Output:

* ``recipes``: one ``RecipeLine`` per recipe command (a recipe-prefix line, or the
  text after ``;`` on a rule line), in source order, with the rule's targets as
  written (``"build test"``, ``"$(OBJS)"``). Conditionals are not evaluated, so the
  recipes of every branch are kept. A command continued with backslash-newline is
  one ``RecipeLine`` spanning all its lines; line ``k`` of ``text`` is file line
  ``span.line + k - 1`` and the first line starts at ``span.column``.
* ``RecipeLine.text`` is the command as a shell parser should read it, with every
  character at its source column: the leading ``@``/``-``/``+`` flags and blanks
  are skipped (``span`` starts after them); the recipe prefix that make removes from
  continuation lines becomes a space; make references become shell expansions of
  the same length: ``$(VAR)`` and ``${VAR}`` -> ``${VAR}`` (characters a shell name
  cannot hold become ``_``, so ``$(patsubst %.c,%.o,$(X))`` is one opaque
  expansion), ``$(shell cmd)`` -> ``$(     cmd)`` (a command substitution of the
  same command), ``$<``/``$^``/``$+``/``$|``/``$%`` -> ``$_``; and ``$$`` (a literal
  ``$`` for the shell) -> ``$`` with one space added at the start of its word
  (``$$HOME`` -> `` $HOME``, ``a/$$x`` -> `` a/$x``), which never splits a word.
* ``variables``: global assignments in source order, values unexpanded with
  comments and surrounding blanks removed: ``=``, ``:=``, ``::=``, ``:::=`` set,
  ``?=`` sets when unset, ``+=`` appends with a space, ``!=`` keeps the shell
  command, ``define`` keeps its body lines, ``undefine`` removes. Target-specific
  assignments (``target: X = 1``) are not global and are left out.

Leniency, on purpose: a variable assignment or ``export`` line between recipe lines
does not end the rule (GNU make before 4.4 behaved so; 4.4 rejects the recipe line
after it), and a line that is only a make expansion (``$(eval ...)``) may expand to a
rule header, so the recipe lines after it are kept with that text as the target.
"""

from __future__ import annotations

from guardrails.documents import MakefileDocument, RecipeLine
from guardrails.model import Kind, ParseError, Span
from guardrails.records import Record

_CONDITIONALS = frozenset({"ifeq", "ifneq", "ifdef", "ifndef"})
_MODIFIERS = frozenset({"export", "unexport", "override", "private"})
_INCLUDES = frozenset({"include", "-include", "sinclude"})
_DIRECTIVES = frozenset({"export", "unexport", "vpath", "load", "-load"})
# make's automatic variables a shell would misread ($< is a redirection to bash).
_AUTOMATIC = frozenset("<^+|%")
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


class _Assignment(Record):
    """A parsed variable assignment: ``kind`` is ``set``, ``define`` or ``undefine``."""

    __slots__ = ("kind", "modifiers", "name", "op", "value")

    def __init__(
        self,
        kind: str,
        name: str,
        op: str = "=",
        value: str = "",
        modifiers: set[str] | None = None,
    ) -> None:
        self.kind = kind
        self.name = name
        self.op = op
        self.value = value
        self.modifiers: set[str] = set() if modifiers is None else modifiers


def parse(path: str, text: str, kind: Kind) -> MakefileDocument:
    """Parse a Makefile; raises ``ParseError`` where GNU make stops reading it."""
    return _Reader(text).read(MakefileDocument(path=path, kind=kind, text=text))


class _Reader:
    """One pass over the logical lines, keeping make's reading state."""

    def __init__(self, text: str) -> None:
        lines = [line.rstrip("\r") for line in text.split("\n")]
        if lines and lines[0].startswith("\ufeff"):
            lines[0] = lines[0][1:]
        self.lines = lines
        self.prefix = "\t"
        self.target: str | None = None  # the rule that recipe lines belong to
        self.no_targets = False  # a rule with no targets: make ignores its recipe
        self.conditionals: list[tuple[int, int, bool]] = []  # (line, column, seen else)
        self.recipes: list[RecipeLine] = []
        self.variables: dict[str, str] = {}

    def read(self, document: MakefileDocument) -> MakefileDocument:
        index = 0
        while index < len(self.lines):
            index = self._line(index, self._logical_end(index)) + 1
        if self.conditionals:
            line_no, column, _seen = self.conditionals[-1]
            raise ParseError("missing 'endif': conditional not closed at end of file", line_no, column)
        document.recipes = self.recipes
        document.variables = self.variables
        return document

    def _logical_end(self, index: int) -> int:
        """Index of the last physical line of the logical line starting at ``index``."""
        while index + 1 < len(self.lines) and _continues(self.lines[index]):
            index += 1
        return index

    # ----------------------------------------------------------------------- lines

    def _line(self, start: int, end: int) -> int:
        """Handle the logical line ``start..end``; returns the last line it consumed."""
        first = self.lines[start]
        if not first:
            return end
        if first[0] == self.prefix and self.target is not None:
            if not self.no_targets:
                self._recipe(start, end, 1)
            return end
        clean = _strip_comment(_collapse(self.lines[start : end + 1])).strip()
        column = len(first) - len(first.lstrip()) + 1
        assignment = _parse_assignment(clean, targvar=False)
        if assignment is not None:
            return self._assign(assignment, start, end, column)
        if not clean:
            return end
        word, rest = _first_word(clean)
        if self._conditional(word, rest, start + 1, column):
            return end
        if word in _INCLUDES:
            self.target = None  # include ends the rule, as in make
            return end
        if word in _DIRECTIVES:
            return end
        if first[0] == self.prefix:
            raise ParseError("recipe commences before first target", start + 1, 1)
        if word == "endef":
            raise ParseError("extraneous 'endef' without 'define'", start + 1, column)
        self._rule(start, end, column)
        return end

    def _conditional(self, word: str, rest: str, line_no: int, column: int) -> bool:
        """Track ifeq/ifneq/ifdef/ifndef/else/endif nesting; True when ``word`` is one."""
        if word in _CONDITIONALS:
            self.conditionals.append((line_no, column, False))
            return True
        if word == "else":
            if not self.conditionals:
                raise ParseError("extraneous 'else' without a conditional", line_no, column)
            opened, opened_column, seen = self.conditionals[-1]
            if seen:
                raise ParseError("only one 'else' per conditional", line_no, column)
            if _first_word(rest)[0] in _CONDITIONALS:
                return True  # ``else ifeq ...`` stays at the same level
            self.conditionals[-1] = (opened, opened_column, True)
            return True
        if word == "endif":
            if not self.conditionals:
                raise ParseError("extraneous 'endif' without a conditional", line_no, column)
            self.conditionals.pop()
            return True
        return False

    def _assign(self, assignment: _Assignment, start: int, end: int, column: int) -> int:
        """Apply an assignment; returns the last line consumed (``endef`` for a define)."""
        if assignment.kind == "undefine":
            self.variables.pop(assignment.name, None)
            return end
        if assignment.kind == "define":
            if not assignment.name:
                raise ParseError("empty variable name after 'define'", start + 1, column)
            assignment.value, end = self._define_body(start, end, column)
        elif not assignment.name:
            raise ParseError("empty variable name", start + 1, column)
        name, value, op = assignment.name, assignment.value, assignment.op
        if op == "+=":
            old = self.variables.get(name, "")
            self.variables[name] = f"{old} {value}" if old and value else old or value
        elif op == "?=":
            self.variables.setdefault(name, value)
        else:
            self.variables[name] = value
        if name == ".RECIPEPREFIX":
            self.prefix = self.variables[name][:1] or "\t"
        return end

    def _define_body(self, start: int, end: int, column: int) -> tuple[str, int]:
        """Skip to the matching ``endef`` (nested defines count, as in make's
        ``do_define``); returns the body and the ``endef`` line."""
        depth = 1
        body: list[str] = []
        index = end + 1
        while index < len(self.lines):
            last = self._logical_end(index)
            line = _collapse(self.lines[index : last + 1])
            if not line.startswith(self.prefix):
                word = _first_word(line.strip())[0]
                if word == "define":
                    depth += 1
                elif word == "endef":
                    depth -= 1
                    if depth == 0:
                        return "\n".join(body), last
            body.append(line)
            index = last + 1
        raise ParseError("missing 'endef', unterminated 'define'", start + 1, column)

    def _rule(self, start: int, end: int, column: int) -> None:
        """A rule line ``targets: prereqs [; recipe]`` (or ``::`` / ``&:``)."""
        raw = "\n".join(self.lines[start : end + 1])
        stop = _find_unquoted(raw, ";#")
        semicolon = stop if stop >= 0 and raw[stop] == ";" else -1
        head_raw = raw[:stop] if stop >= 0 else raw
        head = _collapse(head_raw.split("\n"))
        if semicolon >= 0 and not head.strip():
            raise ParseError("missing rule before recipe", start + 1, column)
        colon = _find_unquoted(head, ":")
        if colon < 0:
            if "$" in head:
                # Only make can tell what this expands to; it may be a rule header.
                self.target, self.no_targets = " ".join(head.split()), False
                if semicolon >= 0:
                    self._inline_recipe(raw, semicolon, start)
                return
            hint = " (did you mean TAB instead of 8 spaces?)" if raw.startswith(" " * 8) else ""
            raise ParseError(f"missing separator{hint}", start + 1, column)
        targets_end = colon - 1 if colon > 0 and head[colon - 1] == "&" else colon
        targets = " ".join(head[:targets_end].split())
        after = colon + 2 if head.startswith("::", colon) else colon + 1
        if not targets:  # make accepts and ignores a rule without targets
            self.target, self.no_targets = "", True
            return
        if _parse_assignment(head[after:].strip(), targvar=True) is not None:
            self.target = None  # target-specific variable: no recipe may follow
            return
        self.target, self.no_targets = targets, False
        if semicolon >= 0:
            self._inline_recipe(raw, semicolon, start)

    # ----------------------------------------------------------------------- recipes

    def _inline_recipe(self, raw: str, semicolon: int, start: int) -> None:
        """The command after ``;`` runs to the end of the logical line."""
        line_start = raw.rfind("\n", 0, semicolon) + 1
        first = start + raw.count("\n", 0, semicolon)
        self._recipe(first, start + raw.count("\n"), semicolon - line_start + 1)

    def _recipe(self, start: int, end: int, skip: int) -> None:
        """Record the command on lines ``start..end``, beginning ``skip`` chars in."""
        first = self.lines[start]
        begin = skip
        while begin < len(first) and first[begin] in " \t@-+":
            begin += 1
        segments = [first[begin:]]
        for line in self.lines[start + 1 : end + 1]:
            segments.append(f" {line[1:]}" if line.startswith(self.prefix) else line)
        segments = [_to_shell(segment) for segment in segments]
        segments[-1] = segments[-1].rstrip(" \t")
        text = "\n".join(segments)
        if not text.strip():
            return
        end_column = len(segments[-1]) + 1 + (begin if end == start else 0)
        span = Span(start + 1, begin + 1, end + 1, end_column)
        self.recipes.append(RecipeLine(target=self.target or "", text=text, span=span))


# --------------------------------------------------------------------------- lexing


def _continues(line: str) -> bool:
    """An odd number of trailing backslashes continues the logical line."""
    count = len(line) - len(line.rstrip("\\"))
    return count % 2 == 1


def _collapse(lines: list[str]) -> str:
    """Join a logical line as make does outside recipes: each backslash-newline and the
    blanks around it become one space."""
    if len(lines) == 1:
        return lines[0]
    parts: list[str] = []
    for number, line in enumerate(lines):
        if number:
            line = " " + line.lstrip(" \t")
        if number < len(lines) - 1 and _continues(line):
            line = line[:-1].rstrip(" \t")
        parts.append(line)
    return "".join(parts)


def _first_word(text: str) -> tuple[str, str]:
    """The first blank-delimited word of ``text`` and the rest, stripped."""
    parts = text.split(None, 1)
    return (parts[0], parts[1].strip() if len(parts) > 1 else "") if parts else ("", "")


def _reference_end(text: str, index: int, strict: bool = False) -> int:
    """Index just past the make reference at ``text[index] == "$"``; make counts only
    the bracket kind that opened it. An unclosed reference runs to the end of the
    text, or gives -1 when ``strict``."""
    if index + 1 >= len(text):
        return index + 1
    opener = text[index + 1]
    if opener not in "({":
        return index + 2
    closer = ")" if opener == "(" else "}"
    depth = 0
    for position in range(index + 1, len(text)):
        char = text[position]
        if char == opener:
            depth += 1
        elif char == closer:
            depth -= 1
            if depth == 0:
                return position + 1
    return -1 if strict else len(text)


def _find_unquoted(text: str, stops: str) -> int:
    """First index of a char in ``stops`` outside make references and not escaped."""
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
        elif char == "$":
            index = _reference_end(text, index)
        elif char in stops:
            return index
        else:
            index += 1
    return -1


def _strip_comment(text: str) -> str:
    """Cut at the first ``#`` that is not escaped (``\\#`` is a literal ``#``)."""
    cut = _find_unquoted(text, "#")
    head = text if cut < 0 else text[:cut]
    return head.replace("\\#", "#")


def _parse_assignment(text: str, targvar: bool) -> _Assignment | None:
    """A variable assignment with its modifiers (``override export X := 1``), a
    ``define``/``undefine`` line, or None (make's ``parse_var_assignment``)."""
    modifiers: set[str] = set()
    index = 0
    while index < len(text):
        found = _definition(text, index)
        if found is not None:
            name, op, value = found
            return _Assignment("set", name, op, value, modifiers)
        stop = index
        while stop < len(text) and text[stop] not in " \t":
            stop += 1
        word = text[index:stop]
        rest = text[stop:].strip()
        if word in _MODIFIERS:
            modifiers.add(word)
        elif word == "define" and not targvar:
            found = _definition(rest, 0) if rest else None
            if found is not None:
                return _Assignment("define", found[0], found[1], "", modifiers)
            return _Assignment("define", rest, "=", "", modifiers)
        elif word == "undefine" and not targvar:
            return _Assignment("undefine", rest, "", "", modifiers)
        else:
            return None
        index = stop
        while index < len(text) and text[index] in " \t":
            index += 1
    return None


def _definition(text: str, start: int) -> tuple[str, str, str] | None:
    """(name, operator, value) when ``text[start:]`` is ``NAME OP value``, else None.

    A name holds no blanks outside make references, and after a blank only the
    operator may follow, as in make's ``parse_variable_definition``.
    """
    index = start
    name_end = -1
    size = len(text)
    while index < size:
        char = text[index]
        if char == "$":
            index = _reference_end(text, index)
            continue
        if char in " \t":
            name_end = index if name_end < 0 else name_end
            while index < size and text[index] in " \t":
                index += 1
            continue
        op = ""
        if char == "=":
            op = "="
        elif char in "+?!" and text.startswith("=", index + 1):
            op = char + "="
        elif char == ":":
            for candidate in (":=", "::=", ":::="):
                if text.startswith(candidate, index):
                    op = candidate
            if not op:
                return None
        elif name_end >= 0 or char == "#":
            return None
        if op:
            name = text[start : name_end if name_end >= 0 else index]
            return name, op, text[index + len(op) :].strip()
        index += 1
    return None


def _to_shell(segment: str) -> str:
    """Rewrite make references in one recipe line as same-length shell expansions."""
    out: list[str] = []
    word_start = 0
    index = 0
    size = len(segment)
    while index < size:
        char = segment[index]
        if char in " \t":
            out.append(char)
            index += 1
            word_start = len(out)
            continue
        if char != "$" or index + 1 >= size:
            out.append(char)
            index += 1
            continue
        following = segment[index + 1]
        if following in " \t":
            out.append(char)
            index += 1
            continue
        if following == "$":
            out.insert(word_start, " ")  # keeps every later column, never splits a word
            out.append("$")
            index += 2
            continue
        if following in "({":
            end = _reference_end(segment, index, strict=True)
            if end < 0:  # unclosed on this line: leave it as text
                out.append(char)
                index += 1
                continue
            out.extend(_reference_as_shell(segment[index + 2 : end - 1]))
            index = end
            continue
        out.append("$")
        out.append("_" if following in _AUTOMATIC else following)
        index += 2
    return "".join(out)


def _reference_as_shell(inner: str) -> str:
    """``$(inner)`` as a shell expansion of the same length."""
    if not inner:
        return "$()"
    if inner.startswith("shell") and inner[5:6] in (" ", "\t"):
        return f"$({' ' * 5}{_to_shell(inner[5:])})"
    name = "".join(char if char in _NAME_CHARS else "_" for char in inner)
    if len(name) > 1 and name[0].isdigit():
        name = "_" + name[1:]
    return f"${{{name}}}"
