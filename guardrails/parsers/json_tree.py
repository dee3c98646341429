"""A positioned JSON parser: strict RFC 8259, every node with its span.

``json.loads`` gives no positions and drops duplicate keys, so this is a small
hand-written parser. It uses an explicit stack (no recursion) and refuses nesting
deeper than ``MAX_DEPTH`` so that neither it nor the rules walking its tree can
overflow the Python stack on hostile input.

Trade-off for big inputs: above ``FAST_PATH_CHARS`` characters (a Terraform plan
can be 50 MB) the text is decoded with ``json.loads`` instead, and every node gets
the span of the whole document. Rules still see the full structure, findings in
such files point at the file rather than at the exact line.
"""

from __future__ import annotations

import gc
import json
import re
from typing import Any

from guardrails.documents import TreeDocument
from guardrails.model import Kind, Node, ParseError, Span

MAX_DEPTH = 512
FAST_PATH_CHARS = 5 * 1024 * 1024

_WS = re.compile(r"[ \t\n\r]*")
_STRING = re.compile(r'"[^"\\\x00-\x1f]*(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\x00-\x1f]*)*"')
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_STRING_ERROR = re.compile(r'[\x00-\x1f"\\]')
_VALID_ESCAPE = re.compile(r'\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})')
_LITERALS = {"t": ("true", True), "f": ("false", False), "n": ("null", None)}

# Parser states: what the next token may be.
_VALUE = 0  # any value (document start, after ':' or after ',' in an array)
_VALUE_OR_CLOSE = 1  # after '['
_KEY_OR_CLOSE = 2  # after '{'
_KEY = 3  # after ',' in an object
_COLON = 4  # after a key
_NEXT = 5  # after a value inside a container: ',' or the closing bracket

_EXPECTED = {
    _VALUE: "expected value",
    _VALUE_OR_CLOSE: "expected value or ']'",
    _KEY_OR_CLOSE: "expected string key or '}'",
    _KEY: "expected string key",
    _COLON: "expected ':'",
}


def _error(message: str, line: int, column: int) -> ParseError:
    return ParseError(f"{message} at line {line} column {column}", line, column)


def _string_error(text: str, start: int, line: int, line_start: int) -> ParseError:
    """Say precisely why the string opened at ``start`` does not lex."""
    pos = start + 1
    while True:
        m = _STRING_ERROR.search(text, pos)
        if m is None:
            return _error("unterminated string", line, start - line_start + 1)
        ch = m.group()
        column = m.start() - line_start + 1
        if ch == "\\":
            if m.end() == len(text):
                return _error("unterminated string", line, start - line_start + 1)
            if _VALID_ESCAPE.match(text, m.start()) is None:
                return _error("invalid escape in string", line, column)
            pos = m.start() + 2
        elif ch == '"':  # pragma: no cover - the string would have matched
            return _error("invalid string", line, start - line_start + 1)
        else:
            return _error("unterminated string" if ch in "\r\n" else "control character in string", line, column)


