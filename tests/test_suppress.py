"""Inline suppressions: each format's comment syntax, the grammar, expiry, the meta-findings
and --no-inline-suppressions, through the real CLI where a rule can fire."""

from __future__ import annotations

import datetime
import json

import pytest

from guardrails.model import Category, Document, Finding, Kind, Severity, Span
from guardrails.pipeline import parse_text
from guardrails.registry import all_rules
from guardrails.rule import Rule, RuleContext
from guardrails.suppress import apply_inline, directives
from tests.conftest import run_cli, scan_json

KNOWN = {k: r.id for r in all_rules() for k in (r.id, r.name)}
D = "guardrails: ignore[ED001] the reason"


def _lines(name: str, text: str, kind: Kind, parsed: bool = False) -> list[int]:
    doc = parse_text(name, text, kind) if parsed else Document(path=name, kind=kind, text=text)
    return sorted(d.span.line for d in directives(doc, KNOWN))


@pytest.mark.parametrize(
    ("name", "kind", "text", "lines"),
    [
        ("c.yml", Kind.COMPOSE, f"a: 1  # {D}\nb: '# {D}'\nc: |\n  # {D}\n# {D}\nd: 2\n", [1, 5]),
        ("main.tf", Kind.TERRAFORM, f'# {D}\na = 1 // {D}\n/* {D} */\nb = "# {D}"\n', [1, 2, 3]),
        ("x.sh", Kind.SHELL, f"# {D}\necho '# {D}' # {D}\ncat <<EOF\n# {D}\nEOF\n", [1, 2]),
        ("x.py", Kind.PYTHON, f"x = 1  # {D}\ns = '# {D}'\n", [1]),
        ("x.sql", Kind.SQL, f"-- {D}\nSELECT '-- {D}'; /* {D} */\n", [1, 2]),
        ("Dockerfile", Kind.DOCKERFILE, f"# {D}\nFROM alpine\nRUN echo hi # {D}\n", [1]),
        ("Makefile", Kind.MAKEFILE, f"X = 1 # {D}\nY = \\# {D}\nall:\n\t# {D}\n\techo '# {D}'\n", [1, 4]),
        (".env", Kind.DOTENV, f"# {D}\nA=1 # {D}\nB='x # {D}'\nC=x#{D}\n", [1, 2]),
        ("db.zone", Kind.ZONE, f'; {D}\nwww 60 IN TXT "a ; {D}" ; {D}\n', [1, 2]),
        ("resolv.conf", Kind.RESOLV_CONF, f"# {D}\n; {D}\nnameserver 10.0.0.2\n", [1, 2]),
        ("x.json", Kind.JSON, f'{{"a": "# {D}"}}\n', []),
    ],
)
def test_comment_syntax_per_format(name: str, kind: Kind, text: str, lines: list[int]) -> None:
    assert _lines(name, text, kind) == lines


def test_embedded_shell_comments_map_to_the_host_file() -> None:
    workflow = (
        "on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n"
        f"          # {D}\n          dropdb app\n"
    )
    assert _lines(".github/workflows/deploy.yml", workflow, Kind.GITHUB_ACTIONS, parsed=True) == [7]


def _finding(path: str, line: int, rule: str = "ED001") -> Finding:
    return Finding(
        rule_id=rule,
        rule_name="compose-datastore-port-exposed",
        category=Category.EXPOSED_DATASTORE,
        severity=Severity.HIGH,
        path=path,
        span=Span(line, 1, line, 5),
        message="m",
        remediation="r",
        incident=None,
        anchor=f"a{line}",
    )


def test_kubernetes_annotation_covers_its_object_only() -> None:
    text = (
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: db\n  annotations:\n"
        '    guardrails.dev/ignore-ED001: "internal load balancer, VPC only"\nspec:\n  type: LoadBalancer\n'
        "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: other\nspec:\n  type: LoadBalancer\n"
    )
    doc = parse_text("svc.yaml", text, Kind.KUBERNETES)
    assert doc.kind is Kind.KUBERNETES
    inside, outside = _finding("svc.yaml", 8), _finding("svc.yaml", 15)

    def no_rule(rule_id: str) -> tuple[Rule, RuleContext]:
        raise AssertionError(f"no rule is selected, yet {rule_id} was asked for")

    apply_inline([inside, outside], [doc], (), no_rule, datetime.date(2025, 1, 1))
    assert inside.suppressed == "internal load balancer, VPC only"
    assert outside.suppressed is None


COMPOSE = "services:\n  db:\n    image: mongo:7\n    ports:\n{}"


