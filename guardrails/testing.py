"""The harness shared by our tests and ``guardrails test-fixtures``.

Two levels, as in Fixit and Semgrep: a rule's inline examples (``Rule.bad`` /
``Rule.good``) and annotated fixture files. In a fixture, a comment containing
``ruleid: ED001`` (several ids may be comma-separated) says the next line that is
not itself an annotation must be reported by that rule. Files without comments
(JSON) list expectations in an ``expect.yaml`` beside them: ``{file: ["ED001:12"]}``.
Matching is strict: an unannotated finding is a false positive, an unmatched
annotation a false negative; precision and recall follow.
"""

from __future__ import annotations

import re
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from guardrails.engine import Engine, Settings
from guardrails.model import Finding
from guardrails.rule import Example, Rule

_ANNOTATION = re.compile(r"\bruleid:\s*([A-Z]{2}\d{3}(?:\s*,\s*[A-Z]{2}\d{3})*)")


def run_example(rule: type[Rule], example: Example, rules: Iterable[type[Rule]] | None = None) -> list[Finding]:
    """Write the example's files to a fresh directory, scan it, return this rule's findings."""
    with tempfile.TemporaryDirectory(prefix="guardrails-example-") as tmp:
        root = Path(tmp)
        (root / ".git").mkdir()
        for rel, content in example.files.items():
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content, encoding="utf-8")
        engine = Engine(Settings(rules=tuple(rules) if rules else (rule,)), cwd=root)
        result = engine.scan([Path(".")])
        return [f for f in result.findings if f.rule_id == rule.id]


@dataclass(slots=True)
class Score:
    true_positives: int = 0
    false_positives: list[str] = field(default_factory=list)
    false_negatives: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        found = self.true_positives + len(self.false_positives)
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        expected = self.true_positives + len(self.false_negatives)
        return self.true_positives / expected if expected else 1.0


def expectations(root: Path) -> set[tuple[str, str, int]]:
    """(rule id, path relative to the current directory, line) for every annotation under root."""
    import yaml

    expected: set[tuple[str, str, int]] = set()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.as_posix()
        if path.name == "expect.yaml":
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            for name, items in data.items():
                for item in items:
                    rule_id, _, line = str(item).partition(":")
                    expected.add((rule_id.strip(), (path.parent / name).as_posix(), int(line)))
            continue
        try:
            lines = path.read_text(encoding="utf-8").split("\n")
        except (UnicodeDecodeError, OSError):
            continue
        pending: list[str] = []
        for number, line in enumerate(lines, start=1):
            match = _ANNOTATION.search(line)
            if match:
                pending.extend(x.strip() for x in match.group(1).split(","))
                continue
            if pending and line.strip():
                expected.update((rule_id, rel, number) for rule_id in pending)
                pending = []
    return expected


def score_fixtures(root: Path, rules: tuple[type[Rule], ...], category: str | None = None) -> dict[str, Score]:
    """Scan ``root`` with ``rules`` and compare with its annotations, per rule."""
    chosen = tuple(r for r in rules if category is None or r.category.value == category)
    ids = {r.id for r in chosen}
    expected = {e for e in expectations(root) if e[0] in ids}
    result = Engine(Settings(rules=chosen)).scan([root])
    found = {(f.rule_id, f.path, f.span.line) for f in result.findings if f.rule_id in ids}
    scores: dict[str, Score] = defaultdict(Score)
    for item in found & expected:
        scores[item[0]].true_positives += 1
    for item in found - expected:
        scores[item[0]].false_positives.append(f"{item[1]}:{item[2]}")
    for item in expected - found:
        scores[item[0]].false_negatives.append(f"{item[1]}:{item[2]}")
    return dict(scores)


def report(root: Path, category: str | None = None) -> str:
    """A per-rule precision/recall table over annotated fixtures under ``root``."""
    from guardrails.registry import all_rules

    scores = score_fixtures(root, all_rules(), category)
    lines = [f"{'rule':<6} {'TP':>4} {'FP':>4} {'FN':>4} {'precision':>9} {'recall':>7}"]
    totals = Score()
    for rule_id in sorted(scores):
        s = scores[rule_id]
        totals.true_positives += s.true_positives
        totals.false_positives += s.false_positives
        totals.false_negatives += s.false_negatives
        lines.append(
            f"{rule_id:<6} {s.true_positives:>4} {len(s.false_positives):>4} {len(s.false_negatives):>4} "
            f"{s.precision:>9.3f} {s.recall:>7.3f}"
        )
        lines.extend(f"  false positive: {where}" for where in s.false_positives)
        lines.extend(f"  false negative: {where}" for where in s.false_negatives)
    lines.append(
        f"{'all':<6} {totals.true_positives:>4} {len(totals.false_positives):>4} {len(totals.false_negatives):>4} "
        f"{totals.precision:>9.3f} {totals.recall:>7.3f}"
    )
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    import sys

    args = sys.argv[1:]
    print(report(Path(args[0] if args else "fixtures"), args[1] if len(args) > 1 else None))
