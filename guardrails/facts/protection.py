"""A protection setting of a stateful resource, whichever language declares the resource.

The deletion-protection and backup rules state once which value of which Terraform attribute
is unsafe; Terraform modules are resolved by ``guardrails.facts.stateful``, CloudFormation
templates by ``guardrails.facts.cloudformation`` (through its table of equivalent types) and
Pulumi YAML programs by ``guardrails.facts.pulumi`` (through its table of type tokens, the
attribute in camelCase), so a rule reads all three without a branch of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from guardrails.documents import TerraformDocument, TreeDocument
from guardrails.facts import stacks, stateful
from guardrails.model import Document, Kind
from guardrails.project import Project


def unsafe_settings(
    doc: Document, project: Project, paths: dict[str, str], default: Any, unsafe: Callable[[Any], bool]
) -> Iterator[stateful.Setting | stacks.Setting]:
    """``stateful.unsafe_settings`` for Terraform, ``stacks.unsafe_settings`` for a template or a
    Pulumi YAML program."""
    if isinstance(doc, TerraformDocument):
        yield from stateful.unsafe_settings(doc, project, paths, default, unsafe)
    elif isinstance(doc, TreeDocument):
        yield from stacks.unsafe_settings(doc, project, paths, default, unsafe)


def also_unsafe(
    doc: Document,
    project: Project,
    found: stateful.Setting | stacks.Setting,
    path: str,
    default: Any,
    unsafe: Callable[[Any], bool],
) -> stateful.Setting | stacks.Setting | None:
    """Another setting (a Terraform attribute path) of the resource ``found`` names, when it is
    unsafe too: Cloud SQL's two deletion protections."""
    if isinstance(found, stateful.Setting):
        return stateful.setting(found.resource, path, found.scope, default, unsafe)  # type: ignore[arg-type]
    if isinstance(doc, TreeDocument) and doc.kind is Kind.PULUMI:
        from guardrails.facts import pulumi

        return pulumi.also_unsafe(doc, project, found, path, default, unsafe)
    return None


def describe(found: stateful.Setting | stacks.Setting) -> str:
    """``aws_db_instance.main (RDS DB instance)``, ``Database (RDS DB instance)``."""
    return stateful.describe(found) if isinstance(found, stateful.Setting) else found.describe()
