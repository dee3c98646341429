"""Dockerfile parser: a small hand-written lexer that follows BuildKit's own parser.

Positions: every ``Span`` uses 1-based lines and columns that count characters (a tab
is one column; a UTF-8 byte-order mark at the start of the file is not counted, as in
editors). ``end_column`` is exclusive: one past the last character, so an empty span
has ``end_column == column``. ``\\r\\n`` is one line break and ``\\r`` never appears in
any returned text.

What each ``Instruction`` holds, and why:

* ``keyword`` upper-cased; ``span`` from the keyword to the end of the instruction,
  heredoc bodies and terminators included.
* ``flags``: the leading ``--name=value`` options (``RUN --mount=...``, ``COPY
  --from=...``), quotes removed as Docker does. A flag without ``=`` maps to ``""``;
  a repeated flag (several ``--mount``) keeps every value, joined by ``"\\n"``.
* ``arguments``: the source text after the keyword and flags, starting at
  ``args_span``, so line ``k`` (1-based) of ``arguments`` is file line
  ``args_span.line + k - 1`` and its first line starts at ``args_span.column``; a
  rule can hand it to a shell parser and map positions back line by line. To keep
  that text meaningful to bash, it is normalised without moving any character:
  every continuation is written ``\\<newline>`` (``# escape=``` files use a
  backtick, and blanks after the escape character are dropped), and each line
  Docker skips inside a continuation (a comment or a blank line) becomes a line
  holding only ``\\``. Bash then joins the lines exactly as Docker does:
  ``rm -rf \\`` / ``# note`` / ``/`` stays one command, which an empty line would
  have split.
* ``exec_form``: the JSON array when the arguments are a valid JSON array of strings
  (RUN, CMD, ENTRYPOINT, SHELL, ADD, COPY, VOLUME, and the command of
  ``HEALTHCHECK CMD [...]``); text that starts with ``[`` but is not valid JSON is
  shell form, like Docker.
* ``heredocs``: ``(name, body, span of body)`` in source order; the body is the raw
  lines, each followed by ``"\\n"`` (``<<-`` tabs are kept so columns stay true).
* ``stage``: the 0-based index of the ``FROM`` stage; anything before the first
  ``FROM`` (``ARG``) is stage 0.

``ONBUILD`` keeps its trigger in ``arguments`` (``"RUN rm -rf /tmp"``);
``onbuild_trigger`` parses that trigger as an instruction of its own.
"""

from __future__ import annotations

import json
import re

from guardrails.documents import DockerfileDocument, Instruction
from guardrails.model import Kind, ParseError, Span
from guardrails.records import Record

KEYWORDS = frozenset(
    {
        "ADD",
        "ARG",
        "CMD",
        "COPY",
        "ENTRYPOINT",
        "ENV",
        "EXPOSE",
        "FROM",
        "HEALTHCHECK",
        "LABEL",
        "MAINTAINER",
        "ONBUILD",
        "RUN",
        "SHELL",
        "STOPSIGNAL",
        "USER",
        "VOLUME",
        "WORKDIR",
    }
)
# Instructions whose arguments Docker reads as JSON when they look like a JSON array.
_JSON_KEYWORDS = frozenset({"ADD", "CMD", "COPY", "ENTRYPOINT", "RUN", "SHELL", "VOLUME"})
_HEREDOC_KEYWORDS = frozenset({"ADD", "COPY", "RUN"})
_DIRECTIVES = frozenset({"check", "escape", "syntax"})
_DIRECTIVE_RE = re.compile(r"#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$")
_HEREDOC_RE = re.compile(r"(\d*)<<(-?)([^<]*)")

# One physical line of an instruction: file line, columns before ``text`` on that line,
# the text, and whether Docker skips it (a comment or blank line inside a continuation).
_Row = tuple[int, int, str, bool]


class _Head(Record):
    """An instruction's logical line split into keyword, flags and arguments."""

    # ``args_text``: the arguments as Docker sees them: continuations joined, trimmed
    # ``end``: exclusive end of the keyword, flags and arguments
    __slots__ = ("args_span", "args_text", "arguments", "end", "flags", "keyword", "start")

    def __init__(
        self,
        keyword: str,
        start: tuple[int, int],
        flags: dict[str, str],
        arguments: str,
        args_span: Span,
        args_text: str,
        end: tuple[int, int],
    ) -> None:
        self.keyword = keyword
        self.start = start
        self.flags = flags
        self.arguments = arguments
        self.args_span = args_span
        self.args_text = args_text
        self.end = end


