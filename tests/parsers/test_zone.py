"""The DNS zone-file parser: names, TTL inheritance, positions and errors."""

from __future__ import annotations

import pytest

from guardrails.documents import ZoneDirective, ZoneDocument, ZoneRecord
from guardrails.model import Kind, ParseError, Span
from guardrails.parsers.zone import parse, parse_ttl

ZONE = """\
$ORIGIN example.com.
$TTL 1h
@   IN  SOA ns1 hostmaster (
        2024010101 ; serial
        7200       ; refresh
        3600 1209600 300 )
    IN  NS  ns1
    IN  NS  ns2.other.net.
www 300 IN A 192.0.2.1
        A 192.0.2.2
mail IN 1d MX 10 mx1
txt TXT "v=spf1 ; not a comment" "second"
"""


def doc(text: str, path: str = "db.example.com") -> ZoneDocument:
    return parse(path, text, Kind.ZONE)


def test_full_zone() -> None:
    d = doc(ZONE)
    assert d.origin == "example.com."
    assert d.directives == [
        ZoneDirective("$ORIGIN", "example.com.", Span(1, 1, 1, 21), value_span=Span(1, 9, 1, 21)),
        ZoneDirective("$TTL", "1h", Span(2, 1, 2, 8), seconds=3600, value_span=Span(2, 6, 2, 8)),
    ]
    soa, ns1, ns2, www1, www2, mx, txt = d.records
    assert soa == ZoneRecord(
        name="example.com.",
        ttl=None,
        effective_ttl=3600,
        rclass="IN",
        rtype="SOA",
        rdata=["ns1", "hostmaster", "2024010101", "7200", "3600", "1209600", "300"],
        span=Span(3, 1, 6, 27),
    )
    assert (ns1.name, ns1.rtype, ns1.rdata, ns1.span) == ("example.com.", "NS", ["ns1"], Span(7, 5, 7, 16))
    assert ns2.rdata == ["ns2.other.net."]
    assert www1 == ZoneRecord(
        "www.example.com.", 300, 300, "IN", "A", ["192.0.2.1"], Span(9, 1, 9, 23), ttl_span=Span(9, 5, 9, 8)
    )
    assert (www2.name, www2.ttl, www2.effective_ttl, www2.ttl_span) == ("www.example.com.", None, 3600, None)
    assert www2.span == Span(10, 9, 10, 20)
    assert (mx.name, mx.ttl, mx.effective_ttl, mx.rtype, mx.rdata) == (
        "mail.example.com.",
        86400,
        86400,
        "MX",
        ["10", "mx1"],
    )
    assert mx.ttl_span == Span(11, 9, 11, 11)
    assert txt.rdata == ['"v=spf1 ; not a comment"', '"second"']
    assert txt.span == Span(12, 1, 12, 42)


def test_default_origin_keeps_names_relative() -> None:
    d = doc("www 60 IN A 192.0.2.1\n@ 60 IN NS ns1\nabs.example.org. 60 A 192.0.2.9\n", path="example.com.zone")
    assert d.origin == ""
    assert [r.name for r in d.records] == ["www", "@", "abs.example.org."]


def test_relative_origin_is_appended_to_current_origin() -> None:
    d = doc("$ORIGIN example.com.\n$ORIGIN sub\nhost 60 A 192.0.2.1\n@ 60 A 192.0.2.2\n")
    assert [r.name for r in d.records] == ["host.sub.example.com.", "sub.example.com."]
    assert d.origin == "example.com."  # the zone's origin: the first $ORIGIN
    assert d.directives[1].value == "sub"


def test_root_origin() -> None:
    d = doc("$ORIGIN .\ncom 60 NS a.gtld-servers.net.\n")
    assert d.records[0].name == "com."


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("0", 0),
        ("86400", 86400),
        ("30s", 30),
        ("5m", 300),
        ("1h", 3600),
        ("2d", 172800),
        ("1w", 604800),
        ("1h30m", 5400),
        ("1W2D3H4M5S", 604800 + 2 * 86400 + 3 * 3600 + 4 * 60 + 5),
    ],
)
def test_ttl_units(text: str, seconds: int) -> None:
    assert parse_ttl(text) == seconds
    assert doc(f"$TTL {text}\n").directives[0].seconds == seconds


@pytest.mark.parametrize("text", ["", "1x", "h", "1h30", "-5", "1.5h", "ten"])
def test_bad_ttl_values(text: str) -> None:
    assert parse_ttl(text) is None


def test_class_and_ttl_in_either_order() -> None:
    d = doc("a IN 60 A 192.0.2.1\nb 60 IN A 192.0.2.2\nc 60 A 192.0.2.3\nd IN A 192.0.2.4\n")
    assert [(r.ttl, r.rclass) for r in d.records] == [(60, "IN"), (60, "IN"), (60, "IN"), (None, "IN")]
    assert d.records[0].ttl_span == Span(1, 6, 1, 8)


def test_class_is_inherited_and_upper_cased() -> None:
    d = doc("a 60 ch txt x\nb 60 TXT y\n")
    assert [(r.rclass, r.rtype) for r in d.records] == [("CH", "TXT"), ("CH", "TXT")]


