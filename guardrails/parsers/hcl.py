"""Terraform (.tf) and variable files (.tfvars) through tree-sitter-hcl.

Every block, attribute and expression keeps its own position, which python-hcl2's
current ``load()`` no longer gives; python-hcl2 stays in the tests as an oracle.

The conversion visits each tree-sitter node it needs once and reads its type, children
and offsets once: a 1,800-file repository has half a million nodes, so every property
read and Python call per node shows in the scan time.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from guardrails.documents import Attribute, Block, Expr, TerraformDocument
from guardrails.model import Kind, ParseError, Span
from guardrails.parsers._treesitter import Source, new_span, parser, raise_first_error

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_TRAVERSAL = frozenset({"variable_expr", "get_attr", "index"})
_TEMPLATE_PIECES = frozenset({"template_literal", "template_interpolation", "template_directive"})
_OPERATORS = frozenset({"==", "!=", "<", ">", "<=", ">=", "&&", "||", "+", "-", "*", "/", "%"})


def parse(path: str, text: str, kind: Kind) -> TerraformDocument:
    blocks, attributes = _MEMO.parsed(text)
    # The containers are the document's own; the blocks and expressions in them are shared
    # with every file of the same text, and nothing downstream changes a parsed one.
    return TerraformDocument(path=path, kind=kind, text=text, blocks=list(blocks), attributes=dict(attributes))


_Parsed = tuple[list[Block], dict[str, Attribute]]


class _Memo:
    """The blocks and attributes of texts parsed before, reused for a file of the same text.

    Real repositories copy files verbatim (Cloud Posse's ``context.tf`` is in every component:
    564 of terraform-aws-components' 1,801 .tf files repeat another, half of its bytes), and
    parsing is most of a Terraform scan. A parse depends on the text alone; the path and kind
    are the document's.

    Most texts are met once, so a parse is kept for good (``kept``: least recently used out,
    within ``MAX_ENTRIES`` texts and ``MAX_CHARS`` characters; parsed objects take about thirteen
    times their text) only once its text comes again: while it is among the last ``RECENT``
    parsed (within ``MAX_CHARS // 4`` characters), or later, when the hash of its text is still
    among the last ``HASHES`` let go of.
    """

    MAX_ENTRIES = 256
    MAX_CHARS = 1 << 20
    MAX_TEXT = 1 << 18
    RECENT = 32
    HASHES = 4096

    def __init__(self) -> None:
        self.kept: OrderedDict[str, _Parsed | ParseError] = OrderedDict()
        self.chars = 0
        self.recent: OrderedDict[str, _Parsed | ParseError] = OrderedDict()
        self.recent_chars = 0
        self.hashes: OrderedDict[int, None] = OrderedDict()

    def parsed(self, text: str) -> _Parsed:
        found = self.kept.get(text)
        if found is not None:
            self.kept.move_to_end(text)
        else:
            found = self.recent.pop(text, None)
            if found is not None:
                self.recent_chars -= len(text)
                self._keep(text, found)
            else:
                try:
                    found = _convert(text)
                except ParseError as error:
                    found = error.with_traceback(None)  # its frames would keep the tree alive
                self._add(text, found)
        if isinstance(found, ParseError):
            raise ParseError(found.message, found.line, found.column)
        return found

    def get(self, text: str) -> _Parsed | None:
        """A parse already made, without making one."""
        found = self.kept.get(text) or self.recent.get(text)
        return found if isinstance(found, tuple) else None

    def _add(self, text: str, parsed: _Parsed | ParseError) -> None:
        if len(text) > self.MAX_TEXT:
            return
        key = hash(text)
        if key in self.hashes:
            del self.hashes[key]
            self._keep(text, parsed)
            return
        self.recent[text] = parsed
        self.recent_chars += len(text)
        while len(self.recent) > self.RECENT or self.recent_chars > self.MAX_CHARS // 4:
            oldest, _ = self.recent.popitem(last=False)
            self.recent_chars -= len(oldest)
            self.hashes[hash(oldest)] = None
            if len(self.hashes) > self.HASHES:
                self.hashes.popitem(last=False)

    def _keep(self, text: str, parsed: _Parsed | ParseError) -> None:
        self.kept[text] = parsed
        self.chars += len(text)
        while len(self.kept) > self.MAX_ENTRIES or self.chars > self.MAX_CHARS:
            oldest, _ = self.kept.popitem(last=False)
            self.chars -= len(oldest)

    def clear(self) -> None:
        self.kept.clear()
        self.recent.clear()
        self.hashes.clear()
        self.chars = self.recent_chars = 0


_MEMO = _Memo()


def _convert(text: str) -> _Parsed:
    source = Source(text)
    root = parser("hcl").parse(source.data).root_node
    raise_first_error(root, source, "HCL")
    body = next((c for c in root.children if c.type == "body"), None)
    builder = _Builder(source)
    try:
        return builder.body(body) if body is not None else ([], {})
    except RecursionError:
        raise ParseError("HCL nested too deeply to analyse") from None


def top_level_blocks(text: str, block_type: str) -> list[Block]:
    """Only the top-level blocks of ``block_type`` (``module`` calls, say), for a question
    about the whole repository: converting every other block of every file would double
    the cost of a scan. Raises ParseError as ``parse`` does."""
    known = _MEMO.get(text)
    if known is not None:
        return [block for block in known[0] if block.type == block_type]
    source = Source(text)
    root = parser("hcl").parse(source.data).root_node
    raise_first_error(root, source, "HCL")
    body = next((c for c in root.children if c.type == "body"), None)
    builder = _Builder(source)
    found = []
    for child in body.children if body is not None else []:
        if child.type == "block" and child.children and builder.text_of(child.children[0]) == block_type:
            try:
                found.append(builder.block(child))
            except RecursionError:
                raise ParseError("HCL nested too deeply to analyse") from None
    return found


class _Builder:
    """Tree-sitter nodes to blocks, attributes and expressions.

    For ASCII text (nearly every Terraform file) byte offsets are character offsets, so
    text is sliced from the str and columns are byte columns; other text goes through
    ``Source``, which decodes and counts characters.
    """

    __slots__ = ("ascii", "source", "text")

    def __init__(self, source: Source) -> None:
        self.source = source
        self.text = source.text
        self.ascii = source.ascii

    def text_of(self, node: Any) -> str:
        if self.ascii:
            return self.text[node.start_byte : node.end_byte]
        return self.source.text_of(node)

    def span(self, node: Any) -> Span:
        if self.ascii:
            (r1, c1), (r2, c2) = node.start_point, node.end_point
            return new_span(r1 + 1, c1 + 1, r2 + 1, c2 + 1)
        return self.source.span(node)

    def body(self, node: Any) -> tuple[list[Block], dict[str, Attribute]]:
        blocks: list[Block] = []
        attributes: dict[str, Attribute] = {}
        for child in node.children:
            kind = child.type
            if kind == "attribute":
                # The name, ``=`` and the value: taken by index, since listing the children made
                # a node for the ``=`` too, for each of the tens of thousands of attributes.
                name = self.text_of(child.child(0))
                value = child.child(2) if child.child_count > 2 else None
                if value is None or value.type != "expression":  # a comment between the name and the value
                    value = next(c for c in child.children if c.type == "expression")
                attributes[name] = Attribute(name, self.expr(value), self.span(child))
            elif kind == "block":
                blocks.append(self.block(child))
        return blocks, attributes

    def block(self, node: Any) -> Block:
        block_type = ""
        labels: list[str] = []
        blocks: list[Block] = []
        attributes: dict[str, Attribute] = {}
        for child in node.children:
            kind = child.type
            if kind == "identifier":
                if not block_type:
                    block_type = self.text_of(child)
                else:
                    labels.append(self.text_of(child))
            elif kind == "string_lit":
                labels.append(self.string_lit(child))
            elif kind == "body":
                blocks, attributes = self.body(child)
        return Block(block_type, labels, attributes, blocks, self.span(node))

    def string_lit(self, node: Any) -> str:
        """The text between the quotes, read by offset: a tree without errors closes every
        ``string_lit`` with its one-byte quotes, and listing its children (the quotes and the
        literal run) made three nodes for each of the tens of thousands of strings a large
        repository has."""
        return self._literal_run(node.start_byte + 1, node.end_byte - 1, True)

    def expr(self, node: Any) -> Expr:
        """An ``expression`` node: one term, or a traversal (``var.a.b[0]``), or other."""
        text = self.text_of(node)
        span = self.span(node)
        children = node.children
        if len(children) == 1:
            return self._single(children[0], text, span)
        if children and children[0].type == "variable_expr" and all(c.type in _TRAVERSAL for c in children):
            return Expr("reference", _reference_text(text), text, span)
        if len(children) == 3 and children[0].type == "(" and children[1].type == "expression":
            return self.expr(children[1])
        return Expr("other", None, text, span)

    def _terms(self, nodes: list[Any]) -> Expr:
        """An operand of an operator: tree-sitter lists a traversal's parts as siblings."""
        if not nodes:
            return Expr("other", None, "", Span.point(1, 1))
        first, last = self.span(nodes[0]), self.span(nodes[-1])
        span = new_span(first.line, first.column, last.end_line, last.end_column)
        text = "".join(self.text_of(n) for n in nodes)
        if len(nodes) == 1:
            node = nodes[0]
            return self.expr(node) if node.type == "expression" else self._single(node, text, span)
        if nodes[0].type == "variable_expr" and all(n.type in _TRAVERSAL for n in nodes):
            return Expr("reference", _reference_text(text), text, span)
        return Expr("other", None, text, span)

    def _single(self, node: Any, text: str, span: Span) -> Expr:
        kind = node.type
        if kind == "literal_value":
            return Expr("literal", self.literal(node.children[0]), text, span)
        if kind == "variable_expr":
            return Expr("reference", text.strip(), text, span)
        if kind == "template_expr":
            inner = node.children[0]
            quoted = inner.type == "quoted_template"
            parts = [c for c in inner.children if c.type in _TEMPLATE_PIECES]
            if quoted and all(c.type == "template_literal" for c in parts):
                return Expr("literal", self._template_text(inner), text, span)
            if quoted and len(parts) == 1 and _fills(parts[0], inner):  # "${var.x}" is var.x itself
                nested = self.expr(self._interpolated(parts[0]))
                if nested.kind == "reference":
                    return Expr("reference", nested.value, text, span)
            return Expr("template", self._template_text(inner), text, span)
        if kind == "collection_value":
            coll = node.children[0]
            if coll.type == "tuple":
                return Expr("tuple", [self.expr(c) for c in coll.children if c.type == "expression"], text, span)
            obj: dict[str, Expr] = {}
            for elem in coll.children:
                if elem.type != "object_elem":
                    continue
                exprs = [c for c in elem.children if c.type == "expression"]
                if len(exprs) == 2:
                    obj[self._key(exprs[0])] = self.expr(exprs[1])
            return Expr("object", obj, text, span)
        if kind == "function_call":
            children = node.children
            name = self.text_of(children[0])
            args_node = next((c for c in children if c.type == "function_arguments"), None)
            args = [self.expr(c) for c in args_node.children if c.type == "expression"] if args_node else []
            return Expr("call", name, text, span, args=args)
        if kind == "operation":
            op = node.children[0]
            if op.type == "unary_operation":
                operands = op.children
                if len(operands) == 2 and operands[1].type == "literal_value":
                    value = self.literal(operands[1].children[0])
                    if self.text_of(operands[0]) == "-" and isinstance(value, (int, float)):
                        return Expr("literal", -value, text, span)
                if operands and self.text_of(operands[0]) == "!":
                    return Expr("unary", "!", text, span, args=[self._terms(operands[1:])])
            elif op.type == "binary_operation":
                operands = op.children
                at = next((i for i, c in enumerate(operands) if c.type in _OPERATORS), None)
                if at is not None:
                    left, right = self._terms(operands[:at]), self._terms(operands[at + 1 :])
                    return Expr("binary", operands[at].type, text, span, args=[left, right])
        if kind == "conditional":
            parts = [self.expr(c) for c in node.children if c.type == "expression"]
            if len(parts) == 3:
                return Expr("conditional", None, text, span, args=parts)
        return Expr("other", None, text, span)

    def _interpolated(self, node: Any) -> Any:
        """The expression inside ``${ }``; HCL (and Terraform) reject an empty one."""
        for child in node.children:
            if child.type == "expression":
                return child
        span = self.span(node)
        raise ParseError("invalid HCL: empty template interpolation", span.line, span.column)

    def _key(self, node: Any) -> str:
        """An object key as text: a literal's value, a reference's path, else the source."""
        key = self.expr(node)
        return str(key.value if key.kind in ("literal", "reference") else key.text)

    def _template_text(self, node: Any) -> str:
        """A template's text as Terraform reads it: literal runs unescaped, interpolations and
        directives verbatim. The grammar leaves the whitespace next to an interpolation out of
        its literal nodes, so runs are read between the delimiters, not from those nodes."""
        children = node.children
        data = self.source.data
        quoted = node.type == "quoted_template"
        if quoted:
            start, end = children[0].end_byte, children[-1].start_byte
        else:  # a heredoc: the lines between ``<<ID`` and the line of the closing ``ID``
            ids = [c for c in children if c.type == "heredoc_identifier"]
            start = data.find(b"\n", ids[0].end_byte) + 1
            end = max(start, data.rfind(b"\n", 0, ids[-1].start_byte) + 1) if len(ids) > 1 else len(data)
        pieces: list[str] = []
        at = start
        for child in children:
            if child.type in ("template_interpolation", "template_directive") and start <= child.start_byte < end:
                pieces.append(self._literal_run(at, child.start_byte, quoted))
                pieces.append(self.text_of(child))
                at = child.end_byte
        pieces.append(self._literal_run(at, end, quoted))
        text = "".join(pieces)
        if not quoted and children and self.text_of(children[0]) == "<<-":
            return _flush(text)
        return text

    def _literal_run(self, start: int, end: int, quoted: bool) -> str:
        raw = self.text[start:end] if self.ascii else self.source.data[start:end].decode("utf-8", "replace")
        return _unescape(raw) if quoted else raw  # a heredoc has no backslash escapes

    def literal(self, node: Any) -> Any:
        kind = node.type
        if kind == "string_lit":
            return self.string_lit(node)
        raw = self.text_of(node)
        if kind == "numeric_lit":
            try:
                return int(raw)
            except ValueError:
                pass
            try:
                return float(raw)
            except ValueError:
                # tree-sitter-hcl accepts 0x1F (from HCL 1); HCL 2 and Terraform do not.
                span = self.span(node)
                raise ParseError("invalid HCL: number literal is not decimal", span.line, span.column) from None
        if kind == "bool_lit":
            return raw == "true"
        if kind == "null_lit":
            return None
        return raw


def _reference_text(text: str) -> str:
    return "".join(text.split())


def _fills(piece: Any, quoted: Any) -> bool:
    """True when ``piece`` is all that stands between the quotes (no space around it)."""
    children = quoted.children
    return bool(piece.start_byte == children[0].end_byte and piece.end_byte == children[-1].start_byte)


def _flush(text: str) -> str:
    """``<<-ID``: the least indentation of the non-blank lines is removed from every line."""
    lines = text.split("\n")
    indents = [len(line) - len(line.lstrip(" \t")) for line in lines if line.strip()]
    cut = min(indents, default=0)
    return "\n".join(line[cut:] for line in lines)


def _unescape(raw: str) -> str:
    if "\\" not in raw:
        return raw
    out = []
    i = 0
    while i < len(raw):
        ch = raw[i]
        if ch == "\\" and i + 1 < len(raw) and raw[i + 1] in _ESCAPES:
            out.append(_ESCAPES[raw[i + 1]])
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)
