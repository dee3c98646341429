"""One finding per place: the same finding reached through several documents is reported once.

A file that several documents read is judged once per reader: a Kustomize component that two
overlays include, say, gets its Service's finding from ``kustomize build`` of each. Findings
with the same rule, path, span and anchor share a fingerprint, so a baseline, a SARIF viewer
or a reviewer cannot tell them apart; reported twice they are noise. The most severe one is
kept (the first found among equals), and the others' messages, where they differ, become its
related locations from the parenthesis where they depart: which overlays deploy the file
stays visible.
"""

from __future__ import annotations

from guardrails.model import Finding


def once_each(findings: list[Finding]) -> list[Finding]:
    """``findings`` with each group of the same finding reported once, in their first order."""
    groups: dict[tuple[str, str, object, str], list[Finding]] = {}
    for finding in findings:
        groups.setdefault((finding.rule_id, finding.path, finding.span, finding.anchor), []).append(finding)
    if len(groups) == len(findings):
        return findings
    out: list[Finding] = []
    for group in groups.values():  # a dict keeps the order in which each group was first seen
        out.append(_merged(group) if len(group) > 1 else group[0])
    return out


def _merged(group: list[Finding]) -> Finding:
    first = max(group, key=lambda finding: finding.severity)  # max keeps the first among equals
    for other in group:
        if other is first:
            continue
        if other.message != first.message:
            also = {"path": other.path, "line": other.span.line, "message": _difference(first.message, other.message)}
            if also not in first.related:
                first.related.append(also)
        first.related.extend(item for item in other.related if item not in first.related)
    return first


def _difference(kept: str, other: str) -> str:
    """``other`` from the parenthesis where it departs from ``kept`` (``also (kustomize build
    overlays/staging)``), or whole when they differ before any parenthesis."""
    same = next((i for i, (a, b) in enumerate(zip(kept, other, strict=False)) if a != b), len(other))
    cut = other.rfind(" (", 0, same)
    return f"also {other[cut + 1 :]}" if cut > 0 else other
