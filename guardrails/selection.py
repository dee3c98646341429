"""Choosing rules by id, name or category, for --select/--ignore and configuration.

Works on index entries (``RuleRef``): choosing rules imports none of them.
"""

from __future__ import annotations

from collections.abc import Iterable

from guardrails.model import Category
from guardrails.registry import RuleRef, RuleSpec, catalog

_CATEGORIES = {c.value for c in Category}


def matches(rule: RuleSpec, key: str) -> bool:
    return key.upper() == rule.id or key == rule.name or key == rule.category.value


def validate_keys(keys: Iterable[str]) -> None:
    known = catalog()
    for key in keys:
        if key not in _CATEGORIES and not any(matches(r, key) for r in known):
            raise ValueError(f"unknown rule or category {key!r}; `guardrails rules` lists them")


def select_rules(select: Iterable[str] = (), ignore: Iterable[str] = ()) -> tuple[RuleRef, ...]:
    select, ignore = list(select), list(ignore)
    validate_keys(select + ignore)
    chosen = [r for r in catalog() if not select or any(matches(r, k) for k in select)]
    return tuple(r for r in chosen if not any(matches(r, k) for k in ignore))
