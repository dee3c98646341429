"""The ecosystem check, as Ruff has one: real repositories that nobody here wrote, every
finding judged by a person, and the verdicts kept so that a change cannot quietly lose a
true finding or bring back a false one.

Verdicts live in one YAML file per repository (``tests/ecosystem/verdicts/<repo>.yaml``),
one finding per line so that branches merge by union::

    - {path: terraform/rds.tf, line: 12, rule: ED009, verdict: FP, reason: "only 10.0.0.0/8 admitted"}

``TP``: true and worth acting on, must stay reported. ``FP``: wrong, must not be reported
(the line stays as a regression record). ``NOISE``: right by the letter, useless. ``MISS``:
a real finding not reported yet (expected; promoted to TP when it is).

    python -m guardrails.ecosystem                 # the table per repository and rule
    python -m guardrails.ecosystem --unjudged      # verdict lines to fill in for new findings
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from guardrails.engine import Engine, Settings
from guardrails.model import Finding, Severity
from guardrails.selection import select_rules

VERDICTS = ("TP", "FP", "NOISE", "MISS")
REPO = Path(__file__).resolve().parents[1]
DEFAULT_VERDICTS = REPO / "tests" / "ecosystem" / "verdicts"
# ../shared/corpus/realworld beside the repository (or beside a worktree's parent directory)
DEFAULT_CORPUS = next(
    (
        p / "shared" / "corpus" / "realworld"
        for p in (REPO.parent, REPO.parent.parent)
        if (p / "shared" / "corpus" / "realworld").is_dir()
    ),
    REPO.parent / "shared" / "corpus" / "realworld",
)

Key = tuple[str, int, str]  # path, line, rule


class VerdictError(ValueError):
    """A verdict file that cannot be trusted (unknown verdict, no reason, a key twice)."""


@dataclass(frozen=True, slots=True)
class Verdict:
    path: str
    line: int
    rule: str
    verdict: str
    reason: str

    @property
    def key(self) -> Key:
        return (self.path, self.line, self.rule)


def load_verdicts(path: Path) -> dict[Key, Verdict]:
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    found: dict[Key, Verdict] = {}
    for number, entry in enumerate(entries, start=1):
        try:
            verdict = Verdict(
                str(entry["path"]), int(entry["line"]), str(entry["rule"]), str(entry["verdict"]), str(entry["reason"])
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise VerdictError(f"{path.name}: entry {number} needs path, line, rule, verdict and reason") from exc
        if verdict.verdict not in VERDICTS:
            raise VerdictError(f"{path.name}: entry {number}: verdict {verdict.verdict!r} is not one of {VERDICTS}")
        if not verdict.reason.strip():
            raise VerdictError(f"{path.name}: entry {number}: a verdict needs its one-line reason")
        if verdict.key in found:
            raise VerdictError(f"{path.name}: {verdict.path}:{verdict.line} {verdict.rule} is judged twice")
        found[verdict.key] = verdict
    return found


@dataclass(slots=True)
class RepositoryCheck:
    """One repository's findings against its verdicts."""

    name: str
    findings: list[Finding]
    verdicts: dict[Key, Verdict]
    per_rule: dict[str, Counter[str]] = field(default_factory=dict)
    unjudged: list[Finding] = field(default_factory=list)
    false_positives: list[Verdict] = field(default_factory=list)  # judged FP, still reported
    lost: list[Verdict] = field(default_factory=list)  # judged TP, no longer reported
    now_found: list[Verdict] = field(default_factory=list)  # MISS that is reported: promote to TP
    # Findings that fail the default gate (severity low or above) without being judged TP.
    gate_not_tp: list[Finding] = field(default_factory=list)

    def __post_init__(self) -> None:
        per_rule: dict[str, Counter[str]] = defaultdict(Counter)
        reported: set[Key] = set()
        for finding in self.findings:
            key = _key(finding)
            reported.add(key)
            counts = per_rule[finding.rule_id]
            counts["findings"] += 1
            verdict = self.verdicts.get(key)
            if verdict is None:
                counts["unjudged"] += 1
                self.unjudged.append(finding)
                continue
            counts[verdict.verdict] += 1
            if verdict.verdict != "TP" and finding.severity >= Severity.LOW:
                self.gate_not_tp.append(finding)
            if verdict.verdict == "FP":
                self.false_positives.append(verdict)
            elif verdict.verdict == "MISS":
                self.now_found.append(verdict)
        for verdict in self.verdicts.values():
            if verdict.key in reported:
                continue
            if verdict.verdict == "TP":
                self.lost.append(verdict)
            elif verdict.verdict == "MISS":
                per_rule[verdict.rule]["MISS"] += 1
        self.per_rule = dict(sorted(per_rule.items()))

    @property
    def exit_code(self) -> int:
        """What ``guardrails scan`` exits with (default ``--fail-on low``)."""
        return 1 if any(f.severity >= Severity.LOW for f in self.findings) else 0

    @property
    def true_exit_code(self) -> int:
        """What the scan would exit with if only its findings judged TP were reported."""
        judged_tp = [f for f in self.findings if getattr(self.verdicts.get(_key(f)), "verdict", "") == "TP"]
        return 1 if any(f.severity >= Severity.LOW for f in judged_tp) else 0

    @property
    def problems(self) -> list[str]:
        found = [f"unjudged: {_where(f.path, f.span.line, f.rule_id)} {f.message[:120]}" for f in self.unjudged]
        found += [f"false positive still reported: {_where(*v.key)} ({v.reason})" for v in self.false_positives]
        found += [f"true finding lost: {_where(*v.key)} ({v.reason})" for v in self.lost]
        found += [f"expected finding now reported, mark it TP: {_where(*v.key)}" for v in self.now_found]
        return [f"{self.name}: {p}" for p in found]


