"""Long fuzz run: mutated and random inputs through every parser and the whole scan.

    python benchmarks/fuzz.py --seconds 300 [--format yaml] [--seed 1]

Seeds come from ``fixtures/``, the rule catalog's own examples, ``../shared/corpus``
(when present) and a few built-in samples per format. Each input goes through the
format's parser (only ``ParseError`` may escape) and then through ``Engine.scan``
(no internal error, a report that renders, and a GR001 finding whenever the file
did not parse, unless its template tags are why: then it is skipped as a template).
The summary prints how many inputs were tried per format and every failure with a
reproducer written under ``--out``. ``tests/test_fuzz.py`` drives the same mutators
through hypothesis for a short, deterministic run in the test suite.
"""

from __future__ import annotations

import argparse
import importlib
import json
import random
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from guardrails import detect
from guardrails.documents import FailedDocument
from guardrails.model import Document, Kind, ParseError
from guardrails.pipeline import UNSCANNED_REASONS
from guardrails.templates import REASONS as TEMPLATE_REASONS

REPO = Path(__file__).resolve().parents[1]
# ../shared/corpus beside the repository (or beside the directory of a git worktree)
CORPUS = next(
    (p / "shared" / "corpus" for p in (REPO.parent, REPO.parent.parent) if (p / "shared" / "corpus").is_dir()),
    REPO.parent / "shared" / "corpus",
)
MAX_SEED_CHARS = 20_000


@dataclass(frozen=True)
class Format:
    """One parser module, the kind and file name it is exercised under, and tokens that
    matter to its grammar (mutations splice them in to reach deeper parser states)."""

    name: str
    module: str
    kind: Kind
    filename: str
    tokens: tuple[str, ...]
    builtin: tuple[str, ...]


