"""Parsers for resolver configurations: systemd ``resolved.conf`` (and its drop-ins),
dnsmasq option files and CoreDNS Corefiles.

Each follows its program's reader: systemd ignores a line without ``=``, dnsmasq reads
``option[=value]`` lines, CoreDNS (the Caddyfile syntax) fails on unbalanced braces.
"""

from __future__ import annotations

from collections.abc import Iterator

from guardrails.documents import ConfDocument, ConfEntry
from guardrails.model import Kind, ParseError, Span
from guardrails.parsers.server_conf import lines


def parse(path: str, text: str, kind: Kind) -> ConfDocument:
    readers = {Kind.RESOLVED_CONF: _systemd, Kind.DNSMASQ_CONF: _dnsmasq, Kind.COREFILE: _corefile}
    return ConfDocument(path=path, kind=kind, text=text, entries=list(readers[kind](text)))


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


# --------------------------------------------------------------------------- systemd unit-style files


def _systemd(text: str) -> Iterator[ConfEntry]:
    """``[Section]`` and ``Key=Value`` (one value: the whole text after ``=``); ``#`` and ``;``
    comment lines; a trailing backslash joins the next line with a space."""
    section = ""
    pending: tuple[int, int, str] | None = None
    for number, line in lines(text):
        if pending is not None:
            first, column, head = pending
            if line.lstrip().startswith(("#", ";")):
                continue  # comments inside a continued line are skipped, as systemd does
            joined = head + " " + line.strip()
        else:
            stripped = line.strip()
            if not stripped or stripped[0] in "#;":
                continue
            first, column, joined = number, _indent(line) + 1, stripped
        if joined.endswith("\\"):
            pending = (first, column, joined[:-1].rstrip())
            continue
        pending = None
        if joined.startswith("[") and joined.endswith("]"):
            section = joined[1:-1]
            continue
        key, sep, value = joined.partition("=")
        if sep:  # systemd logs and ignores a line without '='
            yield ConfEntry(section, key.strip(), [value.strip()], Span(first, column, number, len(line.rstrip()) + 1))
    if pending is not None:  # a backslash on the last line continues into nothing
        first, column, joined = pending
        key, sep, value = joined.partition("=")
        if sep:
            yield ConfEntry(section, key.strip(), [value.strip()], Span(first, column, first, column + len(joined)))


# --------------------------------------------------------------------------- dnsmasq


def _dnsmasq(text: str) -> Iterator[ConfEntry]:
    """``option`` or ``option=value`` per line; ``#`` opens a comment at the start of a word
    outside double quotes (dnsmasq's ``read_file``)."""
    for number, line in lines(text):
        body = _dnsmasq_code(line).strip()
        if not body:
            continue
        key, sep, value = body.partition("=")
        yield ConfEntry("", key.strip(), [value.strip()] if sep else [], _span_of(number, line, body))


def _dnsmasq_code(line: str) -> str:
    quoted, blank = False, True
    for i, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == "#" and blank and not quoted:
            return line[:i]
        blank = char.isspace()
    return line


def _span_of(number: int, line: str, body: str) -> Span:
    start = line.find(body)
    return Span(number, start + 1, number, start + len(body) + 1)


# --------------------------------------------------------------------------- CoreDNS Corefile


def _corefile(text: str) -> Iterator[ConfEntry]:
    """Server blocks (``.:53 { ... }``) and their directives, one entry per directive line with
    the block's keys as ``section``. A directive's own block (``forward . x { policy ... }``)
    is read for balance only. A Corefile with one server block may leave out its braces."""
    tokens = _tokens(text)
    i = 0
    while i < len(tokens):
        keys: list[str] = []
        line, column = tokens[i][0], tokens[i][1]
        while i < len(tokens) and tokens[i][0] == line and tokens[i][2] != "{":
            keys.extend(k for k in tokens[i][2].split(",") if k)
            i += 1
        if not keys or "}" in keys:
            raise ParseError("a server block needs an address before its '{'", line, column)
        closing = ""  # the one server block of a file without braces runs to the end
        if i < len(tokens) and tokens[i][0] == line:
            i += 1
            closing = "}"
        i = yield from _directives(tokens, i, " ".join(keys), closing)


def _directives(tokens: list[_Token], i: int, section: str, closing: str) -> Iterator[ConfEntry]:
    """Directive lines until ``closing`` (or the end); returns where the block ends."""
    while i < len(tokens):
        line, column, word, quoted, _ = tokens[i]
        if word == "}" and not quoted:
            if not closing:
                raise ParseError("unexpected '}'", line, column)
            return i + 1
        if word == "{" and not quoted:
            raise ParseError("unexpected '{'", line, column)
        words: list[_Token] = []
        while i < len(tokens) and tokens[i][0] == line:
            words.append(tokens[i])
            i += 1
        if words[-1][2] == "{" and not words[-1][3]:
            i = _skip_block(tokens, i, line)
            words.pop()
        yield ConfEntry(section, word, [w[2] for w in words[1:]], Span(line, column, line, words[-1][4]))
    if closing:
        raise ParseError("a server block is not closed", tokens[-1][0] if tokens else 1, 1)
    return i


def _skip_block(tokens: list[_Token], i: int, line: int) -> int:
    depth = 1
    while i < len(tokens):
        word, quoted = tokens[i][2], tokens[i][3]
        if not quoted and word == "{":
            depth += 1
        elif not quoted and word == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ParseError("a block is not closed", line, 1)


# (line, column, word, quoted, column after the word as written)
_Token = tuple[int, int, str, bool, int]


def _tokens(text: str) -> list[_Token]:
    """(line, column, word, quoted): blank-separated words, ``"..."`` with ``\\"`` escapes,
    ``#`` at the start of a word to the end of the line."""
    out: list[_Token] = []
    for number, line in lines(text):
        i, n = 0, len(line)
        while i < n:
            if line[i].isspace():
                i += 1
                continue
            if line[i] == "#":
                break
            start = i
            if line[i] == '"':
                i += 1
                word: list[str] = []
                while i < n and line[i] != '"':
                    if line[i] == "\\" and i + 1 < n and line[i + 1] == '"':
                        i += 1
                    word.append(line[i])
                    i += 1
                if i >= n:
                    raise ParseError("unterminated quote", number, start + 1)
                i += 1
                out.append((number, start + 1, "".join(word), True, i + 1))
                continue
            while i < n and not line[i].isspace():
                i += 1
            out.append((number, start + 1, line[start:i], False, i + 1))
    return out
