"""The same finding reached through several documents is reported once."""

from __future__ import annotations

from guardrails.model import Category, Finding, Severity, Span
from guardrails.same_finding import once_each


def _finding(message: str, severity: Severity = Severity.HIGH, line: int = 6, anchor: str = "svc/db") -> Finding:
    return Finding(
        "ED005", "k8s-service-exposes-datastore", Category.EXPOSED_DATASTORE, severity, "lb.yaml",
        Span(line, 9, line, 21), message, "use ClusterIP", None, anchor,
    )  # fmt: skip


def test_distinct_findings_are_left_as_they_are() -> None:
    findings = [_finding("a"), _finding("a", line=7), _finding("a", anchor="svc/cache")]
    assert once_each(findings) is findings


def test_the_most_severe_is_kept_in_the_first_ones_place_and_names_the_others() -> None:
    first = _finding("Service 'db' exposed (kustomize build eu)", Severity.MEDIUM)
    other = _finding("x", line=2)
    worst = _finding("Service 'db' exposed (kustomize build us)", Severity.CRITICAL)
    same = _finding("Service 'db' exposed (kustomize build us)", Severity.CRITICAL)
    assert once_each([first, other, worst, same]) == [worst, other]
    assert worst.related == [{"path": "lb.yaml", "line": 6, "message": "also (kustomize build eu)"}]


def test_a_message_that_departs_before_any_parenthesis_is_given_whole() -> None:
    kept, other = _finding("port 5432 is public"), _finding("port 6379 is public")
    assert once_each([kept, other]) == [kept]
    assert kept.related == [{"path": "lb.yaml", "line": 6, "message": "port 6379 is public"}]
