"""Parser for ``/etc/resolv.conf``.

The resolver ignores lines it does not understand, so only a ``nameserver`` line
that cannot work (no address, or not an IP address) is an error: that is the one
mistake that silently removes a DNS server.
"""

from __future__ import annotations

import ipaddress
import re

from guardrails.documents import ResolvDocument, ResolvEntry
from guardrails.model import Kind, ParseError, Span

_WORD = re.compile(r"[^ \t\r\f\v]+")


def _is_ip(value: str) -> bool:
    """True for IPv4 and IPv6 addresses; IPv6 may carry a ``%scope`` zone id."""
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def parse(path: str, text: str, kind: Kind) -> ResolvDocument:
    """One entry per non-comment line: its keyword and whitespace-separated values.

    ``#`` or ``;`` starting a word begins a comment (glibc only honours them in
    column 1, but trailing comments are common and never meant as values).
    """
    entries: list[ResolvEntry] = []
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        if number == 1 and line.startswith("\ufeff"):
            line = line[1:]
        words: list[re.Match[str]] = []
        for m in _WORD.finditer(line):
            if m.group()[0] in "#;":
                break
            words.append(m)
        if not words:
            continue
        keyword = words[0].group()
        values = [m.group() for m in words[1:]]
        span = Span(number, words[0].start() + 1, number, words[-1].end() + 1)
        if keyword == "nameserver":
            if not values:
                raise ParseError("nameserver without an address", number, words[0].start() + 1)
            # The resolver reads only the first word; anything after it is ignored.
            if not _is_ip(values[0]):
                raise ParseError(f"nameserver {values[0]!r} is not an IP address", number, words[1].start() + 1)
        entries.append(ResolvEntry(keyword, values, span))
    return ResolvDocument(path=path, kind=kind, text=text, entries=entries)
