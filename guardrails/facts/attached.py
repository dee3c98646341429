"""Documents a file holds that only its neighbours can tell, attached before rules read it.

A Python module is also a Pulumi program when a ``Pulumi.yaml`` of the Python runtime runs it
(facts/pulumi_python.py): the parse of one file cannot know that, the project can. Each entry
names, per kind, the function that attaches such children (imported only for files of its kind).
"""

from __future__ import annotations

import importlib

from guardrails.model import Document, Kind
from guardrails.project import Project

#: Kind -> "module:function" called with (document, project).
ATTACHERS: dict[Kind, str] = {
    Kind.PYTHON: "guardrails.facts.pulumi_python:attach_program",
}


def attach(doc: Document, project: Project) -> None:
    """Attach to ``doc`` the documents its neighbours say it also is."""
    target = ATTACHERS.get(doc.kind)
    if target is None:
        return
    module, function = target.split(":")
    getattr(importlib.import_module(module), function)(doc, project)
