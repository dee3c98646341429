"""JUnit XML for CI systems that show test reports (GitLab, Jenkins, Azure, CircleCI).

One test suite per rule that ran; one failing test case per finding (rule, message and
location), a skipped case per suppressed finding, a passing case for a rule with no
finding; files that could not be read are skipped cases of a ``guardrails.skipped`` suite.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict

from guardrails.model import Finding
from guardrails.report import Report


def _case(suite: ET.Element, name: str, classname: str) -> ET.Element:
    return ET.SubElement(suite, "testcase", {"name": name, "classname": classname, "time": "0"})


def _failure_text(f: Finding) -> str:
    lines = [
        f"{f.path}:{f.span.line}:{f.span.column}: {f.rule_id} [{f.severity.label}] {f.message}",
        f"rule: {f.rule_id} {f.rule_name} ({f.category.value})",
        f"fix: {f.remediation}",
    ]
    if f.incident is not None:
        lines.append(f"why: {f.incident.title} ({f.incident.date}) {f.incident.url}")
    return "\n".join(lines)


def render(report: Report) -> str:
    result = report.result
    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for finding in result.findings:
        by_rule[finding.rule_id].append(finding)
    names = {rule.id: rule.name for rule in report.rules}
    for finding in result.findings:
        names.setdefault(finding.rule_id, finding.rule_name)
    root = ET.Element("testsuites", {"name": "guardrails"})
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for rule_id in sorted(names):
        suite = ET.SubElement(root, "testsuite", {"name": f"{rule_id} {names[rule_id]}"})
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        for f in by_rule.get(rule_id, []):
            case = _case(suite, f"{f.path}:{f.span.line}:{f.span.column} {f.rule_id}", f.path)
            counts["tests"] += 1
            message = f"{f.rule_id} [{f.severity.label}] {f.message}"
            if f.suppressed is not None:
                ET.SubElement(case, "skipped", {"message": f"suppressed: {f.suppressed}"})
                counts["skipped"] += 1
            elif f.rule_id == "GR000":
                ET.SubElement(case, "error", {"message": message, "type": f.rule_id}).text = _failure_text(f)
                counts["errors"] += 1
            elif f.severity >= report.fail_on:
                ET.SubElement(case, "failure", {"message": message, "type": f.rule_id}).text = _failure_text(f)
                counts["failures"] += 1
            else:
                ET.SubElement(case, "system-out").text = _failure_text(f)
        if not by_rule.get(rule_id):
            _case(suite, f"{rule_id} no findings", rule_id)
            counts["tests"] += 1
        _totals(suite, counts, totals)
    if result.skipped:
        suite = ET.SubElement(root, "testsuite", {"name": "guardrails.skipped"})
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        for s in result.skipped:
            case = _case(suite, s.path, "guardrails.skipped")
            ET.SubElement(case, "skipped", {"message": f"{s.reason}: {s.detail}" if s.detail else s.reason})
            counts["tests"] += 1
            counts["skipped"] += 1
        _totals(suite, counts, totals)
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _totals(suite: ET.Element, counts: dict[str, int], totals: dict[str, int]) -> None:
    for key, value in counts.items():
        suite.set(key, str(value))
        totals[key] += value
    suite.set("time", "0")
