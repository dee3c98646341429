"""Kubernetes clusters that a CI job or a script makes for itself on the machine it runs on.

Chart repositories test their installs on a throwaway cluster: a GitHub Actions job starts
kind with ``helm/kind-action``, a script runs ``kind create cluster`` or ``minikube start``,
then ``helm install``. What that install exposes lives on the runner and is gone with the
job: a Redis without a password there is a test fixture, not a datastore anyone reaches.

A release counts as installed there when, before the ``helm`` command, the script itself or
an earlier step of the same job creates such a cluster (which also makes it the current
context), and nothing points the command elsewhere: no ``--kube-context``/``--kubeconfig``,
no ``KUBECONFIG`` set by the script, its step or its job, no ``kubectl config use-context``.
"""

from __future__ import annotations

from guardrails.documents import ShellCommand, ShellDocument
from guardrails.facts.environments import github_jobs_at
from guardrails.facts.shell_guards import scope_of
from guardrails.facts.shells import names_any
from guardrails.model import Node

#: GitHub Actions that create a local cluster and make it the current context (their
#: Marketplace pages): kind, k3d/k3s, minikube, microk8s.
CLUSTER_ACTIONS = frozenset(
    {
        "helm/kind-action",
        "engineerd/setup-kind",
        "container-tools/kind-action",
        "AbsaOSS/k3d-action",
        "nolar/setup-k3d-k3s",
        "debianmaster/actions-k3s",
        "medyagh/setup-minikube",
        "manusa/actions-setup-minikube",
        "balchua/microk8s-actions",
    }
)
#: Commands that create one (kind, k3d, minikube and ctlptl documentation): argv prefixes.
CLUSTER_COMMANDS: dict[str, tuple[str, ...]] = {
    "kind": ("create", "cluster"),
    "k3d": ("cluster", "create"),
    "minikube": ("start",),
    "ctlptl": ("create", "cluster"),
}
_ELSEWHERE_FLAGS = ("--kube-context", "--kubeconfig")
_CONTEXT_WORDS = frozenset({"kubeconfig", "use-context", "get-credentials", "update-kubeconfig", "kubeconfig.yaml"})
#: Actions that fetch a remote cluster's credentials into the job.
_CREDENTIAL_ACTIONS = ("azure/aks-set-context", "google-github-actions/get-gke-credentials", "azure/k8s-set-context")


def local_cluster(doc: ShellDocument, cmd: ShellCommand) -> str:
    """What made the cluster ``cmd`` talks to a local throwaway one ('' when nothing did)."""
    if any(w.value.split("=", 1)[0] in _ELSEWHERE_FLAGS for w in cmd.args) or _switches(doc, cmd):
        return ""
    for other in doc.commands:
        if other.index < cmd.index and scope_of(cmd, other) and _creates(other):
            return f"`{other.command} {' '.join(CLUSTER_COMMANDS[other.command])}`"
    return _earlier_step(doc)


def _creates(cmd: ShellCommand) -> bool:
    prefix = CLUSTER_COMMANDS.get(cmd.command)
    return prefix is not None and tuple(cmd.argv[: len(prefix)]) == prefix


def _switches(doc: ShellDocument, cmd: ShellCommand) -> bool:
    """The script points kubectl and helm elsewhere before ``cmd``."""
    if any(a.name == "KUBECONFIG" and a.index < cmd.index for a in doc.assignments):
        return True
    return any(
        c.index < cmd.index and c.command == "kubectl" and c.argv[:2] == ["config", "use-context"] for c in doc.commands
    )


def _earlier_step(doc: ShellDocument) -> str:
    """A step of the same GitHub Actions job, before the one that runs ``doc``, that uses a
    cluster action; '' when there is none, or when the job or the step sets ``KUBECONFIG``."""
    if doc.parent is None:
        return ""
    line = doc.host_span(doc.commands[0].span).line if doc.commands else 0
    for _, job in github_jobs_at(doc.host, line):
        if _sets_kubeconfig(job):
            continue
        steps = job.get("steps")
        made = ""
        for step in steps.elements() if steps is not None else ():
            if not step.is_map:
                continue
            if step.span.line <= line <= step.span.end_line:
                return "" if _sets_kubeconfig(step) else made
            uses = step.get("uses")
            action = uses.text.split("@", 1)[0] if uses is not None and uses.is_scalar else ""
            if action in CLUSTER_ACTIONS:
                made = f"the job's `{action}` step"
            elif _points_elsewhere(step):
                made = ""
    return ""


def _points_elsewhere(step: Node) -> bool:
    """A step that may change the context of the steps after it (``KUBECONFIG`` written to
    ``$GITHUB_ENV``, a ``use-context``, another cluster's credentials): read loosely, to stay precise."""
    run = step.get("run")
    text = run.text if run is not None and run.is_scalar else ""
    uses = step.get("uses")
    action = uses.text.split("@", 1)[0] if uses is not None and uses.is_scalar else ""
    return names_any(text, _CONTEXT_WORDS) or action.startswith(_CREDENTIAL_ACTIONS)


def _sets_kubeconfig(node: Node) -> bool:
    env = node.get("env")
    return env is not None and env.is_map and env.get("KUBECONFIG") is not None