def _parse_positioned(text: str, pos: int) -> Node:
    """Parse from ``pos`` (just after a BOM, if any) to the end of ``text``."""
    n = len(text)
    line = 1
    line_start = pos  # a BOM does not count as a column
    stack: list[list[Any]] = []  # frames: [is_map, items, line, column, pending key]
    state = _VALUE
    ws_match = _WS.match
    string_match = _STRING.match
    number_match = _NUMBER.match
    count = text.count
    rfind = text.rfind
    while True:
        if pos < n and text[pos] in " \t\n\r":
            end = ws_match(text, pos).end()  # type: ignore[union-attr]  # always matches
            newlines = count("\n", pos, end)
            if newlines:
                line += newlines
                line_start = rfind("\n", pos, end) + 1
            pos = end
        ch = text[pos] if pos < n else ""
        column = pos - line_start + 1
        node: Node
        if state == _NEXT:
            frame = stack[-1]
            if ch == ",":
                state = _KEY if frame[0] else _VALUE
                pos += 1
                continue
            if ch == ("}" if frame[0] else "]"):
                stack.pop()
                pos += 1
                node = Node("map" if frame[0] else "seq", frame[1], Span(frame[2], frame[3], line, column + 1))
            else:
                expected = "expected ',' or '}'" if frame[0] else "expected ',' or ']'"
                raise _error(expected, line, column)
        elif state == _COLON:
            if ch != ":":
                raise _error("expected ':'", line, column)
            state = _VALUE
            pos += 1
            continue
        elif state in (_KEY, _KEY_OR_CLOSE):
            if ch == '"':
                m = string_match(text, pos)
                if m is None:
                    raise _string_error(text, pos, line, line_start)
                raw = m.group()
                end = m.end()
                value = raw[1:-1] if "\\" not in raw else json.loads(raw)
                stack[-1][4] = Node("scalar", value, Span(line, column, line, end - line_start + 1))
                pos = end
                state = _COLON
                continue
            if ch == "}" and state == _KEY_OR_CLOSE:
                frame = stack.pop()
                pos += 1
                node = Node("map", frame[1], Span(frame[2], frame[3], line, column + 1))
            else:
                raise _error(_EXPECTED[state], line, column)
        elif ch == "{" or ch == "[":
            if len(stack) >= MAX_DEPTH:
                raise _error(f"nesting deeper than {MAX_DEPTH}", line, column)
            is_map = ch == "{"
            stack.append([is_map, [], line, column, None])
            state = _KEY_OR_CLOSE if is_map else _VALUE_OR_CLOSE
            pos += 1
            continue
        elif ch == '"':
            m = string_match(text, pos)
            if m is None:
                raise _string_error(text, pos, line, line_start)
            raw = m.group()
            end = m.end()
            node = Node(
                "scalar",
                raw[1:-1] if "\\" not in raw else json.loads(raw),
                Span(line, column, line, end - line_start + 1),
            )
            pos = end
        elif ch == "-" or "0" <= ch <= "9":
            m = number_match(text, pos)
            if m is None:
                raise _error(_EXPECTED[state], line, column)
            raw = m.group()
            end = m.end()
            number: int | float
            if m.group(1) is None and m.group(2) is None:
                try:
                    number = int(raw)
                except ValueError:  # beyond int's digit limit
                    number = float(raw)
            else:
                number = float(raw)
            node = Node("scalar", number, Span(line, column, line, end - line_start + 1))
            pos = end
        elif ch in _LITERALS and text.startswith(_LITERALS[ch][0], pos):
            word, literal = _LITERALS[ch]
            end = pos + len(word)
            node = Node("scalar", literal, Span(line, column, line, column + len(word)))
            pos = end
        elif ch == "]" and state == _VALUE_OR_CLOSE:
            frame = stack.pop()
            pos += 1
            node = Node("seq", frame[1], Span(frame[2], frame[3], line, column + 1))
        else:
            raise _error(_EXPECTED[state], line, column)
        # A value is complete: hang it on its container, or finish the document.
        if not stack:
            break
        frame = stack[-1]
        if frame[0]:
            frame[1].append((frame[4], node))
        else:
            frame[1].append(node)
        state = _NEXT
    if pos < n:
        end = ws_match(text, pos).end()  # type: ignore[union-attr]
        newlines = count("\n", pos, end)
        if newlines:
            line += newlines
            line_start = rfind("\n", pos, end) + 1
        if end < n:
            raise _error("unexpected data after the JSON value", line, end - line_start + 1)
    return node


class _Pairs(list):  # type: ignore[type-arg]
    """Marks a decoded JSON object (kept as pairs so duplicate keys survive)."""


def _reject_constant(name: str) -> None:
    """``json.loads`` accepts NaN and Infinity; RFC 8259 does not."""
    raise ValueError(f"{name} is not valid JSON")


def _parse_large(text: str, pos: int) -> Node:
    """``json.loads`` for speed; every node gets the span of the whole document."""
    body = text[pos:] if pos else text
    try:
        data = json.loads(body, object_pairs_hook=_Pairs, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise _error(exc.msg, exc.lineno, exc.colno) from None
    except (RecursionError, ValueError) as exc:
        raise ParseError(f"cannot decode JSON: {exc}") from None
    stripped = body.rstrip(" \t\n\r")
    last_line_start = stripped.rfind("\n") + 1
    span = Span(1, 1, stripped.count("\n") + 1, len(stripped) - last_line_start + 1)
    # Build the tree breadth-first with an explicit queue: no recursion.
    root = Node("scalar", None, span)
    pending: list[tuple[Node, object, int]] = [(root, data, 0)]
    while pending:
        node, value, depth = pending.pop()
        if depth >= MAX_DEPTH and isinstance(value, list):
            raise _error(f"nesting deeper than {MAX_DEPTH}", 1, 1)
        if isinstance(value, _Pairs):
            pairs: list[tuple[Node, Node]] = []
            for key, item in value:
                child = Node("scalar", None, span)
                pairs.append((Node("scalar", key, span), child))
                pending.append((child, item, depth + 1))
            node.kind, node.value = "map", pairs
        elif isinstance(value, list):
            items: list[Node] = []
            for item in value:
                child = Node("scalar", None, span)
                items.append(child)
                pending.append((child, item, depth + 1))
            node.kind, node.value = "seq", items
        else:
            node.value = value
    return root


def parse_node(text: str) -> Node:
    """The root node of a JSON text (BOM tolerated); ParseError when it is not JSON."""
    pos = 1 if text.startswith("\ufeff") else 0
    # The tree is acyclic and freed by reference counting: pausing the cyclic
    # collector while it grows avoids repeated full scans (about 2x on big files).
    collecting = gc.isenabled()
    gc.disable()
    try:
        if len(text) > FAST_PATH_CHARS:
            return _parse_large(text, pos)
        return _parse_positioned(text, pos)
    finally:
        if collecting:
            gc.enable()


def parse(path: str, text: str, kind: Kind) -> TreeDocument:
    """A TreeDocument with the single JSON value as its root."""
    return TreeDocument(path=path, kind=kind, text=text, roots=[parse_node(text)])
