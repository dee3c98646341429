"""Resolver configuration parsers: systemd-resolved, dnsmasq and CoreDNS."""

from __future__ import annotations

import pytest

from guardrails.documents import ConfDocument
from guardrails.model import Kind, ParseError, Span
from guardrails.parsers.resolver_conf import parse


def doc(kind: Kind, text: str) -> ConfDocument:
    return parse("x", text, kind)


def test_resolved_sections_continuations_and_comments() -> None:
    text = "[Resolve]\nDNS=10.0.0.2 \\\n# skipped inside\n  10.0.1.2\n; comment\nnot an assignment\nDNS=\n"
    d = doc(Kind.RESOLVED_CONF, text)
    assert [(e.section, e.key, e.values, e.span.line, e.span.end_line) for e in d.entries] == [
        ("Resolve", "DNS", ["10.0.0.2 10.0.1.2"], 2, 4),
        ("Resolve", "DNS", [""], 7, 7),
    ]


def test_dnsmasq_options_and_comments() -> None:
    text = 'no-resolv\nserver=10.0.0.2#53 # upstream\naddress="/a#b/10.0.0.9"\n  # comment\n'
    d = doc(Kind.DNSMASQ_CONF, text)
    assert [(e.key, e.values) for e in d.entries] == [
        ("no-resolv", []),
        ("server", ["10.0.0.2#53"]),  # '#' inside a word is a port separator, not a comment
        ("address", ['"/a#b/10.0.0.9"']),
    ]
    assert d.entries[1].span == Span(2, 1, 2, 19)


def test_corefile_blocks() -> None:
    text = (
        "# cluster DNS\n"
        ".:53 {\n"
        "    errors\n"
        '    forward . 10.0.0.2 "10.0.1.2" {\n'
        "        policy sequential\n"
        "    }\n"
        "    cache 30\n"
        "}\n"
        "example.org:1053, example.net {\n"
        "    whoami\n"
        "}\n"
    )
    d = doc(Kind.COREFILE, text)
    assert [(e.section, e.key, e.values) for e in d.entries] == [
        (".:53", "errors", []),
        (".:53", "forward", [".", "10.0.0.2", "10.0.1.2"]),
        (".:53", "cache", ["30"]),
        ("example.org:1053 example.net", "whoami", []),
    ]
    assert d.entries[1].span == Span(4, 5, 4, 34)


def test_corefile_single_block_without_braces() -> None:
    d = doc(Kind.COREFILE, ".\nforward . 1.1.1.1\nlog\n")
    assert [(e.section, e.key) for e in d.entries] == [(".", "forward"), (".", "log")]


@pytest.mark.parametrize(
    "text", [".:53 {\n forward . 1.1.1.1\n", "{\n}\n", ".:53 {\n}\n}\n", '.:53 {\n log "x\n}\n', ". {\n a {\n}\n"]
)
def test_corefile_errors(text: str) -> None:
    with pytest.raises(ParseError):
        doc(Kind.COREFILE, text)
