"""Baselines: adopt guardrails on a legacy repository without a wall of red.

A baseline is a JSON file of finding fingerprints (rule + path + logical anchor, never a
line number), so it does not churn when lines move. ``scan --baseline FILE`` reports only
findings that are not in it, counts the ones that are, and lists the entries that no
longer match anything (fixed or renamed debt, to be removed from the file).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from guardrails.model import Finding
from guardrails.records import Frozen
from guardrails.result import ScanResult

FORMAT_VERSION = 1


class BaselineError(Exception):
    """The baseline file cannot be read."""


class Entry(Frozen):
    fingerprint: str
    rule_id: str
    path: str
    anchor: str
    count: int = 1

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "fingerprint": self.fingerprint,
            "rule_id": self.rule_id,
            "path": self.path,
            "anchor": self.anchor,
        }
        if self.count > 1:
            data["count"] = self.count
        return data


def entries(findings: Iterable[Finding]) -> list[Entry]:
    """One entry per fingerprint of the unsuppressed findings, in a stable order."""
    counts: Counter[str] = Counter()
    first: dict[str, Finding] = {}
    for f in findings:
        if f.suppressed is None:
            counts[f.fingerprint] += 1
            first.setdefault(f.fingerprint, f)
    found = [Entry(fp, f.rule_id, f.path, f.anchor, counts[fp]) for fp, f in first.items()]
    return sorted(found, key=lambda e: (e.path, e.rule_id, e.anchor, e.fingerprint))


def render(findings: Iterable[Finding]) -> str:
    data = {
        "version": FORMAT_VERSION,
        "tool": "guardrails",
        "findings": [e.to_dict() for e in entries(findings)],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def read(path: Path) -> list[Entry]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read the baseline: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise BaselineError(f"{path}: not a JSON baseline: {exc}") from None
    valid = isinstance(data, dict) and data.get("version") == FORMAT_VERSION
    if not valid or not isinstance(data.get("findings"), list):
        raise BaselineError(f"{path}: not a guardrails baseline (version {FORMAT_VERSION}); regenerate it")
    found = []
    for index, item in enumerate(data["findings"]):
        try:
            found.append(
                Entry(
                    str(item["fingerprint"]),
                    str(item["rule_id"]),
                    str(item["path"]),
                    str(item.get("anchor", "")),
                    int(item.get("count", 1)),
                )
            )
        except (KeyError, TypeError, ValueError):
            raise BaselineError(f"{path}: findings[{index}] needs fingerprint, rule_id and path") from None
    return found


def apply(result: ScanResult, baseline: list[Entry], active_rules: Iterable[str], cwd: Path) -> None:
    """Move baselined findings out of ``result.findings`` (into ``baselined_findings``) and record the
    count and the stale entries.

    An entry is judged stale only when its rule ran and its file was scanned (or no longer
    exists), so a pre-commit run on two files or ``--select`` never calls the rest stale.
    """
    remaining = Counter({e.fingerprint: e.count for e in baseline})
    kept: list[Finding] = []
    for finding in result.findings:
        if finding.suppressed is None and remaining[finding.fingerprint] > 0:
            remaining[finding.fingerprint] -= 1
            result.baselined += 1
            result.baselined_findings.append(finding)
        else:
            kept.append(finding)
    result.findings = kept
    active = set(active_rules)
    scanned = set(result.scanned)
    result.stale_baseline = [
        e.to_dict()
        for e in baseline
        if remaining[e.fingerprint] == e.count
        and e.rule_id in active
        and (e.path in scanned or not (cwd / e.path).exists())
    ]