def parse(path: str, text: str, kind: Kind) -> DockerfileDocument:
    """Parse a Dockerfile; raises ``ParseError`` where Docker would refuse the file."""
    lines = _split_lines(text)
    escape = "\\"
    seen_directives: set[str] = set()
    directives_open = True
    instructions: list[Instruction] = []
    stage = -1
    index = 0
    while index < len(lines):
        line = lines[index]
        stripped = line.lstrip()
        if directives_open:
            # Directives count only in the unbroken run of lines at the very top.
            match = _DIRECTIVE_RE.match(stripped)
            name = match.group(1).lower() if match else ""
            if match and name in _DIRECTIVES:
                column = len(line) - len(stripped) + 1
                if name in seen_directives:
                    raise ParseError(f"only one {name} parser directive can be used", index + 1, column)
                seen_directives.add(name)
                if name == "escape":
                    escape = match.group(2)
                    if escape not in ("\\", "`"):
                        raise ParseError(f"invalid escape token {escape!r}: use ` or \\", index + 1, column)
                index += 1
                continue
            directives_open = False
        if not stripped or stripped.startswith("#"):
            index += 1
            continue
        instruction, index = _read_instruction(lines, index, escape)
        if instruction.keyword == "FROM":
            stage += 1
        elif stage < 0 and instruction.keyword != "ARG":
            line_no, column = instruction.span.line, instruction.span.column
            raise ParseError(
                f"{instruction.keyword} before the first FROM: a Dockerfile must start with FROM "
                "(only ARG may come before it)",
                line_no,
                column,
            )
        instruction.stage = max(stage, 0)
        instructions.append(instruction)
    if instructions and stage < 0:
        first = instructions[0].span
        raise ParseError("no FROM instruction: the Dockerfile has no build stage", first.line, first.column)
    return DockerfileDocument(path=path, kind=kind, text=text, instructions=instructions, escape=escape)


def onbuild_trigger(instruction: Instruction) -> Instruction | None:
    """The instruction an ``ONBUILD`` wraps, positioned in the same file (None otherwise).

    ``ONBUILD RUN --mount=x rm -rf /tmp`` gives a RUN with its own flags, arguments and
    exec form, so rules written for RUN can check triggers too.
    """
    if instruction.keyword != "ONBUILD" or not instruction.arguments:
        return None
    first_line, first_column = instruction.args_span.line, instruction.args_span.column
    rows: list[_Row] = [
        (first_line + k, first_column - 1 if k == 0 else 0, text, False)
        for k, text in enumerate(instruction.arguments.split("\n"))
    ]
    head = _analyse(rows, "\\")
    return Instruction(
        keyword=head.keyword,
        arguments=head.arguments,
        span=Span(head.start[0], head.start[1], instruction.span.end_line, instruction.span.end_column),
        args_span=head.args_span,
        exec_form=_exec_form(head),
        flags=head.flags,
        heredocs=list(instruction.heredocs),
        stage=instruction.stage,
    )


# --------------------------------------------------------------------------- reading


def _split_lines(text: str) -> list[str]:
    """Physical lines without their line break; a leading BOM is dropped (not a column)."""
    lines = [line.rstrip("\r") for line in text.split("\n")]
    if lines and lines[0].startswith("\ufeff"):
        lines[0] = lines[0][1:]
    return lines


def _continuation(text: str, escape: str) -> int:
    """Index of the escape character that continues this line, or -1.

    Docker accepts blanks after the escape character (``\\`` + spaces + newline).
    """
    body = text.rstrip(" \t")
    return len(body) - 1 if body.endswith(escape) else -1


def _read_instruction(lines: list[str], start: int, escape: str) -> tuple[Instruction, int]:
    """Read one instruction (continuations and heredoc bodies); returns it and the next line."""
    rows: list[_Row] = [(start + 1, 0, lines[start], False)]
    continued = _continuation(lines[start], escape) >= 0
    index = start + 1
    while continued and index < len(lines):
        line = lines[index]
        stripped = line.lstrip()
        skipped = not stripped or stripped.startswith("#")
        rows.append((index + 1, 0, line, skipped))
        if not skipped:
            continued = _continuation(line, escape) >= 0
        index += 1
    while rows[-1][3]:  # trailing skipped lines are consumed but belong to no text
        rows.pop()
    head = _analyse(rows, escape)
    exec_form = _exec_form(head)
    target = head.keyword
    target_json = exec_form is not None
    if head.keyword == "ONBUILD":
        trigger = _trigger_head(head)
        target = trigger.keyword
        target_json = _exec_form(trigger) is not None
    heredocs: list[tuple[str, str, Span]] = []
    end = head.end
    if target in _HEREDOC_KEYWORDS and not target_json and "<<" in head.args_text:
        logical, positions = _join(rows, escape)
        for name, chomp, at in _heredoc_openers(logical):
            body_lines: list[str] = []
            while True:
                if index >= len(lines):
                    line_no, column = positions[at]
                    raise ParseError(f"unterminated heredoc {name!r}", line_no, column)
                line = lines[index]
                index += 1
                if (line.lstrip("\t") if chomp else line) == name:
                    break
                body_lines.append(line)
            terminator_line = index  # 1-based number of the line just read
            if body_lines:
                first_body = terminator_line - len(body_lines)
                span = Span(first_body, 1, terminator_line - 1, len(body_lines[-1]) + 1)
            else:
                span = Span(terminator_line, 1, terminator_line, 1)
            heredocs.append((name, "".join(f"{body}\n" for body in body_lines), span))
            end = (terminator_line, len(lines[terminator_line - 1]) + 1)
    instruction = Instruction(
        keyword=head.keyword,
        arguments=head.arguments,
        span=Span(head.start[0], head.start[1], end[0], end[1]),
        args_span=head.args_span,
        exec_form=exec_form,
        flags=head.flags,
        heredocs=heredocs,
    )
    return instruction, index