def _key(finding: Finding) -> Key:
    return (finding.path, finding.span.line, finding.rule_id)


def _where(path: str, line: int, rule: str) -> str:
    return f"{path}:{line} {rule}"


def scan(root: Path, jobs: int = 0) -> list[Finding]:
    """What ``guardrails scan`` reports from the repository's root, default rules, no cache."""
    result = Engine(Settings(rules=select_rules(), jobs=jobs), cwd=root).scan([Path(".")])
    return [f for f in result.findings if f.suppressed is None]


def check(corpus: Path, verdict_dir: Path, names: Iterable[str] = (), jobs: int = 0) -> list[RepositoryCheck]:
    wanted = set(names)
    checks = []
    for root in sorted(p for p in corpus.iterdir() if p.is_dir()):
        if wanted and root.name not in wanted:
            continue
        file = verdict_dir / f"{root.name}.yaml"
        verdicts = load_verdicts(file) if file.is_file() else {}
        checks.append(RepositoryCheck(root.name, scan(root, jobs), verdicts))
    return checks


_COLUMNS = ("findings", "TP", "FP", "NOISE", "unjudged", "MISS")


def table(checks: list[RepositoryCheck]) -> str:
    """A Markdown table per repository and rule, with totals."""
    lines = ["| repository | rule | " + " | ".join(_COLUMNS) + " |", "|---|---|" + "---:|" * len(_COLUMNS)]
    total: Counter[str] = Counter()
    for repo in checks:
        repo_total: Counter[str] = Counter()
        for rule, counts in repo.per_rule.items():
            lines.append(f"| {repo.name} | {rule} | " + " | ".join(str(counts[c]) for c in _COLUMNS) + " |")
            repo_total.update(counts)
        lines.append(f"| **{repo.name}** | all | " + " | ".join(str(repo_total[c]) for c in _COLUMNS) + " |")
        total.update(repo_total)
    lines.append("| **all** | all | " + " | ".join(str(total[c]) for c in _COLUMNS) + " |")
    noise = total["NOISE"] / total["findings"] if total["findings"] else 0.0
    lines += ["", f"NOISE: {noise:.1%} of {total['findings']} findings", ""]
    lines += ["| repository | exit | exit from TP alone | failing findings not judged TP |", "|---|---:|---:|---:|"]
    lines += [f"| {r.name} | {r.exit_code} | {r.true_exit_code} | {len(r.gate_not_tp)} |" for r in checks]
    return "\n".join(lines)


def unjudged_lines(checks: list[RepositoryCheck]) -> str:
    """Verdict lines to fill in, per repository file."""
    out = []
    for repo in checks:
        if not repo.unjudged:
            continue
        out.append(f"# {repo.name}.yaml")
        for f in repo.unjudged:
            message = f.message.replace('"', "'")[:160]
            out.append(f'- {{path: {f.path}, line: {f.span.line}, rule: {f.rule_id}, verdict: ?, reason: "{message}"}}')
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m guardrails.ecosystem", description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="a folder of repositories")
    parser.add_argument("--verdicts", type=Path, default=DEFAULT_VERDICTS, help="a folder of <repo>.yaml verdicts")
    parser.add_argument("--repo", action="append", default=[], help="only this repository (repeatable)")
    parser.add_argument("--unjudged", action="store_true", help="print verdict lines for unjudged findings")
    parser.add_argument("-j", "--jobs", type=int, default=0, help="worker processes (0: one per core)")
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"no corpus at {args.corpus} (pass --corpus)", file=sys.stderr)
        return 2
    try:
        checks = check(args.corpus, args.verdicts, args.repo, args.jobs)
    except VerdictError as exc:
        print(f"verdicts: {exc}", file=sys.stderr)
        return 2
    print(unjudged_lines(checks) if args.unjudged else table(checks))
    problems = [p for repo in checks for p in repo.problems]
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
