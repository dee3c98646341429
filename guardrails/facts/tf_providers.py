"""Provider defaults that changed between major versions, judged by the version the module pins.

A resource attribute left unset takes the provider's default, and a few defaults changed with
a major version. The module's ``terraform { required_providers { ... } }`` constraint says which
majors can be installed: when every one of them is on the same side of the change, the default is
known; otherwise it stays unknown (never guessed).
"""

from __future__ import annotations

from typing import Any

from guardrails.documents import TerraformDocument
from guardrails.facts.terraform import Module, Origin
from guardrails.facts.tf_registry import selects
from guardrails.records import Frozen


class ChangedDefault(Frozen):
    """``attribute`` of ``resource`` defaults to ``before`` below provider major ``major``, then ``after``."""

    provider: str
    major: int
    before: Any
    after: Any


#: Source: Terraform AWS provider, "Terraform AWS Provider Version 6 Upgrade Guide",
#: resource/aws_redshift_cluster: ``publicly_accessible`` now defaults to false.
CHANGED_DEFAULTS: dict[tuple[str, str], ChangedDefault] = {
    ("aws_redshift_cluster", "publicly_accessible"): ChangedDefault("aws", 6, True, False),
}
_OLDEST = 1  # the first major a constraint is tried against


def provider_default(resource: str, attribute: str, module: Module) -> tuple[Any, Origin] | None:
    """The default of an unset attribute under the provider versions the module allows, with
    where the constraint is written; None when it did not change or cannot be told here."""
    changed = CHANGED_DEFAULTS.get((resource, attribute))
    if changed is None:
        return None
    found = _constraint(module, changed.provider)
    if found is None:
        return None
    constraint, origin = found
    majors = [m for m in range(_OLDEST, changed.major + 4) if selects(constraint, m)]
    if not majors:
        return None
    if all(m < changed.major for m in majors):
        return changed.before, origin
    if all(m >= changed.major for m in majors):
        return changed.after, origin
    return None


def _constraint(module: Module, provider: str) -> tuple[str, Origin] | None:
    for doc in module.documents:
        for block in doc.blocks if isinstance(doc, TerraformDocument) else []:
            if block.type != "terraform":
                continue
            for required in block.children("required_providers"):
                attr = required.get(provider)
                if attr is None:
                    continue
                expr = attr.expr
                if expr.kind == "object" and "version" in expr.value:
                    expr = expr.value["version"]
                if expr.kind == "literal" and isinstance(expr.value, str):
                    what = f'required_providers {provider} version "{expr.value}"'
                    return expr.value, Origin(what, doc.path, expr.span.line)
    return None
