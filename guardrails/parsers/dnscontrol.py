"""DNSControl ``dnsconfig.js`` (and the files it requires) through tree-sitter-javascript:
provider declarations, and the ``D()``, ``DEFAULTS()`` and ``require()`` calls with their literal
arguments. Nothing is evaluated: a computed argument (a variable, a spread, a function call of
the file's own) is kept as unknown."""

from __future__ import annotations

from typing import Any

from guardrails.documents.dnscontrol import DnsCall, DnsControlDocument, DnsProviderDecl
from guardrails.model import Kind
from guardrails.parsers._treesitter import Source, parser, raise_first_error

# The calls that make the configuration as DNSControl runs it, kept in source order.
PROGRAM_CALLS = frozenset({"D", "D_EXTEND", "DEFAULTS", "require", "require_glob"})
_DEPTH = 64


def parse(path: str, text: str, kind: Kind) -> DnsControlDocument:
    source = Source(text)
    tree = parser("javascript").parse(source.data)
    raise_first_error(tree.root_node, source, "JavaScript")
    doc = DnsControlDocument(path=path, kind=kind, text=text)
    stack: list[tuple[Any, int]] = [(tree.root_node, 0)]
    while stack:
        node, depth = stack.pop()
        if node.type == "variable_declarator":
            declared = _provider(node, source)
            if declared is not None:
                doc.providers.append(declared)
        if node.type == "call_expression" and _callee(node, source) in PROGRAM_CALLS:
            doc.domains.append(_call(node, source, 0))
            continue
        if depth < _DEPTH:
            stack.extend((child, depth + 1) for child in reversed(node.named_children))
    doc.domains.sort(key=lambda c: (c.span.line, c.span.column))
    return doc


def _callee(node: Any, source: Source) -> str:
    function = node.child_by_field_name("function")
    return source.text_of(function) if function is not None and function.type == "identifier" else ""


def _literal(node: Any, source: Source) -> str | int | bool | None:
    if node.type in ("true", "false"):
        return node.type == "true"
    if node.type == "string":
        return "".join(source.text_of(c) for c in node.named_children if c.type == "string_fragment")
    if node.type == "number":
        text = source.text_of(node)
        return int(text) if text.isdigit() else None
    return None


def _call(node: Any, source: Source, depth: int) -> DnsCall:
    call = DnsCall(_callee(node, source), [], source.span(node))
    arguments = node.child_by_field_name("arguments")
    for argument in arguments.named_children if arguments is not None else []:
        call.args.append(_literal(argument, source))
        if argument.type == "call_expression" and depth < _DEPTH:
            call.calls.append(_call(argument, source, depth + 1))
        elif argument.type == "identifier":
            call.calls.append(DnsCall("$" + source.text_of(argument), [], source.span(argument)))
    return call


def _provider(node: Any, source: Source) -> DnsProviderDecl | None:
    name, value = node.child_by_field_name("name"), node.child_by_field_name("value")
    if name is None or value is None or value.type != "call_expression":
        return None
    if _callee(value, source) != "NewDnsProvider":
        return None
    call = _call(value, source, _DEPTH)
    provider = call.args[0] if call.args and isinstance(call.args[0], str) else ""
    provider_type = call.args[1] if len(call.args) > 1 and isinstance(call.args[1], str) else ""
    return DnsProviderDecl(source.text_of(name), provider, provider_type, source.span(node))
