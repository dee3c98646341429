"""SARIF 2.1.0 for code scanning (GitHub, Azure DevOps, IDE viewers).

Locations are relative URIs under ``%SRCROOT%`` (the repository root), so the report is
the same on every machine. As GitHub code scanning reads it: each result carries its own
``properties.security-severity`` (a rule's severity can be overridden, and GR001 reports
embedded shell at medium); each rule's ``helpUri`` is its section of docs/rules.md (the
incident stays in ``help``); ``partialFingerprints`` carries ``primaryLocationLineHash``
(rule, path and the text of the line, so an alert survives edits that move lines) and our
line-independent fingerprint, each made unique with an occurrence number when two results
would share it.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from typing import Any
from urllib.parse import quote

from guardrails import __version__, rule_doc_url
from guardrails.model import Finding, Fix, Severity
from guardrails.registry import load
from guardrails.report import Report
from guardrails.rule import Rule

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "guardrails/v1"

# GitHub code scanning ranks alerts by properties.security-severity: >9.0 critical,
# 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low.
_SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "0.5",
}


def level(severity: Severity) -> str:
    if severity >= Severity.HIGH:
        return "error"
    if severity == Severity.MEDIUM:
        return "warning"
    return "note"


def _descriptor(rule: type[Rule]) -> dict[str, Any]:
    incident = rule.incidents[0] if rule.incidents else None
    help_text = f"{rule.rationale}\n\nHow to fix it: {rule.remediation}"
    help_markdown = f"{rule.rationale}\n\n**How to fix it:** {rule.remediation}"
    if incident is not None:
        help_text += f"\n\nIncident: {incident.title} ({incident.date}) {incident.url}"
        help_markdown += f"\n\n**Incident:** [{incident.title}]({incident.url}) ({incident.date})"
    data: dict[str, Any] = {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.rationale},
        "help": {"text": help_text, "markdown": help_markdown},
        "defaultConfiguration": {"level": level(rule.severity)},
        "properties": {
            "category": rule.category.value,
            "tags": ["security", rule.category.value],
            "precision": "high",
            "security-severity": _SECURITY_SEVERITY[rule.severity],
        },
    }
    data["helpUri"] = rule_doc_url(rule.id, rule.name)
    return data


def _unlisted_descriptor(finding: Finding) -> dict[str, Any]:
    """A descriptor for a finding whose rule is not in the catalog (GR000 internal errors)."""
    return {
        "id": finding.rule_id,
        "name": finding.rule_name,
        "shortDescription": {"text": finding.rule_name.replace("-", " ").capitalize()},
        "help": {"text": finding.remediation},
        "helpUri": rule_doc_url(finding.rule_id, finding.rule_name),
        "defaultConfiguration": {"level": level(finding.severity)},
        "properties": {
            "category": finding.category.value,
            "tags": [finding.category.value],
            "security-severity": _SECURITY_SEVERITY[finding.severity],
        },
    }


def _uri(path: str) -> str:
    return quote(path, safe="/-_.~")


def _line_hash(finding: Finding, source: str | None) -> str:
    """What ``primaryLocationLineHash`` stands for: the rule, the file and the reported line's
    text (whitespace-insensitive), or its number when the text is not at hand (standard input)."""
    lines = source.split("\n") if source else []
    line = "".join(lines[finding.span.line - 1].split()) if 0 < finding.span.line <= len(lines) else finding.span.line
    return hashlib.sha256(f"{finding.rule_id}\0{finding.path}\0{line}".encode()).hexdigest()[:16]


def _fingerprints(findings: list[Finding], sources: dict[str, str]) -> list[dict[str, str]]:
    """Per result, fingerprints no other result shares: the n-th result with the same value
    gets ``:n`` (GitHub's own convention for primaryLocationLineHash)."""
    seen_hash: Counter[str] = Counter()
    seen_ours: Counter[str] = Counter()
    out = []
    for finding in findings:
        line_hash = _line_hash(finding, sources.get(finding.path))
        seen_hash[line_hash] += 1
        seen_ours[finding.fingerprint] += 1
        ours = (
            finding.fingerprint
            if seen_ours[finding.fingerprint] == 1
            else f"{finding.fingerprint}:{seen_ours[finding.fingerprint]}"
        )
        out.append({"primaryLocationLineHash": f"{line_hash}:{seen_hash[line_hash]}", FINGERPRINT_KEY: ours})
    return out


def _result(finding: Finding, index: int, fingerprints: dict[str, str]) -> dict[str, Any]:
    span = finding.span
    end_line = max(span.end_line, span.line)
    end_column = span.end_column if end_line > span.line else max(span.end_column, span.column)
    data: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": index,
        "level": level(finding.severity),
        "message": {"text": finding.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": _uri(finding.path), "uriBaseId": "%SRCROOT%"},
                    "region": {
                        "startLine": span.line,
                        "startColumn": span.column,
                        "endLine": end_line,
                        "endColumn": end_column,
                    },
                }
            }
        ],
        "partialFingerprints": fingerprints,
        "properties": {
            "security-severity": _SECURITY_SEVERITY[finding.severity],
            "severity": finding.severity.label,
            "category": finding.category.value,
        },
    }
    if finding.related:
        data["relatedLocations"] = [_related(item, i) for i, item in enumerate(finding.related, 1)]
    if finding.incident is not None:
        data["properties"]["incident"] = finding.incident.url
    if finding.fix is not None:
        data["fixes"] = [_fix(finding.fix)]
    if finding.suppressed is not None:
        data["suppressions"] = [{"kind": "inSource", "status": "accepted", "justification": finding.suppressed}]
    return data


