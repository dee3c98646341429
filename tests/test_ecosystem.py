"""The ecosystem check (issue 10): every finding on ../shared/corpus/realworld has a person's
verdict, no true finding is lost, no false one comes back. The table:
``python -m guardrails.ecosystem``; lines to judge: ``python -m guardrails.ecosystem --unjudged``."""

from __future__ import annotations

import pytest

from guardrails.ecosystem import DEFAULT_VERDICTS, RepositoryCheck, check, load_verdicts
from tests.conftest import require_shared

# Deliberately vulnerable repositories: their exit code needs no explaining.
DELIBERATELY_VULNERABLE = {"terragoat", "kubernetes-goat"}


@pytest.fixture(scope="module")
def checks() -> list[RepositoryCheck]:
    corpus = require_shared("corpus", "realworld")
    return check(corpus, DEFAULT_VERDICTS, jobs=1)


def test_every_repository_has_a_verdict_file(checks: list[RepositoryCheck]) -> None:
    assert {repo.name for repo in checks} == {p.stem for p in DEFAULT_VERDICTS.glob("*.yaml")}


def test_every_finding_is_judged_no_true_one_lost_no_false_one_back(checks: list[RepositoryCheck]) -> None:
    problems = [p for repo in checks for p in repo.problems]
    assert not problems, "\n".join(problems)


def test_noise_is_under_a_tenth_of_findings(checks: list[RepositoryCheck]) -> None:
    findings = sum(c["findings"] for repo in checks for c in repo.per_rule.values())
    noise = sum(c["NOISE"] for repo in checks for c in repo.per_rule.values())
    assert noise < 0.10 * findings, f"{noise} of {findings} findings are NOISE"


def test_ordinary_repositories_exit_code_is_explained_by_true_findings(checks: list[RepositoryCheck]) -> None:
    """An ordinary repository exits as its true findings alone would make it: no false or
    useless finding turns a gate red. (The table also counts non-TP findings at gate severity.)"""
    unexplained = {
        repo.name: [f"{f.path}:{f.span.line} {f.rule_id}" for f in repo.gate_not_tp]
        for repo in checks
        if repo.name not in DELIBERATELY_VULNERABLE and repo.exit_code != repo.true_exit_code
    }
    assert not unexplained


def test_verdict_files_are_well_formed() -> None:
    for path in DEFAULT_VERDICTS.glob("*.yaml"):
        load_verdicts(path)  # raises on an unknown verdict, a missing reason or a key judged twice