FORMATS: tuple[Format, ...] = (
    Format(
        "yaml",
        "yaml_tree",
        Kind.COMPOSE,
        "compose.yaml",
        (": ", "- ", "&a ", "*a", "<<: *a", "? ", "{", "}", "[", "]", "|\n", ">-\n", "---\n", "!!str ", "%YAML 1.1\n"),
        (
            "services:\n  db:\n    image: postgres:16\n    ports:\n      - '5432:5432'\n"
            "    command: sh -c 'rm -rf /x'\n",
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
            "  - name: c\n    image: busybox\n    command: [sh, -c, 'echo hi && rm -rf /data']\n",
            "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          make deploy\n",
            "base: &b {a: 1}\nx:\n  <<: *b\n  c: [1, 2, *b]\n",
        ),
    ),
    Format(
        "json",
        "json_tree",
        Kind.JSON,
        "daemon.json",
        ('{"', '":', "[", "]", "{", "}", ",", "\\u00e9", "1e400", "-0", "null", "true", '"\\"'),
        ('{"iptables": false, "hosts": ["tcp://0.0.0.0:2375"], "n": [1, 2.5, -3e2, null]}\n',),
    ),
    Format(
        "hcl",
        "hcl",
        Kind.TERRAFORM,
        "main.tf",
        ("{", "}", "${", "%{", "<<EOT\n", "EOT\n", '"', "= ", "[", "]", "var.", "#", "/*", "*/", "\\"),
        (
            'variable "ttl" {\n  default = 60\n}\nresource "aws_route53_record" "r" {\n  ttl = var.ttl\n'
            '  records = ["${aws_eip.x.public_ip}"]\n  provisioner "local-exec" {\n    command = "rm -rf /tmp/x"\n'
            "  }\n}\n",
            'locals {\n  m = { a = 1, "b" = [true, null] }\n  s = <<-EOT\n    hi ${var.x}\n  EOT\n}\n',
        ),
    ),
    Format(
        "terraform-json",
        "terraform_json",
        Kind.TERRAFORM_JSON,
        "main.tf.json",
        ('{"', '":', "[", "]", "{", "}", ",", '"resource"', '"variable"', '"${var.x}"'),
        ('{"resource": {"aws_db_instance": {"db": {"skip_final_snapshot": true}}}, "variable": {"x": {}}}\n',),
    ),
    Format(
        "terraform-plan",
        "terraform_plan",
        Kind.TERRAFORM_PLAN,
        "tfplan.json",
        ('{"', '":', "[", "]", "{", "}", ",", "null", "true", '"after"', '"after_unknown"', '"after_sensitive"'),
        (
            '{"format_version": "1.2", "terraform_version": "1.9.5", "resource_changes": [{"address": '
            '"module.db.aws_db_instance.this[0]", "module_address": "module.db", "mode": "managed", "type": '
            '"aws_db_instance", "name": "this", "change": {"actions": ["create"], "after": {"deletion_protection": '
            'false, "password": "x", "vpc_security_group_ids": ["sg-1"], "timeouts": null, "ingress": [{"a": 1}]}, '
            '"after_unknown": {"id": true, "ingress": [{"b": true}]}, "after_sensitive": {"password": true}}}, '
            '{"address": "aws_security_group.db", "mode": "managed", "type": "aws_security_group", "name": "db", '
            '"change": {"actions": ["no-op"], "after": {"id": "sg-1"}}}], "configuration": {"root_module": '
            '{"module_calls": {"db": {"module": {"resources": [{"address": "aws_db_instance.this", "expressions": '
            '{"id": {"references": ["aws_security_group.db.id"]}}}]}}}}}}\n',
        ),
    ),
    Format(
        "shell",
        "shell",
        Kind.SHELL,
        "deploy.sh",
        ("$(", ")", "`", "'", '"', "<<EOF\n", "EOF\n", "&&", "||", ";", "|", "\\\n", "${", "}", "if ", "fi", "case "),
        ('#!/bin/sh\nset -eu\nrm -rf "${DIR:?}/"*\nif [ -n "$X" ]; then kubectl delete ns "$X"; fi\n',),
    ),
    Format(
        "python",
        "python",
        Kind.PYTHON,
        "job.py",
        ("(", ")", "def ", "class ", ":\n    ", "'''", '"', "lambda ", "import ", "f'{", "}'", "\\", "@"),
        ("import shutil as s\nfrom os import system\n\ndef go(p):\n    s.rmtree(p)\n    system(f'rm -rf {p}')\n",),
    ),
    Format(
        "sql",
        "sql",
        Kind.SQL,
        "migrate.sql",
        ("'", '"', "--", "/*", "*/", ";", "$$", "$tag$", "DROP TABLE ", "BEGIN;", "E'\\'", "`"),
        ("BEGIN;\nDROP TABLE users; -- gone\nDELETE FROM t WHERE 1=1;\nCREATE FUNCTION f() AS $$ select 1; $$;\n",),
    ),
    Format(
        "dockerfile",
        "dockerfile",
        Kind.DOCKERFILE,
        "Dockerfile",
        ("FROM ", "RUN ", "\\\n", "<<EOF\n", "EOF\n", "# escape=`\n", "ONBUILD ", "[", "]", '"', "ARG ", "${"),
        (
            "# syntax=docker/dockerfile:1\nFROM alpine:3 AS base\nARG V=1\nRUN apk add curl \\\n"
            '    && rm -rf /var/cache\nRUN <<EOF\nset -e\necho hi\nEOF\nCMD ["sh", "-c", "run"]\n',
        ),
    ),
    Format(
        "makefile",
        "makefile",
        Kind.MAKEFILE,
        "Makefile",
        ("\t", ":", "::", "=", ":=", "ifeq (", "endif\n", "else\n", "define X\n", "endef\n", "$(", "\\\n", "#"),
        ("X := 1\n.PHONY: all\nall: build\n\t@echo $(X)\nifeq ($(X),1)\nclean:\n\trm -rf build\nendif\n",),
    ),
    Format(
        "dotenv",
        "dotenv",
        Kind.DOTENV,
        ".env",
        ("=", "'", '"', "export ", "#", "\\n", "${", "}", " "),
        ("export DB_PASSWORD='x'\nAPI_KEY=\"a\\nb\" # note\nEMPTY=\n",),
    ),
    Format(
        "zone",
        "zone",
        Kind.ZONE,
        "example.zone",
        ("$TTL ", "$ORIGIN ", "@", " IN ", " SOA ", "(", ")", ";", " NS ", " A ", "\\", '"'),
        (
            "$TTL 3600\n$ORIGIN example.com.\n@ IN SOA ns1 host (\n  1 7200 3600 1209600 300 )\n"
            "  IN NS ns1\nwww 60 IN A 192.0.2.1\n",
        ),
    ),
    Format(
        "cloudformation",
        "cloudformation",
        Kind.CLOUDFORMATION,
        "template.yaml",
        (
            "!Ref ",
            "!If [",
            "!Sub ",
            "!GetAtt ",
            "!FindInMap [",
            "!Equals [",
            '{"Ref": "',
            '{"Fn::If": [',
            "Condition: ",
            "DeletionPolicy: ",
            "Type: AWS::RDS::DBInstance\n",
            "AWS::NoValue",
            "${",
            "[",
            "]",
        ),
        (
            "AWSTemplateFormatVersion: '2010-09-09'\nParameters:\n  Env: {Type: String, Default: dev}\n"
            "Conditions:\n  IsProd: !Equals [!Ref Env, prod]\nResources:\n  Db:\n    Type: AWS::RDS::DBInstance\n"
            "    DeletionPolicy: !If [IsProd, Retain, Delete]\n    Properties:\n"
            "      DeletionProtection: !If [IsProd, true, false]\n      DBName: !Sub '${Env}-db'\n",
            '{"Resources": {"G": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"SecurityGroupIngress": '
            '[{"IpProtocol": "-1", "CidrIp": {"Fn::Select": [0, ["0.0.0.0/0"]]}}]}}}}\n',
        ),
    ),
    Format(
        "resolv",
        "resolv",
        Kind.RESOLV_CONF,
        "resolv.conf",
        ("nameserver ", "search ", "options ", "#", ";", "::1", "10.0.0.", "ndots:"),
        ("nameserver 10.0.0.2\nsearch svc.cluster.local\noptions ndots:5 timeout:1\n",),
    ),
    Format(
        "server-conf",
        "server_conf",
        Kind.PG_HBA,
        "pg_hba.conf",
        ("host ", "all ", "0.0.0.0/0 ", "trust", '"', ",", "#", "\\\n", "local ", "include "),
        ('local all postgres peer\nhost all all 0.0.0.0/0 trust\nhost "db",x all ::/0 md5 \\\n  # c\n',),
    ),
    Format(
        "redis-conf",
        "server_conf",
        Kind.REDIS_CONF,
        "redis.conf",
        ("bind ", "protected-mode no", "requirepass ", '"', "'", "\\x41", "\\", "#", "user default "),
        ("bind 0.0.0.0 -::1\nprotected-mode no\nrequirepass \"a\\x41 b\"\nrename-command CONFIG ''\n",),
    ),
    Format(
        "mysql-cnf",
        "server_conf",
        Kind.MYSQL_CNF,
        "my.cnf",
        ("[mysqld]", "[", "]", "=", "!include ", "skip-grant-tables", "bind-address", '"', "#", ";"),
        ("[mysqld]\nskip_grant_tables\nbind-address = 0.0.0.0 # all\n!includedir /etc/mysql/conf.d/\n",),
    ),
    Format(
        "postgresql-conf",
        "server_conf",
        Kind.POSTGRESQL_CONF,
        "postgresql.conf",
        ("listen_addresses", " = ", "'", "''", "\\", "#", "include_dir "),
        ("listen_addresses = '*'  # all\nshared_buffers 128MB\nsearch_path = '\"$user\", public'\n",),
    ),
    Format(
        "resolver-conf",
        "resolver_conf",
        Kind.COREFILE,
        "Corefile",
        (".:53 ", "{", "}", "forward . ", "tls://", '"', "#", "\n", "import "),
        (".:53 {\n  errors\n  forward . 8.8.8.8 {\n    policy sequential\n  }\n}\nexample.org {\n whoami\n}\n",),
    ),
    Format(
        "resolved-conf",
        "resolver_conf",
        Kind.RESOLVED_CONF,
        "resolved.conf",
        ("[Resolve]", "DNS=", "FallbackDNS=", "\\", "#", ";", "="),
        ("[Resolve]\nDNS=1.1.1.1 \\\n  8.8.8.8\n#FallbackDNS=\n",),
    ),
    Format(
        "dnsmasq-conf",
        "resolver_conf",
        Kind.DNSMASQ_CONF,
        "dnsmasq.conf",
        ("server=", "no-resolv", "/", "#", '"', "@", "="),
        ("no-resolv\nserver=8.8.8.8 # c\nserver=/lan/10.0.0.1\n",),
    ),
    Format(
        "named-conf",
        "named_conf",
        Kind.NAMED_CONF,
        "named.conf",
        ('zone "', "{", "}", ";", "};", '"', "//", "#", "/*", "*/", "\\", "include ", "options "),
        (
            'options {\n  directory "/var/cache/bind"; // c\n  forwarders { 10.0.0.2; };\n};\n'
            'zone "example.com" IN { type master; file "db.x"; /* c */ };\n',
        ),
    ),
    Format(
        "ansible-inventory",
        "ansible_inventory",
        Kind.ANSIBLE_INVENTORY,
        "inventories/prod/hosts",
        ("[web]", "[web:vars]", "[all:children]", "=", "'", '"', "#", ";", "\\", "[1:3]", " ansible_host="),
        (
            "[web]\nweb[01:02].example.com ansible_user=deploy\n\n[web:vars]\ndb_password='s3cr#t' # c\n"
            "\n[prod:children]\nweb\n",
        ),
    ),
    Format(
        "dnscontrol",
        "dnscontrol",
        Kind.DNSCONTROL,
        "dnsconfig.js",
        ("D(", "DnsProvider(", "TTL(", "DefaultTTL(", "DEFAULTS(", "(", ")", ",", '"', "var ", "//", "/*", "`"),
        (
            'var R = NewRegistrar("none");\nvar P = NewDnsProvider("r53", "ROUTE53");\n'
            'D("example.com", R, DnsProvider(P), DefaultTTL("1h"), A("@", "192.0.2.1", TTL(60)));\n',
        ),
    ),
)