def _fix(fix: Fix) -> dict[str, Any]:
    """The edits as SARIF ``artifactChanges``, one per file, in the run's code-point columns."""
    files: dict[str, list[dict[str, Any]]] = {}
    for edit in fix.edits:
        span = edit.span
        region = {
            "startLine": span.line,
            "startColumn": span.column,
            "endLine": span.end_line,
            "endColumn": span.end_column,
        }
        files.setdefault(edit.path, []).append({"deletedRegion": region, "insertedContent": {"text": edit.replacement}})
    return {
        "description": {"text": f"{fix.description} ({fix.safety.value} fix)"},
        "artifactChanges": [
            {"artifactLocation": {"uri": _uri(path), "uriBaseId": "%SRCROOT%"}, "replacements": replacements}
            for path, replacements in files.items()
        ],
    }


def _related(item: dict[str, Any], ident: int) -> dict[str, Any]:
    """A related location: the file, the line when known, and what is there."""
    physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(str(item["path"])), "uriBaseId": "%SRCROOT%"}}
    if isinstance(item.get("line"), int):
        physical["region"] = {"startLine": item["line"]}
        if isinstance(item.get("column"), int):
            physical["region"]["startColumn"] = item["column"]
    text = item.get("message") or ", ".join(f"{k} {v}" for k, v in item.items() if k not in ("path", "line", "column"))
    location: dict[str, Any] = {"id": ident, "physicalLocation": physical}
    if text:
        location["message"] = {"text": str(text)}
    return location


def document(report: Report) -> dict[str, Any]:
    result = report.result
    # SARIF describes every rule that ran, so the rules not imported by the scan are imported here.
    descriptors = [_descriptor(load(rule)) for rule in sorted(report.rules, key=lambda r: r.id)]
    index = {d["id"]: i for i, d in enumerate(descriptors)}
    for finding in result.findings:
        if finding.rule_id not in index:
            index[finding.rule_id] = len(descriptors)
            descriptors.append(_unlisted_descriptor(finding))
    notifications = [
        {
            "level": "note",
            "message": {"text": f"skipped {s.path}: {s.reason}" + (f" ({s.detail})" if s.detail else "")},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(s.path), "uriBaseId": "%SRCROOT%"}}}],
        }
        for s in result.skipped
    ]
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "guardrails",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": descriptors,
                    }
                },
                "invocations": [
                    {
                        "executionSuccessful": result.internal_errors == 0,
                        "toolExecutionNotifications": notifications,
                    }
                ],
                "columnKind": "unicodeCodePoints",
                "results": [
                    _result(f, index[f.rule_id], prints)
                    for f, prints in zip(result.findings, _fingerprints(result.findings, report.sources), strict=True)
                ],
            }
        ],
    }


def render(report: Report) -> str:
    return json.dumps(document(report), indent=2, ensure_ascii=False) + "\n"
