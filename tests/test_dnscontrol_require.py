"""DNSControl configurations across files: what require() and creds.json resolve, and what not."""

from __future__ import annotations

import json
from pathlib import Path

from guardrails.engine import Engine, Settings
from guardrails.model import Finding
from guardrails.registry import all_rules
from tests.conftest import write_repo

_PROVIDERS = 'var R = NewRegistrar("none");\nvar G = NewDnsProvider("gandi");\n'
_ONE = 'D("{name}", R, DnsProvider(G), DefaultTTL("1d"), A("@", "192.0.2.1"));\n'
_CREDS = {"gandi": {"TYPE": "GANDI_V5", "token": "not-a-real-token-4f1c"}}


def scan(root: Path) -> list[Finding]:
    rules = tuple(r for r in all_rules() if r.id in ("DS002", "DT002"))
    return Engine(Settings(rules=rules, jobs=1), cwd=root).scan([Path(".")]).findings


def test_a_file_requiring_itself_is_run_once(tmp_path: Path) -> None:
    write_repo(
        tmp_path,
        {
            "dnsconfig.js": _PROVIDERS + 'require("./loop.js");\n',
            "loop.js": 'require("./loop.js");\n' + _ONE.format(name="example.com"),
            "creds.json": json.dumps(_CREDS),
        },
    )
    assert [(f.rule_id, f.path) for f in scan(tmp_path)] == [("DS002", "loop.js")]


def test_only_the_type_of_creds_json_is_kept(tmp_path: Path) -> None:
    from guardrails.facts import dnscontrol
    from guardrails.pipeline import parse_text
    from guardrails.project import Project

    write_repo(
        tmp_path, {"dnsconfig.js": _PROVIDERS + _ONE.format(name="example.com"), "creds.json": json.dumps(_CREDS)}
    )
    doc = parse_text("dnsconfig.js", (tmp_path / "dnsconfig.js").read_text(), dnscontrol.Kind.DNSCONTROL)
    program = dnscontrol.program(doc, Project(tmp_path, tmp_path, 1 << 20))  # type: ignore[arg-type]
    assert [(p.name, p.provider_type) for p in program.providers.values()] == [("gandi", "GANDI_V5")]
    assert "not-a-real-token" not in repr(program)
    [finding] = scan(tmp_path)
    assert "not-a-real-token" not in repr(finding)


def test_a_required_file_outside_the_repository_is_never_read(tmp_path: Path) -> None:
    config = _PROVIDERS + 'require("../outside.js");\n'
    repo = write_repo(tmp_path / "repo", {"dnsconfig.js": config, "creds.json": json.dumps(_CREDS)})
    (tmp_path / "outside.js").write_text(_ONE.format(name="example.com"))  # one provider: DS002 if read
    assert scan(repo) == []


def test_require_glob_walks_in_dnscontrols_order_and_may_stay_in_one_directory(tmp_path: Path) -> None:
    short = "DEFAULTS(DefaultTTL(60));\n"
    write_repo(
        tmp_path,
        {
            "dnsconfig.js": _PROVIDERS + 'require_glob("./zones/", false);\n',
            "creds.json": json.dumps({"gandi": {"TYPE": "GANDI_V5"}, "ns1": {"TYPE": "NS1"}}),
            # Not run: require_glob was told not to descend. Had it been, its DEFAULTS() would
            # come first ("0-first" sorts before "a.js") and make the finding its own.
            "zones/0-first/b.js": short,
            "zones/a.js": 'var N = NewDnsProvider("ns1");\n'
            'D("example.com", R, DnsProvider(G), DnsProvider(N), A("@", "192.0.2.1"));\n',
        },
    )
    assert [(f.rule_id, f.path, f.span.line) for f in scan(tmp_path)] == [("DT002", "zones/a.js", 2)]


def test_each_file_runs_once_and_require_glob_reads_only_js(tmp_path: Path) -> None:
    write_repo(
        tmp_path,
        {
            "dnsconfig.js": _PROVIDERS + 'require_glob("./domains/", true, "txt");\n',
            "creds.json": json.dumps(_CREDS),
            # a.js runs b.js, which the glob would run again: DNSControl would refuse the second D().
            "domains/a.js": 'require("./b.js");\n',
            "domains/b.js": _ONE.format(name="b.example"),
            # helpers.js forces the .js extension whatever the third argument says.
            "domains/c.txt": _ONE.format(name="c.example"),
        },
    )
    assert [(f.rule_id, f.path) for f in scan(tmp_path)] == [("DS002", "domains/b.js")]