BY_NAME = {f.name: f for f in FORMATS}
_GENERIC = ("\n", "\t", " ", "\r", "\\", "'", '"', "#", "\u00e9", "\u2028", "\ufeff", "\U0001f600", "\x1b", "\x7f")


def module_of(kind: Kind, path: str) -> str:
    """The parser module the pipeline would use for a file of ``kind`` named ``path``."""
    from guardrails.parsers import _MODULES

    if kind is Kind.TFVARS and path.endswith(".json"):
        return "terraform_json"
    return _MODULES[kind]


def _seed_files() -> list[tuple[str, str]]:
    files: list[tuple[str, str]] = []
    for base in (REPO / "fixtures", CORPUS):
        if base.is_dir():
            for path in sorted(base.rglob("*")):
                if path.is_file() and path.stat().st_size <= MAX_SEED_CHARS:
                    try:
                        files.append((path.relative_to(base).as_posix(), path.read_text(encoding="utf-8")))
                    except (OSError, UnicodeDecodeError):
                        continue
    from guardrails.registry import all_rules

    for rule in all_rules():
        for example in (*rule.bad, *rule.good):
            files.extend(example.files.items())
    return files


def load_seeds() -> dict[str, list[str]]:
    """Seed texts per format: fixtures, rule examples, the corpus, then built-ins."""
    seeds: dict[str, list[str]] = {f.name: list(f.builtin) for f in FORMATS}
    by_module = {f.module: f.name for f in FORMATS}
    for rel, text in _seed_files():
        kind = detect.detect(rel, text[:4096].encode("utf-8", "replace"))
        if isinstance(kind, Kind):
            name = by_module[module_of(kind, rel)]
            if text not in seeds[name]:
                seeds[name].append(text)
    return seeds


