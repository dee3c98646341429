"""docs/rules.md, rendered from the rules' own metadata (a test keeps it current).

Regenerate with ``python -m guardrails.catalog > docs/rules.md``.
"""

from __future__ import annotations

from guardrails.model import Category
from guardrails.registry import all_rules
from guardrails.result import (
    INTERNAL_ERROR_ID,
    INTERNAL_ERROR_NAME,
    INTERNAL_ERROR_RATIONALE,
    INTERNAL_ERROR_REMEDIATION,
    INTERNAL_ERROR_TITLE,
)
from guardrails.rule import Example, Rule, fix_line, visible


def _example(example: Example, label: str) -> list[str]:
    note = f" — {example.note}" if example.note else ""
    lines = [f"{label} (`{example.primary}`{note}):", "", "```"]
    lines += visible(example.files[example.primary]).rstrip("\n").split("\n")
    lines += ["```", ""]
    return lines


def _rule(rule: type[Rule]) -> list[str]:
    lines = [
        f"### {rule.id} `{rule.name}`",
        "",
        f"**{rule.title}** — severity `{rule.severity.label}`; reads "
        + ", ".join(f"`{k.value}`" for k in sorted(rule.kinds, key=lambda k: k.value)),
        "",
        rule.rationale,
        "",
        "Incident: " + "; ".join(f"[{i.title}]({i.url}) ({i.date})" for i in rule.incidents),
        "",
        f"Fix: {rule.remediation}",
        "",
        f"Automatic fix: {fix_line(rule)}",
        "",
    ]
    if rule.options:
        lines += ["| option | default | meaning |", "| --- | --- | --- |"]
        lines += [f"| `{name}` | `{opt.default!r}` | {opt.help} |" for name, opt in rule.options.items()]
        lines.append("")
    lines += _example(rule.bad[0], "Bad")
    lines += _example(rule.good[0], "Good")
    return lines


def _fix_label(rule: type[Rule]) -> str:
    return rule.fix_safety.value if rule.fix_safety is not None else "none"


def _internal_anchor() -> str:
    return f"{INTERNAL_ERROR_ID.lower()}-{INTERNAL_ERROR_NAME}"


def _internal_error() -> list[str]:
    """GR000 is no rule class, but its findings link here like every rule's."""
    return [
        f"### {INTERNAL_ERROR_ID} `{INTERNAL_ERROR_NAME}`",
        "",
        f"**{INTERNAL_ERROR_TITLE[0].upper()}{INTERNAL_ERROR_TITLE[1:]}** — severity `high`; reads every kind",
        "",
        INTERNAL_ERROR_RATIONALE,
        "",
        f"Fix: {INTERNAL_ERROR_REMEDIATION}",
        "",
    ]


def render() -> str:
    lines = [
        "# Rule catalog",
        "",
        "Generated from the rules' metadata by `python -m guardrails.catalog`; "
        "`guardrails explain RULE` shows the same on the command line. Each rule says whether "
        "`guardrails scan --fix` fixes its findings (safe), does so only with `--unsafe-fixes` (unsafe), "
        "or leaves them to you (none); see docs/fix.md.",
        "",
    ]
    rules = all_rules()
    for category in Category:
        chosen = [r for r in rules if r.category is category]
        if not chosen:
            continue
        lines += [f"## {category.value}", ""]
        lines += [f"- [{r.id} {r.name}](#{r.id.lower()}-{r.name}): {r.title} (fix: {_fix_label(r)})" for r in chosen]
        lines.append("")
        if category is Category.UNPARSEABLE_INPUT:
            lines.insert(
                len(lines) - 1,
                f"- [{INTERNAL_ERROR_ID} {INTERNAL_ERROR_NAME}](#{_internal_anchor()}): "
                f"{INTERNAL_ERROR_TITLE[0].upper()}{INTERNAL_ERROR_TITLE[1:]}",
            )
            lines += _internal_error()
        for rule in chosen:
            lines += _rule(rule)
    return "\n".join(lines).rstrip("\n") + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(render(), end="")
