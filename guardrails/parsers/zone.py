"""Parser for DNS master files (RFC 1035 section 5, with BIND's extensions).

The DNS rules need each record's owner, type and *effective* TTL, so this parser
applies ``$ORIGIN``/``$TTL`` and the inheritance rules the way BIND loads a zone.
``$INCLUDE`` is recorded but never followed: the linter reads one file at a time.
"""

from __future__ import annotations

import re

from guardrails.documents import ZoneDirective, ZoneDocument, ZoneRecord
from guardrails.model import Kind, ParseError, Span
from guardrails.parsers._gc import without_cyclic_gc
from guardrails.records import Record

_TOKEN = re.compile(
    r"""
     (?P<nl>\n)
    |(?P<ws>[ \t\r\f\v]+)
    |(?P<comment>;[^\n]*)
    |(?P<open>\()
    |(?P<close>\))
    |(?P<quoted>"[^"\\\n]*(?:\\.[^"\\\n]*)*")
    |(?P<word>(?:[^\s;()"\\]|\\.?)+)
    |(?P<bad>")
    """,
    re.VERBOSE,
)
_TTL_PLAIN = re.compile(r"\d+")
_TTL_UNITS = re.compile(r"(?:\d+[smhdw])+", re.IGNORECASE)
_TTL_PART = re.compile(r"(\d+)([smhdw])", re.IGNORECASE)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_TYPE_NUMBER = re.compile(r"TYPE\d+")
_CLASSES = frozenset({"IN", "CH", "CS", "HS", "NONE", "ANY"})
_DIRECTIVES = frozenset({"$TTL", "$ORIGIN", "$INCLUDE", "$GENERATE"})
# RR types from the IANA registry that can appear in a zone file (plus TYPEnnn, RFC 3597).
# fmt: off
_TYPES = frozenset({
    "A", "NS", "MD", "MF", "CNAME", "SOA", "MB", "MG", "MR", "NULL", "WKS", "PTR", "HINFO", "MINFO",
    "MX", "TXT", "RP", "AFSDB", "X25", "ISDN", "RT", "NSAP", "NSAP-PTR", "SIG", "KEY", "PX", "GPOS",
    "AAAA", "LOC", "NXT", "EID", "NIMLOC", "SRV", "ATMA", "NAPTR", "KX", "CERT", "A6", "DNAME", "SINK",
    "OPT", "APL", "DS", "SSHFP", "IPSECKEY", "RRSIG", "NSEC", "DNSKEY", "DHCID", "NSEC3", "NSEC3PARAM",
    "TLSA", "SMIMEA", "HIP", "NINFO", "RKEY", "TALINK", "CDS", "CDNSKEY", "OPENPGPKEY", "CSYNC",
    "ZONEMD", "SVCB", "HTTPS", "DSYNC", "SPF", "UINFO", "UID", "GID", "UNSPEC", "NID", "L32", "L64",
    "LP", "EUI48", "EUI64", "TKEY", "TSIG", "URI", "CAA", "AVC", "DOA", "AMTRELAY", "RESINFO", "WALLET",
    "TA", "DLV",
})
# fmt: on


# A token is a plain tuple (text, line, column, end_column): cheapest to build.
_Token = tuple[str, int, int, int]


class _Entry(Record):
    """One logical line: its tokens (parentheses removed) and where it starts and ends."""

    __slots__ = ("end_column", "end_line", "indented", "tokens")

    def __init__(self, tokens: list[_Token], indented: bool, end_line: int, end_column: int) -> None:
        self.tokens = tokens
        self.indented = indented
        self.end_line = end_line
        self.end_column = end_column


def parse_ttl(text: str) -> int | None:
    """Seconds for ``3600`` or BIND's unit form ``1h30m`` / ``2W``; None when malformed."""
    if _TTL_PLAIN.fullmatch(text):
        return int(text)
    if _TTL_UNITS.fullmatch(text):
        return sum(int(n) * _UNIT_SECONDS[u.lower()] for n, u in _TTL_PART.findall(text))
    return None


def _entries(text: str) -> list[_Entry]:
    """Split the file into logical lines, joining lines inside parentheses."""
    entries: list[_Entry] = []
    tokens: list[_Token] = []
    depth = 0
    open_at = (1, 1)
    line = 1
    line_start = 0
    indented = False
    at_line_start = True
    end = (1, 1)
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        start = m.start()
        column = start - line_start + 1
        if kind == "nl":
            if depth == 0 and tokens:
                entries.append(_Entry(tokens, indented, *end))
                tokens = []
            line += 1
            line_start = m.end()
            at_line_start = True
            continue
        if at_line_start:
            at_line_start = False
            if depth == 0 and not tokens:
                indented = kind == "ws"
        if kind == "ws" or kind == "comment":
            continue
        if kind == "bad":
            raise ParseError("unterminated quoted string", line, column)
        end_column = m.end() - line_start + 1
        if kind == "open":
            if depth == 0:
                open_at = (line, column)
            depth += 1
        elif kind == "close":
            if depth == 0:
                raise ParseError("unbalanced parentheses: ')' without '('", line, column)
            depth -= 1
        else:
            tokens.append((m.group(), line, column, end_column))
        if tokens:
            end = (line, end_column)
    if depth:
        raise ParseError("unbalanced parentheses: '(' is never closed", *open_at)
    if tokens:
        entries.append(_Entry(tokens, indented, *end))
    return entries