# --------------------------------------------------------------------------- mutators


def _pos(rng: random.Random, text: str) -> int:
    return rng.randint(0, len(text))


def _token(rng: random.Random, fmt: Format) -> str:
    pool = fmt.tokens if rng.random() < 0.7 else _GENERIC
    return rng.choice(pool)


def _insert(rng: random.Random, text: str, fmt: Format, seeds: list[str]) -> str:
    at = _pos(rng, text)
    return text[:at] + _token(rng, fmt) * rng.choice((1, 1, 1, 2, 8)) + text[at:]


def _delete(rng: random.Random, text: str, fmt: Format, seeds: list[str]) -> str:
    a = _pos(rng, text)
    return text[:a] + text[a + rng.randint(1, 40) :]


def _duplicate(rng: random.Random, text: str, fmt: Format, seeds: list[str]) -> str:
    a = _pos(rng, text)
    b = min(len(text), a + rng.randint(1, 200))
    return text[:b] + text[a:b] * rng.randint(1, 4) + text[b:]


def _swap_lines(rng: random.Random, text: str, fmt: Format, seeds: list[str]) -> str:
    lines = text.split("\n")
    if len(lines) > 1:
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    return "\n".join(lines)


def _indent(rng: random.Random, text: str, fmt: Format, seeds: list[str]) -> str:
    lines = text.split("\n")
    i = rng.randrange(len(lines))
    lines[i] = (rng.choice((" ", "\t", "  ")) + lines[i]) if rng.random() < 0.5 else lines[i].lstrip()
    return "\n".join(lines)