def test_defaults_replace_each_other_and_make_the_default_known_again(tmp_path: Path) -> None:
    two = 'var N = NewDnsProvider("ns1", "NS1");\n'
    domain = 'D("{name}", R, DnsProvider(G), DnsProvider(N), A("@", "192.0.2.1"));\n'
    write_repo(
        tmp_path,
        {
            "dnsconfig.js": _PROVIDERS
            + two
            + 'require(generated);\nD("unknown.example", R, DnsProvider(G), DnsProvider(N), A("@", "192.0.2.1"));\n'
            + 'DEFAULTS(DefaultTTL("1d"));\nDEFAULTS(NAMESERVER_TTL("2d"));\n'
            + domain.format(name="cleared.example"),
            "creds.json": json.dumps(_CREDS),
        },
    )
    # unknown.example follows a require of unknown content: its default is unknown. The second
    # DEFAULTS() clears the first, so cleared.example gets DNSControl's 300 s.
    assert [(f.rule_id, f.span.line) for f in scan(tmp_path)] == [("DT002", 8)]


def test_require_glob_outside_the_repository_leaves_the_default_unknown(tmp_path: Path) -> None:
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "defaults.js").write_text('DEFAULTS(DefaultTTL("1d"));\n')
    config = _PROVIDERS + 'var N = NewDnsProvider("ns1", "NS1");\nrequire_glob("../shared/");\n'
    config += 'D("x.example", R, DnsProvider(G), DnsProvider(N), A("@", "192.0.2.1"));\n'
    repo = write_repo(tmp_path / "repo", {"dnsconfig.js": config, "creds.json": json.dumps(_CREDS)})
    assert scan(repo) == []


def test_creds_json_is_read_with_comments_and_trailing_commas_as_dnscontrol_reads_it() -> None:
    from guardrails.facts.dnscontrol import json_config

    text = '{\n  // names\n  "a": {"TYPE": "X", "u": "http://b/*c*/", /* note */ "v": [1, 2,],},\n}\n'
    assert json.loads(json_config(text)) == {"a": {"TYPE": "X", "u": "http://b/*c*/", "v": [1, 2]}}
    assert json_config(text).count("\n") == text.count("\n")


def test_an_unclosed_comment_or_string_leaves_invalid_json_invalid() -> None:
    from guardrails.facts.dnscontrol import json_config

    for text in ('{"a": "b /* c', '{"a": 1 /* c'):
        try:
            json.loads(json_config(text))
        except ValueError:
            continue
        raise AssertionError(text)


def test_cloudflare_serves_its_automatic_ttl_and_floor(tmp_path: Path) -> None:
    """DefaultTTL(1) on Cloudflare is its automatic 300 s, TTL(30) its 60 s floor; a copy on a
    provider no resolver asks (nameserver count 0) does not count."""
    write_repo(
        tmp_path,
        {
            "dnsconfig.js": (
                'var R = NewRegistrar("none");\nvar CF = NewDnsProvider("cf", "CLOUDFLAREAPI");\n'
                'var R53 = NewDnsProvider("r53", "ROUTE53");\n'
                'D("example.net", R, DnsProvider(CF), DnsProvider(R53, 0), DefaultTTL(1),\n'
                '  A("@", "192.0.2.1"), A("www", "192.0.2.2", TTL(30)));\n'
            )
        },
    )
    found = {f.message.split(" to every")[0].split(", below")[0]: f.severity.name.lower() for f in scan(tmp_path)}
    assert found == {
        "DNSControl serves example.net from nameservers of one provider only, Cloudflare (cf): when Cloudflare "
        "is unreachable or under attack (Facebook 2021, Dyn 2016), the domain stops resolving once caches "
        "expire": "medium",
        "DefaultTTL gives 300 s (5m) (Cloudflare serves DefaultTTL(1) so)": "medium",
        "www.example.net A: TTL(30) gives 60 s (1m) (Cloudflare serves it so)": "high",
    }