def _compose(lines: str) -> dict[str, str]:
    return {"docker-compose.yml": COMPOSE.format(lines)}


def _by_rule(report: dict) -> dict[str, list[tuple[int, str | None]]]:
    out: dict[str, list[tuple[int, str | None]]] = {}
    for f in report["findings"]:
        out.setdefault(f["rule_id"], []).append((f["line"], f["suppressed"]))
    return out


def test_same_line_and_line_before_suppress(repo) -> None:  # type: ignore[no-untyped-def]
    root = repo(_compose('      - "27017:27017"  # guardrails: ignore[ED001] CI runner only\n'))
    code, report = scan_json(cwd=root)
    assert code == 0 and _by_rule(report) == {"ED001": [(5, "CI runner only")]}
    by_name = "      # guardrails: ignore[compose-datastore-port-exposed] CI runner only\n"
    root = repo(_compose(by_name + '      - "27017:27017"\n'))
    code, report = scan_json(cwd=root)
    assert code == 0 and _by_rule(report) == {"ED001": [(6, "CI runner only")]}


def test_two_lines_before_does_not_suppress_and_is_reported_unused(repo) -> None:  # type: ignore[no-untyped-def]
    root = repo(_compose('      # guardrails: ignore[ED001] CI runner only\n\n      - "27017:27017"\n'))
    code, report = scan_json(cwd=root)
    assert code == 1
    assert _by_rule(report) == {"ED001": [(7, None)], "GR005": [(5, None)]}


def test_expired_suppression_fails_the_gate(repo) -> None:  # type: ignore[no-untyped-def]
    root = repo(_compose('      - "27017:27017"  # guardrails: ignore[ED001] until=2021-06-01 until the VPN lands\n'))
    code, report = scan_json(cwd=root)
    assert code == 1
    assert _by_rule(report) == {"ED001": [(5, None)], "GR004": [(5, None)]}
    root = repo(_compose('      - "27017:27017"  # guardrails: ignore[ED001] until=2999-06-01 until the VPN lands\n'))
    code, report = scan_json(cwd=root)
    assert code == 0 and _by_rule(report) == {"ED001": [(5, "until the VPN lands")]}


def test_reasonless_unknown_and_blanket_are_reported(repo) -> None:  # type: ignore[no-untyped-def]
    root = repo(
        _compose(
            '      - "27017:27017"  # guardrails: ignore[ED001]\n'
            '      - "27018:27017"  # guardrails: ignore[ED999] typo\n'
            '      - "27019:27017"  # guardrails: ignore legacy\n'
        )
    )
    code, report = scan_json(cwd=root)
    assert code == 1
    by_rule = _by_rule(report)
    assert by_rule["ED001"] == [(5, None), (6, None), (7, None)]
    assert by_rule["GR002"] == [(5, None), (7, None)]
    assert by_rule["GR003"] == [(6, None)]
    messages = {f["rule_id"]: f["message"] for f in report["findings"]}
    assert "gives no reason" in messages["GR002"] or "names no rule" in messages["GR002"]
    assert "'ED999'" in messages["GR003"]


def test_no_inline_suppressions_brings_findings_back(repo) -> None:  # type: ignore[no-untyped-def]
    root = repo(
        _compose('      - "27017:27017"  # guardrails: ignore[ED001] CI runner only\n')
        | {"deploy.sh": "#!/bin/sh\n# guardrails: ignore[ED001]\ntrue\n"}
    )
    code, report = scan_json("--no-inline-suppressions", cwd=root)
    assert code == 1 and _by_rule(report) == {"ED001": [(5, None)]}


def test_deselected_rule_is_not_judged_unused(repo) -> None:  # type: ignore[no-untyped-def]
    root = repo(_compose('      - "27017:27017"  # guardrails: ignore[ED001] CI runner only\n'))
    code, report = scan_json("--select", "unparseable-input", cwd=root)
    assert code == 0 and report["findings"] == []


def test_suppressions_stay_visible_in_json_and_text_counts_them(repo) -> None:  # type: ignore[no-untyped-def]
    root = repo(_compose('      - "27017:27017"  # guardrails: ignore[ED001] CI runner only\n'))
    proc = run_cli("scan", cwd=root)
    assert proc.returncode == 0
    assert proc.stdout.strip() == "0 findings, 1 suppressed in 1 file"
    _, report = scan_json(cwd=root)
    assert report["counts"]["suppressed"] == 1 and report["findings"][0]["suppressed"] == "CI runner only"
    assert json.dumps(report).count("CI runner only") == 1