def _join(rows: list[_Row], escape: str) -> tuple[str, list[tuple[int, int]]]:
    """Docker's logical line (continuations removed, lines glued) and each char's position."""
    chars: list[str] = []
    positions: list[tuple[int, int]] = []
    for number, (line_no, offset, text, skipped) in enumerate(rows):
        if skipped:
            continue
        cut = _continuation(text, escape)
        stop = cut if cut >= 0 else len(text)
        begin = len(text) - len(text.lstrip()) if number == 0 else 0
        for k in range(begin, stop):
            chars.append(text[k])
            positions.append((line_no, offset + k + 1))
    return "".join(chars), positions


def _analyse(rows: list[_Row], escape: str) -> _Head:
    """Split an instruction into keyword, flags and arguments with their positions."""
    logical, positions = _join(rows, escape)
    size = len(logical)
    start = _skip_space(logical, 0)
    if start == size:
        line_no, _offset, text, _skipped = rows[0]
        raise ParseError("line continuation with no instruction", line_no, len(text) - len(text.lstrip()) + 1)
    stop = start
    while stop < size and not logical[stop].isspace():
        stop += 1
    keyword = logical[start:stop].upper()
    if keyword not in KEYWORDS:
        line_no, column = positions[start]
        raise ParseError(f"unknown instruction: {logical[start:stop]}", line_no, column)
    flag_words, rest = _extract_flags(logical, stop)
    flags: dict[str, str] = {}
    for word in flag_words:
        name, _sep, value = word[2:].partition("=")
        flags[name] = f"{flags[name]}\n{value}" if name in flags else value
    args_start = _skip_space(logical, rest)
    args_end = size
    while args_end > args_start and logical[args_end - 1].isspace():
        args_end -= 1
    if args_start == args_end:
        # No arguments: an empty span just after the keyword or the last flag.
        head_end = rest
        while head_end > start and logical[head_end - 1].isspace():
            head_end -= 1
        line_no, column = positions[head_end - 1]
        point = Span(line_no, column + 1, line_no, column + 1)
        return _Head(keyword, positions[start], flags, "", point, "", (line_no, column + 1))
    line_no, column = positions[args_start]
    arguments = _arguments(rows, escape, line_no, column)
    last = arguments.rsplit("\n", 1)[-1]
    end_line = line_no + arguments.count("\n")
    end_column = len(last) + 1 + (column - 1 if end_line == line_no else 0)
    args_span = Span(line_no, column, end_line, end_column)
    return _Head(
        keyword, positions[start], flags, arguments, args_span, logical[args_start:args_end], (end_line, end_column)
    )


def _arguments(rows: list[_Row], escape: str, line_no: int, column: int) -> str:
    """The source text from (line_no, column) to the end of the instruction, normalised
    so each continuation reads ``\\<newline>`` and skipped lines read ``\\``."""
    out: list[str] = []
    for row_line, offset, text, skipped in rows:
        if row_line < line_no:
            continue
        if skipped:
            out.append("\\")
            continue
        cut = _continuation(text, escape)
        normal = f"{text[:cut]}\\" if cut >= 0 else text.rstrip()
        out.append(normal[column - offset - 1 :] if row_line == line_no else normal)
    return "\n".join(out)


def _skip_space(text: str, index: int) -> int:
    while index < len(text) and text[index].isspace():
        index += 1
    return index


