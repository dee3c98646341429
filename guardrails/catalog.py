"""docs/rules.md, rendered from the rules' own metadata (a test keeps it current).

Regenerate with ``python -m guardrails.catalog > docs/rules.md``.
"""

from __future__ import annotations

from guardrails.model import Category
from guardrails.registry import all_rules
from guardrails.rule import Example, Rule


def _example(example: Example, label: str) -> list[str]:
    note = f" — {example.note}" if example.note else ""
    lines = [f"{label} (`{example.primary}`{note}):", "", "```"]
    lines += example.files[example.primary].rstrip("\n").split("\n")
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
    ]
    if rule.options:
        lines += ["| option | default | meaning |", "| --- | --- | --- |"]
        lines += [f"| `{name}` | `{opt.default!r}` | {opt.help} |" for name, opt in rule.options.items()]
        lines.append("")
    lines += _example(rule.bad[0], "Bad")
    lines += _example(rule.good[0], "Good")
    return lines


def render() -> str:
    lines = [
        "# Rule catalog",
        "",
        "Generated from the rules' metadata by `python -m guardrails.catalog`; "
        "`guardrails explain RULE` shows the same on the command line.",
        "",
    ]
    rules = all_rules()
    for category in Category:
        chosen = [r for r in rules if r.category is category]
        if not chosen:
            continue
        lines += [f"## {category.value}", ""]
        lines += [f"- [{r.id} {r.name}](#{r.id.lower()}-{r.name}): {r.title}" for r in chosen]
        lines.append("")
        for rule in chosen:
            lines += _rule(rule)
    return "\n".join(lines).rstrip("\n") + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(render(), end="")