def _replace_char(rng: random.Random, text: str, fmt: Format, seeds: list[str]) -> str:
    if not text:
        return chr(rng.randint(1, 0x2FF))
    at = rng.randrange(len(text))
    char = chr(rng.choice((rng.randint(1, 0x7F), rng.randint(0x80, 0xD7FF), rng.randint(0xE000, 0x10FFFF))))
    return text[:at] + char + text[at + 1 :]


def _truncate(rng: random.Random, text: str, fmt: Format, seeds: list[str]) -> str:
    return text[: _pos(rng, text)]


def _splice(rng: random.Random, text: str, fmt: Format, seeds: list[str]) -> str:
    other = rng.choice(seeds)
    return text[: _pos(rng, text)] + other[_pos(rng, other) :]


def _nest(rng: random.Random, text: str, fmt: Format, seeds: list[str]) -> str:
    opener = rng.choice([t for t in fmt.tokens if t in ("{", "[", "(", "$(", "${", "- ")] or ["("])
    closer = {"{": "}", "[": "]", "(": ")", "$(": ")", "${": "}", "- ": ""}[opener]
    depth = rng.choice((10, 100, 1000))
    at = _pos(rng, text)
    return text[:at] + opener * depth + closer * depth + text[at:]


MUTATORS = (_insert, _delete, _duplicate, _swap_lines, _indent, _replace_char, _truncate, _splice, _nest)


def mutate(rng: random.Random, text: str, fmt: Format, seeds: list[str], rounds: int) -> str:
    for _ in range(rounds):
        text = rng.choice(MUTATORS)(rng, text, fmt, seeds)
    return text


def random_text(rng: random.Random, fmt: Format) -> str:
    """Text made only of the format's tokens and generic punctuation, or raw code points."""
    if rng.random() < 0.5:
        return "".join(_token(rng, fmt) for _ in range(rng.randint(0, 60)))
    chars = [chr(rng.choice((rng.randint(1, 0x7F), rng.randint(0x80, 0xD7FF)))) for _ in range(rng.randint(0, 200))]
    return "".join(chars)


# --------------------------------------------------------------------------- checks


def check_parser(fmt: Format, text: str) -> Document | None:
    """Parse ``text`` with the format's parser: a Document, or None for a ParseError.

    Any other exception propagates: that is a crash."""
    module = importlib.import_module(f"guardrails.parsers.{fmt.module}")
    try:
        doc = module.parse(fmt.filename, text, fmt.kind)
    except ParseError as error:
        assert isinstance(error.line, int) and error.line >= 1 and error.column >= 1, error
        return None
    assert isinstance(doc, Document), type(doc)
    return doc


