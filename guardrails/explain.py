"""``guardrails explain RULE``: the rule's documentation, rendered from its metadata."""

from __future__ import annotations

import textwrap

from guardrails.rule import Example, Rule, fix_line, visible


def _example(example: Example, label: str) -> list[str]:
    out = [f"{label}: {example.primary}" + (f"  ({example.note})" if example.note else "")]
    source = visible(example.files[example.primary])
    for number, line in enumerate(source.rstrip("\n").split("\n"), start=1):
        marker = ">" if number in example.lines else " "
        out.append(f"  {marker}{number:>3} | {line}")
    return out


def render(rule: type[Rule]) -> str:
    wrap = textwrap.TextWrapper(width=100, initial_indent="  ", subsequent_indent="  ")
    lines = [
        f"{rule.id} {rule.name}: {rule.title}",
        f"category: {rule.category.value}    severity: {rule.severity.label}    "
        f"reads: {', '.join(sorted(k.value for k in rule.kinds))}",
        "",
        "Why it matters",
        wrap.fill(rule.rationale),
        "",
        "The incident",
    ]
    for incident in rule.incidents:
        lines.append(f"  {incident.title} ({incident.date})")
        lines.append(f"  {incident.url}")
    lines += ["", "How to fix it", wrap.fill(rule.remediation), ""]
    lines += ["Automatic fix", wrap.fill(fix_line(rule)), ""]
    if rule.options:
        lines.append("Options")
        for name, option in rule.options.items():
            lines.append(f"  {name} (default {option.default!r}): {option.help}")
        lines.append("")
    lines.append("Examples")
    lines.extend(_example(rule.bad[0], "bad"))
    lines.extend(_example(rule.good[0], "good"))
    return "\n".join(lines)


def render_internal_error() -> str:
    """``guardrails explain GR000``: the internal-error finding, which no rule class reports."""
    from guardrails.result import (
        INTERNAL_ERROR_ID,
        INTERNAL_ERROR_NAME,
        INTERNAL_ERROR_RATIONALE,
        INTERNAL_ERROR_REMEDIATION,
        INTERNAL_ERROR_TITLE,
    )

    wrap = textwrap.TextWrapper(width=100, initial_indent="  ", subsequent_indent="  ")
    return "\n".join(
        [
            f"{INTERNAL_ERROR_ID} {INTERNAL_ERROR_NAME}: {INTERNAL_ERROR_TITLE[0].upper()}{INTERNAL_ERROR_TITLE[1:]}",
            "category: unparseable-input    severity: high    reads: every kind",
            "",
            "Why it matters",
            wrap.fill(INTERNAL_ERROR_RATIONALE),
            "",
            "How to fix it",
            wrap.fill(INTERNAL_ERROR_REMEDIATION),
        ]
    )