def _absolute(name: str, origin: str) -> str:
    """Apply the origin: ``@`` is the origin, relative names get it appended."""
    if name == "@":
        return origin or "@"
    if name.endswith(".") and not name.endswith("\\."):
        return name
    if not origin:
        return name
    if origin == ".":
        return name + "."
    return f"{name}.{origin}"


def _span(entry: _Entry) -> Span:
    _, line, column, _ = entry.tokens[0]
    return Span(line, column, entry.end_line, entry.end_column)


def _token_span(token: _Token) -> Span:
    _, line, column, end_column = token
    return Span(line, column, line, end_column)


def _error(message: str, token: _Token) -> ParseError:
    return ParseError(message, token[1], token[2])


@without_cyclic_gc
def parse(path: str, text: str, kind: Kind, origin: str = "") -> ZoneDocument:
    """Read directives and records; raise ParseError where BIND would refuse the zone.
    ``origin`` is the zone's name when a ``named.conf`` stanza gives it: BIND's initial origin."""
    src = text.replace("\r\n", "\n")
    if src.startswith("\ufeff"):
        src = src[1:]
    origin = origin if not origin or origin.endswith(".") else origin + "."
    doc = ZoneDocument(path=path, kind=kind, text=text, origin=origin)
    default_ttl: int | None = None
    last_ttl: int | None = None
    last_owner: str | None = None
    last_class = "IN"
    for entry in _entries(src):
        tokens = entry.tokens
        first = tokens[0]
        if first[0].startswith("$"):
            name = first[0].upper()
            if name not in _DIRECTIVES:
                raise _error(f"unknown directive {first[0]}", first)
            args = [t[0] for t in tokens[1:]]
            directive = ZoneDirective(name, " ".join(args), _span(entry))
            if len(tokens) == 2:
                directive.value_span = _token_span(tokens[1])
            if name == "$TTL":
                if len(args) != 1 or (seconds := parse_ttl(args[0])) is None:
                    raise _error(f"bad TTL in $TTL: {directive.value!r}", tokens[1] if len(tokens) > 1 else first)
                directive.seconds = default_ttl = seconds
            elif name == "$ORIGIN":
                if len(args) != 1:
                    raise _error("$ORIGIN takes exactly one domain name", first)
                origin = _absolute(args[0], origin)
                if not doc.origin:
                    doc.origin = origin
            elif not args:
                raise _error(f"{name} needs an argument", first)
            doc.directives.append(directive)
            continue
        rest = tokens
        if entry.indented:
            if last_owner is None:
                raise _error("record without an owner name and no previous owner", first)
            owner = last_owner
        else:
            owner = _absolute(first[0], origin)
            rest = tokens[1:]
        ttl: int | None = None
        ttl_token: _Token | None = None
        rclass: str | None = None
        rtype: str | None = None
        type_at = len(rest)
        for index, token in enumerate(rest):
            word = token[0]
            upper = word.upper()
            if upper in _TYPES or _TYPE_NUMBER.fullmatch(upper):
                rtype = upper
                type_at = index
                break
            if rclass is None and upper in _CLASSES:
                rclass = upper
            elif ttl is None and word[:1].isdigit():
                ttl = parse_ttl(word)
                if ttl is None:
                    raise _error(f"bad TTL {word!r}", token)
                ttl_token = token
            else:
                raise _error(f"unknown record type {word!r}", token)
        if rtype is None:
            raise _error("record has no type", rest[-1] if rest else first)
        rdata = [t[0] for t in rest[type_at + 1 :]]
        if ttl is not None:
            effective: int | None = ttl
        elif default_ttl is not None:
            effective = default_ttl
        elif last_ttl is not None:
            effective = last_ttl
        elif rtype == "SOA" and len(rdata) >= 7:
            effective = parse_ttl(rdata[6])
        else:
            effective = None
        last_owner = owner
        last_class = rclass or last_class
        if effective is not None:
            # Without $TTL, BIND gives a record the last TTL it loaded (RFC 1035 5.1).
            last_ttl = effective
        doc.records.append(
            ZoneRecord(
                name=owner,
                ttl=ttl,
                effective_ttl=effective,
                rclass=last_class,
                rtype=rtype,
                rdata=rdata,
                span=_span(entry),
                ttl_span=_token_span(ttl_token) if ttl_token is not None else None,
            )
        )
    return doc