def check_scan(fmt: Format, text: str) -> None:
    """The whole scan of one file (as ``-`` with ``--stdin-filename``): a complete report,
    no internal error, and GR001 whenever the host file failed to parse."""
    from guardrails.engine import Engine, Settings
    from guardrails.pipeline import parse_text
    from guardrails.registry import all_rules
    from guardrails.report import json_report
    from guardrails.report import text as text_report
    from guardrails.source import decode

    data = text.encode("utf-8")
    try:
        decoded = decode(data)  # what the scan parses: BOM dropped, CRLF folded
    except ParseError:
        decoded = None
    doc = parse_text(fmt.filename, decoded, fmt.kind) if isinstance(decoded, str) else None
    assert doc is None or isinstance(doc, Document)
    result = Engine(Settings(rules=all_rules())).scan([], stdin=(fmt.filename, data))
    crashes = [f.message for f in result.findings if f.rule_id == "GR000"]
    assert result.internal_errors == 0 and not crashes, crashes
    if detect.detect(fmt.filename, data[:4096]) is None:  # the content says another format (a diff)
        assert [s.reason for s in result.skipped] == ["unsupported"], result.skipped
        return
    # A file of a supported kind that is not read at all (NUL bytes: binary) is listed as skipped
    # and reported by GR006, never scanned.
    if any(s.reason in UNSCANNED_REASONS for s in result.skipped):
        assert any(f.rule_id == "GR006" and f.path == fmt.filename for f in result.findings), (
            "unscanned file not reported"
        )
        return
    # A file that fails to parse because of its template tags is skipped as a template, never GR001.
    template = [s for s in result.skipped if s.reason in TEMPLATE_REASONS]
    assert result.files_scanned + len(template) == 1, (result.files_scanned, result.skipped)
    report = json.loads(json_report.render(result))
    assert report["counts"]["files_scanned"] + len(report["skipped"]) == 1
    text_report.render(result, {fmt.filename: text}, colour=False)
    if doc is None or isinstance(doc, FailedDocument):
        assert template or any(f.rule_id == "GR001" and f.path == fmt.filename for f in result.findings), (
            "parse failure not reported"
        )


# --------------------------------------------------------------------------- long run


@dataclass
class Tally:
    tried: int = 0
    parsed: int = 0
    failures: list[str] = field(default_factory=list)


def run(
    names: list[str], seconds: float, seed: int, out: Path, scan_every: int, keep_last: Path | None = None
) -> dict[str, Tally]:
    seeds = load_seeds()
    rng = random.Random(seed)
    tallies = {name: Tally() for name in names}
    seen_failures: set[str] = set()
    deadline = time.monotonic() + seconds
    budget = seconds / len(names)
    for name in names:
        fmt, pool, tally = BY_NAME[name], seeds[name], tallies[name]
        stop = min(deadline, time.monotonic() + budget)
        while time.monotonic() < stop:
            if rng.random() < 0.15:
                text = random_text(rng, fmt)
            else:
                text = mutate(rng, rng.choice(pool), fmt, pool, rng.randint(1, 6))
            tally.tried += 1
            if keep_last is not None:  # a crash that kills the process (a segfault) leaves its input here
                keep_last.write_text(text, encoding="utf-8", errors="surrogatepass")
            try:
                if check_parser(fmt, text) is not None:
                    tally.parsed += 1
                if tally.tried % scan_every == 0:
                    check_scan(fmt, text)
            except Exception as exc:  # the point of the run: record, keep going
                where = traceback.extract_tb(exc.__traceback__)[-1]
                key = f"{name}:{type(exc).__name__}:{Path(where.filename).name}:{where.lineno}"
                if key not in seen_failures:
                    seen_failures.add(key)
                    out.mkdir(parents=True, exist_ok=True)
                    sample = out / f"{key.replace(':', '_')}.txt"
                    sample.write_text(text, encoding="utf-8", errors="surrogatepass")
                    tally.failures.append(f"{key} {str(exc)[:200]!r} -> {sample}")
    return tallies


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=180.0, help="total budget, split evenly across formats")
    parser.add_argument("--format", action="append", choices=sorted(BY_NAME), help="repeatable; default: all")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scan-every", type=int, default=5, help="also run the full scan on every Nth input")
    parser.add_argument("--out", type=Path, default=Path("fuzz-failures"), help="where reproducers are written")
    parser.add_argument("--keep-last", type=Path, help="write each input here before trying it (segfault hunting)")
    args = parser.parse_args(argv)
    names = args.format or [f.name for f in FORMATS]
    tallies = run(names, args.seconds, args.seed, args.out, args.scan_every, args.keep_last)
    width = max(map(len, names))
    total_failures = 0
    for name, tally in tallies.items():
        print(f"{name:<{width}}  tried {tally.tried:>7}  parsed {tally.parsed:>7}  failures {len(tally.failures)}")
        for failure in tally.failures:
            print(f"    {failure}")
        total_failures += len(tally.failures)
    print(f"total: {sum(t.tried for t in tallies.values())} inputs, {total_failures} distinct failures")
    return 1 if total_failures else 0


if __name__ == "__main__":
    sys.exit(main())
