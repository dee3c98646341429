"""Parser for Ansible INI inventories, read as ansible-core's ``ini`` inventory plugin reads them.

Sections ``[group]``, ``[group:vars]``, ``[group:children]`` (another ``:type`` stops Ansible);
whole-line ``#`` and ``;`` comments. A host line is split as ``shlex.split(line, comments=True)``
splits it (POSIX quoting, ``#`` starts a comment outside quotes) and every word after the host
pattern must be ``key=value``. A ``[group:vars]`` line is ``key=value`` split at the first ``=``,
the value kept whole (Ansible strips no comment there). A quoted value loses its quotes, as
Ansible's ``ast.literal_eval`` of a string literal does; nothing is evaluated here.
"""

from __future__ import annotations

import re

from guardrails.documents import InventoryDocument, InventoryVar
from guardrails.model import Kind, ParseError, Span
from guardrails.parsers.server_conf import lines
from guardrails.records import Frozen

# ansible/plugins/inventory/ini.py ``_compile_patterns``: a section header is one line.
_SECTION = re.compile(r"^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$")
_STATES = ("hosts", "vars", "children")


class Word(Frozen):
    text: str
    start: int  # 0-based offsets in the line, end exclusive
    end: int


def shlex_words(line: str, number: int) -> list[Word]:
    """``shlex.split(line, comments=True)`` (POSIX mode) with where each word is written."""
    words: list[Word] = []
    i, n = 0, len(line)
    while i < n:
        if line[i].isspace():
            i += 1
            continue
        if line[i] == "#":
            break
        start, chars, quote = i, [], ""
        while i < n:
            char = line[i]
            if quote == "'":
                if char == "'":
                    quote = ""
                else:
                    chars.append(char)
                i += 1
            elif quote == '"':
                if char == '"':
                    quote = ""
                elif char == "\\" and i + 1 < n and line[i + 1] in '"\\$`':
                    i += 1
                    chars.append(line[i])
                else:
                    chars.append(char)
                i += 1
            elif char.isspace() or char == "#":
                break
            elif char in "'\"":
                quote = char
                i += 1
            elif char == "\\":
                if i + 1 >= n:
                    raise ParseError("no escaped character", number, i + 1)
                chars.append(line[i + 1])
                i += 2
            else:
                chars.append(char)
                i += 1
        if quote:
            raise ParseError("no closing quotation", number, start + 1)
        words.append(Word("".join(chars), start, i))
        if i < n and line[i] == "#":
            break
    return words


def literal(text: str) -> str:
    """A value Ansible's ``ast.literal_eval`` turns into a string without its quotes: ``'a'``,
    ``"a"`` (backslash escapes kept simple: ``\\\\`` and the quote); anything else as written."""
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        body, out, i = text[1:-1], [], 0
        while i < len(body):
            if body[i] == "\\" and i + 1 < len(body):
                out.append(body[i + 1])
                i += 2
                continue
            if body[i] == text[0]:
                return text  # an unescaped quote inside: not one literal
            out.append(body[i])
            i += 1
        return "".join(out)
    return text


def parse(path: str, text: str, kind: Kind) -> InventoryDocument:
    doc = InventoryDocument(path=path, kind=kind, text=text)
    group, state = "ungrouped", "hosts"
    for number, raw in lines(text):
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        indent = len(raw) - len(raw.lstrip())
        header = _SECTION.match(line)
        if header is not None:
            group, state = header.group(1), header.group(2) or "hosts"
            if state not in _STATES:
                raise ParseError(f"section [{group}:{state}] has unknown type: {state}", number, indent + 1)
            doc.sections.append((group, state, Span(number, indent + 1, number, indent + len(line) + 1)))
            continue
        if line.startswith("[") and line.endswith("]"):
            raise ParseError(f"invalid section entry: {line!r}", number, indent + 1)
        if state == "vars":
            key, sep, value = line.partition("=")
            if not sep:
                raise ParseError("expected key=value", number, indent + 1)
            stripped = value.strip()
            start = indent + len(key) + 1 + (len(value) - len(value.lstrip()))
            span = Span(number, start + 1, number, start + len(stripped) + 1)
            doc.variables.append(InventoryVar(group, "", key.strip(), literal(stripped), span))
        elif state == "hosts":
            words = shlex_words(raw, number)
            if not words:
                continue
            host = words[0]
            doc.hosts.append((group, host.text, Span(number, host.start + 1, number, host.end + 1)))
            for word in words[1:]:
                key, sep, value = word.text.partition("=")
                if not sep:
                    raise ParseError(
                        f"expected key=value host variable assignment, got: {word.text}", number, word.start + 1
                    )
                at = raw.find("=", word.start) + 1
                span = Span(number, at + 1, number, word.end + 1)
                doc.variables.append(InventoryVar(group, host.text, key, literal(value), span))
    return doc