def test_rtype_upper_cased_and_typennn() -> None:
    d = doc("a 60 in cname b\nc 60 TYPE65534 \\# 0\n")
    assert [r.rtype for r in d.records] == ["CNAME", "TYPE65534"]
    assert d.records[1].rdata == ["\\#", "0"]


def test_without_ttl_directive_records_inherit_previous_ttl() -> None:
    d = doc("a 120 A 192.0.2.1\nb A 192.0.2.2\nc 60 A 192.0.2.3\nd A 192.0.2.4\n")
    assert [(r.ttl, r.effective_ttl) for r in d.records] == [(120, 120), (None, 120), (60, 60), (None, 60)]


def test_ttl_directive_wins_over_previous_record() -> None:
    d = doc("$TTL 300\na 120 A 192.0.2.1\nb A 192.0.2.2\n$TTL 30\nc A 192.0.2.3\n")
    assert [r.effective_ttl for r in d.records] == [120, 300, 30]
    assert [x.seconds for x in d.directives] == [300, 30]


def test_soa_minimum_when_no_ttl_is_known() -> None:
    d = doc("@ IN SOA ns hm ( 1 2 3 4 2h )\n  IN NS ns\nfirst-a A 192.0.2.1\n")
    soa, ns, a = d.records
    assert (soa.ttl, soa.effective_ttl) == (None, 7200)
    assert ns.effective_ttl == 7200  # BIND keeps using the TTL it last loaded
    assert a.effective_ttl == 7200


def test_no_ttl_anywhere_is_none() -> None:
    (r,) = doc("a A 192.0.2.1\n").records
    assert (r.ttl, r.effective_ttl) == (None, None)


def test_omitted_owner_reuses_previous_owner_across_origin_change() -> None:
    d = doc("$ORIGIN a.test.\nhost 60 A 192.0.2.1\n$ORIGIN b.test.\n\t60 A 192.0.2.2\n")
    assert [r.name for r in d.records] == ["host.a.test.", "host.a.test."]


def test_comments_and_blank_lines() -> None:
    d = doc("; header\n\n   ; indented comment\nwww 60 A 192.0.2.1 ; trailing\n")
    (r,) = d.records
    assert r.span == Span(4, 1, 4, 19)


def test_parentheses_anywhere_and_multi_line_rdata() -> None:
    d = doc('t 60 TXT ( "part one"\n   "part two" ) ; done\n')
    (r,) = d.records
    assert r.rdata == ['"part one"', '"part two"']
    assert r.span == Span(1, 1, 2, 16)


def test_quoted_string_with_escapes_and_parens() -> None:
    (r,) = doc('t 60 TXT "a \\" ( ) b"\n').records
    assert r.rdata == ['"a \\" ( ) b"']


def test_include_and_generate_are_recorded_not_followed() -> None:
    d = doc("$INCLUDE /etc/bind/keys.zone sub.example.com.\n$GENERATE 1-10 host$ A 192.0.2.$\n")
    assert [(x.name, x.value, x.seconds) for x in d.directives] == [
        ("$INCLUDE", "/etc/bind/keys.zone sub.example.com.", None),
        ("$GENERATE", "1-10 host$ A 192.0.2.$", None),
    ]
    assert d.records == []


def test_directive_names_are_case_insensitive() -> None:
    d = doc("$ttl 60\n$origin example.com.\n")
    assert [x.name for x in d.directives] == ["$TTL", "$ORIGIN"]
    assert d.origin == "example.com."


def test_crlf_gives_same_positions_as_lf() -> None:
    lf = doc(ZONE)
    crlf = doc(ZONE.replace("\n", "\r\n"))
    assert crlf.records == lf.records
    assert crlf.directives == lf.directives


def test_no_trailing_newline() -> None:
    (r,) = doc("www 60 A 192.0.2.1").records
    assert r.span == Span(1, 1, 1, 19)


@pytest.mark.parametrize(
    ("text", "message", "line", "column"),
    [
        ("@ SOA ns hm ( 1 2 3 4 5\nwww A 192.0.2.1\n", "unbalanced", 1, 13),
        ("www A 192.0.2.1 )\n", "unbalanced", 1, 17),
        ("$TTL forever\n", "bad TTL", 1, 6),
        ("$TTL\n", "bad TTL", 1, 1),
        ("$TTL 1h30\n", "bad TTL", 1, 6),
        ("www 1x IN A 192.0.2.1\n", "bad TTL", 1, 5),
        ("www 60 IN\n", "no type", 1, 8),
        ("www\n", "no type", 1, 1),
        ("www 60 IN FOO bar\n", "unknown record type", 1, 11),
        ("$FOO bar\n", "unknown directive", 1, 1),
        ("$ORIGIN\n", "$ORIGIN", 1, 1),
        ("$INCLUDE\n", "needs an argument", 1, 1),
        ("   60 A 192.0.2.1\n", "no previous owner", 1, 4),
        ('t TXT "open\n', "unterminated", 1, 7),
    ],
)
def test_errors(text: str, message: str, line: int, column: int) -> None:
    with pytest.raises(ParseError) as info:
        doc(text)
    assert message in info.value.message
    assert (info.value.line, info.value.column) == (line, column)
