"""Machine output: a versioned JSON document (schema in docs/output.schema.json)."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from guardrails import __version__
from guardrails.model import Finding, Severity
from guardrails.result import ScanResult

SCHEMA_VERSION = "1.0"


def finding_dict(f: Finding) -> dict[str, Any]:
    data: dict[str, Any] = {
        "rule_id": f.rule_id,
        "rule_name": f.rule_name,
        "category": f.category.value,
        "severity": f.severity.label,
        "path": f.path,
        "line": f.span.line,
        "column": f.span.column,
        "end_line": f.span.end_line,
        "end_column": f.span.end_column,
        "message": f.message,
        "remediation": f.remediation,
        "incident": f.incident.to_dict() if f.incident else None,
        "fingerprint": f.fingerprint,
        "suppressed": f.suppressed,
    }
    if f.related:
        data["related"] = f.related
    if f.fix is not None:
        data["fix"] = {
            "description": f.fix.description,
            "safety": f.fix.safety.value,
            "edits": [
                {
                    "path": e.path,
                    "line": e.span.line,
                    "column": e.span.column,
                    "end_line": e.span.end_line,
                    "end_column": e.span.end_column,
                    "replacement": e.replacement,
                }
                for e in f.fix.edits
            ],
        }
    return data


def document(result: ScanResult) -> dict[str, Any]:
    visible = [f for f in result.findings if f.suppressed is None]
    by_severity = Counter(f.severity.label for f in visible)
    data: dict[str, Any] = {
        "version": SCHEMA_VERSION,
        "tool": {"name": "guardrails", "version": __version__},
        "findings": [finding_dict(f) for f in result.findings],
        "skipped": [{"path": s.path, "reason": s.reason, "detail": s.detail} for s in result.skipped],
        "counts": {
            "files_scanned": result.files_scanned,
            "files_unsupported": result.unsupported,
            "files_skipped": len(result.skipped),
            "findings": len(visible),
            "suppressed": len(result.findings) - len(visible),
            "by_severity": {s.label: by_severity.get(s.label, 0) for s in sorted(Severity, reverse=True)},
            "internal_errors": result.internal_errors,
        },
    }
    if result.baselined or result.stale_baseline:
        data["baseline"] = {"matched": result.baselined, "stale": result.stale_baseline}
    return data


def render(result: ScanResult) -> str:
    return json.dumps(document(result), indent=2, sort_keys=False, ensure_ascii=False) + "\n"
