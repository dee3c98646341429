"""CI machines a job gets for itself: what a step starts there is gone with the job.

A GitHub-hosted runner is a fresh virtual machine for each job, deleted when the job ends
(GitHub Docs, "GitHub-hosted runners": "each job runs in a fresh instance of the runner
image"). A database a step starts there with ``docker run -p 5432:5432 -e
POSTGRES_PASSWORD=postgres`` holds test data for the job's minutes and is gone with the machine,
like a workflow's ``services:`` containers: a test fixture.

A job runs on one when its ``runs-on`` is a standard GitHub-hosted label (the labels table of
"GitHub-hosted runners reference": ``ubuntu-latest``, ``ubuntu-24.04``, ``ubuntu-24.04-arm``,
``windows-2022``, ``windows-11-arm``, ``macos-15``, ``macos-14-large``, ``macos-latest-xlarge``...),
written or taken from a literal ``strategy.matrix`` list whose every entry is one. Anything else
is not known to be one: ``self-hosted`` and custom labels (a machine that outlives the job), a
``group:``/``labels:`` mapping (larger runners, named by the organisation), an expression.
"""

from __future__ import annotations

from guardrails.documents import ShellDocument, TreeDocument
from guardrails.facts.environments import github_jobs_at
from guardrails.model import Kind, Node

#: The operating-system families of GitHub-hosted labels and the suffixes of their variants.
HOSTED_FAMILIES = frozenset({"ubuntu", "windows", "macos"})
HOSTED_VARIANTS = frozenset({"arm", "large", "xlarge"})


def is_hosted_label(label: str) -> bool:
    """``ubuntu-latest``, ``ubuntu-22.04``, ``windows-11-arm``, ``macos-14-xlarge``: a label GitHub
    itself serves; ``self-hosted``, ``ubuntu-gpu``, ``linux`` are not."""
    parts = label.strip().lower().split("-")
    if len(parts) not in (2, 3) or parts[0] not in HOSTED_FAMILIES:
        return False
    version = parts[1]
    if version != "latest" and not (version.replace(".", "").isdigit() and not version.startswith(".")):
        return False
    return len(parts) == 2 or parts[2] in HOSTED_VARIANTS


def hosted_runner(doc: ShellDocument) -> str:
    """The GitHub-hosted label of the job whose step runs ``doc`` ('' when ``doc`` is not a
    workflow step's script, or its job's runner is not known to be GitHub-hosted)."""
    host = doc.host
    if doc.parent is None or not isinstance(host, TreeDocument) or host.kind is not Kind.GITHUB_ACTIONS:
        return ""
    if not doc.commands:
        return ""
    line = doc.host_span(doc.commands[0].span).line
    # A line two jobs share (one written on one line) is hosted only when both jobs are.
    labels = [_job_label(job) for _, job in github_jobs_at(host, line)]
    return labels[0] if labels and all(labels) else ""


def _job_label(job: Node) -> str:
    runs_on = job.get("runs-on")
    if runs_on is None:
        return ""
    if runs_on.is_seq:
        labels = [item for item in runs_on.elements() if item.is_scalar]
        if len(labels) != 1 or len(labels) != len(list(runs_on.elements())):
            return ""  # a job goes to a runner carrying every label: several name a custom one
        runs_on = labels[0]
    if not runs_on.is_scalar:
        return ""
    text = runs_on.text.strip()
    if is_hosted_label(text):
        return text
    key = _matrix_key(text)
    values = _matrix_values(job, key) if key else []
    return values[0] if values and all(is_hosted_label(v) for v in values) else ""


def _matrix_key(text: str) -> str:
    """``os`` for ``${{ matrix.os }}``; '' for any other expression or text."""
    if not (text.startswith("${{") and text.endswith("}}")):
        return ""
    inner = text[3:-2].strip()
    if not inner.startswith("matrix."):
        return ""
    key = inner.removeprefix("matrix.")
    return key if key.replace("-", "").replace("_", "").isalnum() else ""


def _matrix_values(job: Node, key: str) -> list[str]:
    """The literal values of ``strategy.matrix.<key>``, with those ``include`` adds; [] when any
    is not a literal string (an expression, ``fromJSON(...)``)."""
    matrix = job.path("strategy", "matrix")
    if matrix is None or not matrix.is_map:
        return []
    found: list[str] = []
    listed = matrix.get(key)
    if listed is not None:
        if not listed.is_seq:
            return []
        for item in listed.elements():
            if not item.is_scalar or "${{" in item.text:
                return []
            found.append(item.text)
    include = matrix.get("include")
    for entry in include.elements() if include is not None and include.is_seq else ():
        value = entry.get(key) if entry.is_map else None
        if value is not None:
            if not value.is_scalar or "${{" in value.text:
                return []
            found.append(value.text)
    return found
