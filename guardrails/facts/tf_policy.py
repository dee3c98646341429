"""IAM policy documents in Terraform, read one way for every rule that judges a policy.

A policy is written as a JSON string (a literal or a heredoc without interpolations),
as ``jsonencode({...})``, or as a ``data "aws_iam_policy_document"`` whose ``.json`` an
attribute references. ``policy`` turns each into the same statements; ``open_to_anyone``
says whether a statement lets every principal in without a condition that narrows who
(an IP allowlist, an organization, an account, a VPC endpoint). What cannot be read here
(interpolated templates, ``dynamic`` statements, merged documents) is None, never guessed.
"""

from __future__ import annotations

import json
from typing import Any

from guardrails.documents import Block, Expr, TerraformDocument
from guardrails.facts.network import is_world
from guardrails.facts.terraform import Module, Scope
from guardrails.model import Span
from guardrails.records import Frozen

#: Condition keys that do not narrow who may call: any client can meet them.
#: Source: AWS global condition context keys (IAM User Guide, "AWS global condition
#: context keys"): transport, time and client-supplied headers.
_NOT_NARROWING = frozenset(
    {
        "aws:securetransport",
        "aws:currenttime",
        "aws:epochtime",
        "aws:useragent",
        "aws:referer",
        "aws:requestedregion",
        "aws:multifactorauthpresent",
    }
)
#: Condition keys whose values are addresses: only a value short of the whole internet narrows.
_ADDRESS_KEYS = frozenset({"aws:sourceip"})
_WILDCARDS = frozenset({"*", ""})
#: A condition that cannot be read here: it may narrow, so the statement is not judged open.
_UNREADABLE = ("?", "?", ("?",))


class Statement(Frozen):
    """One statement: its effect, principals (``"*"`` for anyone) and conditions
    ``(operator, key, values)``; ``span`` is where a data source wrote its principals."""

    effect: str
    principals: tuple[str, ...]
    conditions: tuple[tuple[str, str, tuple[str, ...]], ...] = ()
    span: Span | None = None


class Policy(Frozen):
    statements: list[Statement]
    path: str  # the file of the data source it came from ("" for an inline policy)


def policy(expr: Expr, scope: Module | Scope) -> Policy | None:
    """The policy an attribute sets, or None when it cannot be read here."""
    if expr.kind == "reference":
        found = _data_source(str(expr.value), scope)
        if found is not None:
            return _from_data(*found, scope)
    if expr.kind == "call" and expr.value == "jsonencode" and len(expr.args) == 1:
        return from_json(_hcl_value(expr.args[0], scope))
    if expr.kind == "template" and "${" not in str(expr.value):
        text = str(expr.value)
    else:
        resolved = scope.resolve(expr)
        text = resolved.value if resolved.known and isinstance(resolved.value, str) else ""
    try:
        return from_json(json.loads(text)) if text else None
    except ValueError:
        return None


def open_to_anyone(statement: Statement) -> bool:
    """An Allow for principal ``*`` that no condition narrows to known callers."""
    if statement.effect.lower() != "allow" or "*" not in statement.principals:
        return False
    return not any(_narrows(key, values) for _, key, values in statement.conditions)


def _narrows(key: str, values: tuple[str, ...]) -> bool:
    name = key.lower()
    if name in _NOT_NARROWING or not values or any(v in _WILDCARDS for v in values):
        return False
    if name in _ADDRESS_KEYS:
        return not any(is_world(v) for v in values)
    return True


# --------------------------------------------------------------------------- JSON


def _hcl_value(expr: Expr, scope: Module | Scope) -> Any:
    if expr.kind == "object":
        return {k: _hcl_value(v, scope) for k, v in expr.value.items()}
    if expr.kind == "tuple":
        return [_hcl_value(v, scope) for v in expr.value]
    resolved = scope.resolve(expr)
    return resolved.value if resolved.known else None


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def from_json(data: Any) -> Policy | None:
    if not isinstance(data, dict):
        return None
    found = Policy([], "")
    for item in _listed(data.get("Statement", [])):
        if not isinstance(item, dict):
            continue
        principal = item.get("Principal")
        values = principal.values() if isinstance(principal, dict) else [principal]
        principals = tuple(str(x) for v in values for x in _listed(v) if x is not None)
        conditions = []
        condition = item.get("Condition")
        for operator, tests in (condition or {}).items() if isinstance(condition, dict) else []:
            for key, listed in tests.items() if isinstance(tests, dict) else []:
                conditions.append((str(operator), str(key), tuple(str(v) for v in _listed(listed))))
        if condition is not None and not isinstance(condition, dict):
            conditions.append(_UNREADABLE)
        found.statements.append(Statement(str(item.get("Effect", "")), principals, tuple(conditions)))
    return found


# --------------------------------------------------------------------------- data sources


def _data_source(ref: str, scope: Module | Scope) -> tuple[Block, str] | None:
    """``data.aws_iam_policy_document.x.json`` -> the data block and its file, in this module."""
    parts = ref.split(".")
    if len(parts) != 4 or parts[0] != "data" or parts[1] != "aws_iam_policy_document" or parts[3] != "json":
        return None
    module = scope.module if isinstance(scope, Scope) else scope
    for doc in module.documents:
        for block in doc.blocks if isinstance(doc, TerraformDocument) else []:
            if block.type == "data" and block.labels == ["aws_iam_policy_document", parts[2]]:
                return block, doc.path
    return None


def _strings(block: Block, name: str, scope: Module | Scope) -> tuple[str, ...] | None:
    attr = block.get(name)
    if attr is None:
        return ()
    found = scope.resolve(attr.expr)
    if not found.known:
        return None
    return tuple(str(v) for v in _listed(found.value) if v is not None)


def _from_data(block: Block, path: str, scope: Module | Scope) -> Policy | None:
    merged = ("source_policy_documents", "override_policy_documents", "source_json", "override_json")
    if any(block.get(name) is not None for name in merged) or block.children("dynamic"):
        return None
    found = Policy([], path)
    for statement in block.children("statement"):
        effect = statement.get("effect")
        resolved = scope.resolve(effect.expr) if effect is not None else None
        if resolved is not None and not resolved.known:
            continue
        principals: list[str] = []
        span: Span | None = None
        for principal in statement.children("principals"):
            identifiers = _strings(principal, "identifiers", scope)
            if identifiers is None:
                continue
            principals.extend(identifiers)
            attr = principal.get("identifiers")
            if "*" in identifiers and attr is not None:
                span = span or attr.span
        conditions = []
        for condition in statement.children("condition"):
            test, variable = _strings(condition, "test", scope), _strings(condition, "variable", scope)
            values = _strings(condition, "values", scope)
            if not test or not variable or values is None:
                conditions.append(_UNREADABLE)
                continue
            conditions.append((test[0], variable[0], values))
        if statement.children("dynamic"):
            conditions.append(_UNREADABLE)
        found.statements.append(
            Statement(
                str(resolved.value) if resolved is not None else "Allow", tuple(principals), tuple(conditions), span
            )
        )
    return found
