"""Which facts module reads a declared stack.

CloudFormation templates (``guardrails.facts.cloudformation``) and Pulumi YAML programs
(``guardrails.facts.pulumi``) answer the same questions through functions of the same names
and shapes: ``unsafe_settings``, ``permissions``, ``load_balancer_groups``, ``public_databases``,
``records`` and ``written``, with ``PUBLICLY_ACCESSIBLE`` naming the property. A rule asks once.
"""

from __future__ import annotations

from types import ModuleType

from guardrails.documents import TreeDocument
from guardrails.model import Kind


def reader(doc: TreeDocument) -> ModuleType:
    """The facts module of a template or program (each imported only when met: tables cost start-up time)."""
    if doc.kind is Kind.PULUMI:
        from guardrails.facts import pulumi

        return pulumi
    from guardrails.facts import cloudformation

    return cloudformation
