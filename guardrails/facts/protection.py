"""A protection setting of a stateful resource, whichever language declares the resource.

The deletion-protection and backup rules state once which value of which Terraform attribute
is unsafe; Terraform modules are resolved by ``guardrails.facts.stateful`` and CloudFormation
templates by ``guardrails.facts.cloudformation`` (through its table of equivalent types), so a
rule reads both without a branch of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from guardrails.documents import TerraformDocument, TreeDocument
from guardrails.facts import stateful
from guardrails.model import Document
from guardrails.project import Project

if TYPE_CHECKING:
    from guardrails.facts import cloudformation


def unsafe_settings(
    doc: Document, project: Project, paths: dict[str, str], default: Any, unsafe: Callable[[Any], bool]
) -> Iterator[stateful.Setting | cloudformation.Setting]:
    """``stateful.unsafe_settings`` for Terraform, ``cloudformation.unsafe_settings`` for a template."""
    if isinstance(doc, TerraformDocument):
        yield from stateful.unsafe_settings(doc, project, paths, default, unsafe)
    elif isinstance(doc, TreeDocument):
        from guardrails.facts import cloudformation  # templates only: its tables cost start-up time

        yield from cloudformation.unsafe_settings(doc, project, paths, default, unsafe)


def describe(found: stateful.Setting | cloudformation.Setting) -> str:
    """``aws_db_instance.main (RDS DB instance)``, ``Database (RDS DB instance)``."""
    return stateful.describe(found) if isinstance(found, stateful.Setting) else found.describe()