def _extract_flags(line: str, index: int) -> tuple[list[str], int]:
    """Leading ``--flag`` words from ``index`` on, and where the rest starts.

    A port of BuildKit's ``extractBuilderFlags``: quotes group, a backslash escapes
    the next character, and a bare ``--`` ends the flags.
    """
    words: list[str] = []
    size = len(line)
    while True:
        index = _skip_space(line, index)
        if not line.startswith("--", index):
            return words, index
        word: list[str] = []
        quoted = False
        quote = ""
        while index < size:
            char = line[index]
            if not quote and char.isspace():
                break
            if quote and char == quote:
                quote = ""
                index += 1
                continue
            if not quote and char in "'\"":
                quote = char
                quoted = True
                index += 1
                continue
            if char == "\\":
                index += 1
                if index == size:
                    break
                char = line[index]
            word.append(char)
            index += 1
        text = "".join(word)
        if text == "--":
            return words, index
        if quoted or text:
            words.append(text)


def _trigger_head(head: _Head) -> _Head:
    """Check and split the instruction an ONBUILD wraps (positions in the file)."""
    if not head.arguments:
        line_no, column = head.start
        raise ParseError("ONBUILD requires an instruction to run later", line_no, column)
    first_line, first_column = head.args_span.line, head.args_span.column
    rows: list[_Row] = [
        (first_line + k, first_column - 1 if k == 0 else 0, text, False)
        for k, text in enumerate(head.arguments.split("\n"))
    ]
    trigger = _analyse(rows, "\\")
    if trigger.keyword in ("ONBUILD", "FROM", "MAINTAINER"):
        line_no, column = trigger.start
        raise ParseError(f"{trigger.keyword} isn't allowed as an ONBUILD trigger", line_no, column)
    return trigger


def _exec_form(head: _Head) -> list[str] | None:
    """The JSON array of an exec-form instruction, None for shell form."""
    text = head.args_text
    if head.keyword == "HEALTHCHECK":
        parts = text.split(None, 1)
        if len(parts) < 2 or parts[0].upper() != "CMD":
            return None
        text = parts[1]
    elif head.keyword not in _JSON_KEYWORDS:
        return None
    value: object = None
    if text.startswith("["):
        try:
            value = json.loads(text)
        except (ValueError, RecursionError):  # not JSON (or nested past json's limit): shell form
            value = None
    if isinstance(value, list):
        if all(isinstance(item, str) for item in value):
            return value
        raise ParseError(
            "a Dockerfile JSON array must contain only strings", head.args_span.line, head.args_span.column
        )
    if head.keyword == "SHELL":
        raise ParseError(
            'SHELL requires its arguments in JSON form, e.g. SHELL ["/bin/sh", "-c"]',
            head.args_span.line,
            head.args_span.column,
        )
    return None


def _heredoc_openers(logical: str) -> list[tuple[str, bool, int]]:
    """(name, strip-tabs, index) of each ``<<NAME`` word, read as BuildKit does: the
    line split into shell words (quotes kept), a word matching ``\\d*<<-?NAME``."""
    found: list[tuple[str, bool, int]] = []
    for start, word in _shell_words(logical):
        match = _HEREDOC_RE.fullmatch(word)
        if not match or not match.group(3):
            continue
        names = [name for _at, name in _shell_words(match.group(3), unquote=True)]
        if len(names) == 1 and names[0]:
            found.append((names[0], match.group(2) == "-", start))
    return found


def command_words(text: str) -> list[tuple[int, int, bool]]:
    """(start, end, is a heredoc opener) of each word of a RUN line, split as BuildKit
    splits it to find heredocs; lets the shell text be rebuilt around the openers."""
    found: list[tuple[int, int, bool]] = []
    for start, word in _shell_words(text):
        match = _HEREDOC_RE.fullmatch(word)
        opener = bool(match and match.group(3) and len(_shell_words(match.group(3), unquote=True)) == 1)
        found.append((start, start + len(word), opener))
    return found


def _shell_words(text: str, unquote: bool = False) -> list[tuple[int, str]]:
    """Whitespace-separated words honouring quotes and backslashes; quotes are kept
    unless ``unquote``."""
    words: list[tuple[int, str]] = []
    size = len(text)
    index = 0
    while index < size:
        if text[index].isspace():
            index += 1
            continue
        start = index
        chars: list[str] = []
        while index < size and not text[index].isspace():
            char = text[index]
            if char == "\\" and index + 1 < size:
                chars.append(text[index + 1] if unquote else text[index : index + 2])
                index += 2
            elif char in "'\"":
                close = index + 1
                while close < size and text[close] != char:
                    close += 2 if char == '"' and text[close] == "\\" else 1
                close = min(close, size - 1)
                inner = text[index + 1 : close] if text[close] == char else text[index + 1 :]
                chars.append(inner if unquote else text[index : close + 1])
                index = close + 1
            else:
                chars.append(char)
                index += 1
        words.append((start, "".join(chars)))
    return words
