"""YAML to positioned nodes through PyYAML's composer (the C one when libyaml is there).

Nodes are composed from the event stream with an explicit stack (libyaml's own
composer recurses in C and crashes the process on deeply nested input). Aliases are
shared, not copied, and the size they would expand to is counted as they appear: a
billion-laughs file is refused in linear time instead of exhausting memory.
"""

from __future__ import annotations

from guardrails.documents import TreeDocument
from guardrails.model import Kind, Node, ParseError, Span
from guardrails.yaml_lib import yaml

try:
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

MAX_EXPANDED_NODES = 1_000_000
MAX_DEPTH = 400

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MERGE = "tag:yaml.org,2002:merge"
_TRUE = {"yes", "true", "on", "y"}


def _scalar_value(tag: str, text: str) -> object:
    """YAML 1.1 resolution as PyYAML's SafeLoader does it, without its constructor."""
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return text.lower() in _TRUE
    if tag == _INT:
        return _to_int(text)
    if tag == _FLOAT:
        try:
            return float(text.replace("_", ""))
        except ValueError:
            return text
    return text


def _to_int(text: str) -> object:
    t = text.replace("_", "")
    sign = -1 if t.startswith("-") else 1
    t = t.lstrip("+-")
    try:
        if t.startswith("0b"):
            return sign * int(t[2:], 2)
        if t.startswith("0x"):
            return sign * int(t[2:], 16)
        if t.startswith("0o"):
            return sign * int(t[2:], 8)
        if ":" in t:  # sexagesimal, as in the YAML 1.1 trap "22:22" == 1342
            value = 0
            for part in t.split(":"):
                value = value * 60 + int(part)
            return sign * value
        if len(t) > 1 and t.startswith("0"):
            return sign * int(t, 8)
        return sign * int(t)
    except ValueError:
        return text


def _mark_span(start: yaml.Mark, end: yaml.Mark) -> Span:
    return Span(start.line + 1, start.column + 1, end.line + 1, end.column + 1)


class _Composer:
    """Builds Nodes from parser events with an explicit stack: no recursion, so deep
    nesting cannot overflow the C or Python stack, and alias expansion is counted."""

    def __init__(self) -> None:
        self.resolver = yaml.resolver.Resolver()
        self.anchors: dict[str, tuple[Node, int]] = {}
        self.expanded = 0

    def compose(self, events: list[yaml.Event] | object) -> list[Node]:
        roots: list[Node] = []
        # Each frame: (node, size so far, pending key for maps, anchor, start mark).
        stack: list[list] = []
        for event in events:  # type: ignore[attr-defined]
            if isinstance(event, yaml.DocumentStartEvent):
                self.anchors.clear()
                self.expanded = 0
                continue
            if isinstance(event, yaml.ScalarEvent):
                node = self._scalar(event)
                self._add(stack, roots, node, 1, event.anchor)
            elif isinstance(event, yaml.AliasEvent):
                target = self.anchors.get(event.anchor)
                if target is None:
                    raise ParseError(
                        f"invalid YAML: found undefined alias {event.anchor!r}",
                        event.start_mark.line + 1,
                        event.start_mark.column + 1,
                    )
                self._add(stack, roots, target[0], target[1], None)
            elif isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                if len(stack) >= MAX_DEPTH:
                    raise ParseError(f"YAML nesting deeper than {MAX_DEPTH} levels", event.start_mark.line + 1)
                kind = "seq" if isinstance(event, yaml.SequenceStartEvent) else "map"
                default_tag = "tag:yaml.org,2002:seq" if kind == "seq" else "tag:yaml.org,2002:map"
                tag = event.tag if event.tag and event.tag != "!" else default_tag
                node = Node(kind, [], _mark_span(event.start_mark, event.end_mark), tag=tag)
                stack.append([node, 1, None, event.anchor])
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                node, size, _, anchor = stack.pop()
                node.span = Span(node.span.line, node.span.column, event.end_mark.line + 1, event.end_mark.column + 1)
                if node.kind == "map":
                    node.value = _apply_merges(node.value)
                self._add(stack, roots, node, size, anchor, counted=True)
        return roots

    def _scalar(self, event: yaml.ScalarEvent) -> Node:
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.resolver.resolve(yaml.ScalarNode, event.value, event.implicit) if tag is None else _STR
        span = _mark_span(event.start_mark, event.end_mark)
        return Node("scalar", _scalar_value(tag, event.value), span, raw=event.value, tag=tag)

    def _add(
        self, stack: list[list], roots: list[Node], node: Node, size: int, anchor: str | None, counted: bool = False
    ) -> None:
        if not counted:
            self.expanded += size
        if self.expanded > MAX_EXPANDED_NODES:
            raise ParseError(
                f"YAML aliases expand to more than {MAX_EXPANDED_NODES:,} nodes (alias bomb?)",
                node.span.line,
                node.span.column,
            )
        if anchor:
            self.anchors[anchor] = (node, size)
        if not stack:
            roots.append(node)
            return
        frame = stack[-1]
        frame[1] += size
        parent = frame[0]
        if parent.kind == "seq":
            parent.value.append(node)
        elif frame[2] is None:
            if node.kind != "scalar":
                raise ParseError(
                    "invalid YAML for a configuration file: a mapping key that is itself a "
                    f"{'mapping' if node.kind == 'map' else 'sequence'} (an unrendered template such as {{{{x}}}}?)",
                    node.span.line,
                    node.span.column,
                )
            frame[2] = node
        else:
            parent.value.append((frame[2], node))
            frame[2] = None


def _apply_merges(pairs: list[tuple[Node, Node]]) -> list[tuple[Node, Node]]:
    """``<<: *base`` merge keys: the merged entries come first, so explicit keys win
    for readers that take the last occurrence and tools that look keys up by name."""
    if not any(k.tag == _MERGE for k, _ in pairs):
        return pairs
    merged: list[tuple[Node, Node]] = []
    own: list[tuple[Node, Node]] = []
    for key, value in pairs:
        if key.tag != _MERGE:
            own.append((key, value))
            continue
        for src in value.value if value.kind == "seq" else [value]:
            if src.kind == "map":
                merged.extend(src.value)
    own_keys = {k.text for k, _ in own}
    return [(k, v) for k, v in merged if k.text not in own_keys] + own


def parse(path: str, text: str, kind: Kind) -> TreeDocument:
    try:
        roots = _Composer().compose(yaml.parse(text, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        column = mark.column + 1 if mark else 1
        problem = exc.problem or exc.context or "invalid YAML"
        if "nesting depth" in problem:
            # libyaml (PyYAML >= 6.0.4) has a nesting limit of its own that can answer before ours.
            raise ParseError(f"YAML nesting deeper than {MAX_DEPTH} levels", line, column) from None
        raise ParseError(f"invalid YAML: {problem}", line, column) from None
    except yaml.YAMLError as exc:
        raise ParseError(f"invalid YAML: {exc}") from None
    return TreeDocument(path=path, kind=kind, text=text, roots=roots)
