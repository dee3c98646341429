"""CI jobs that run Terraform: what they target and what approval stands in front of them.

A job is read as a reviewer reads it: its name, its environment variables, its working
directory and the Terraform commands of its steps (child shell documents of the
workflow). "Production" is decided by ``environments.names_production`` on those words
only; a branch filter (``on: push: branches: [main]``) is not evidence on its own,
since main often deploys to staging first.

Approval: GitHub's job-level ``environment:`` naming a production environment
(required reviewers are configured on the environment, outside the repository);
GitLab's ``when: manual`` (on the job or on every rule that runs it) or an
``environment:`` naming production (protected environments and deployment
approvals). An environment given by an expression (``${{ inputs.env }}``,
``$DEPLOY_ENV``) cannot be judged and counts as approval, to stay precise.
"""

from __future__ import annotations

from collections.abc import Iterator

from guardrails.documents import ShellCommand, ShellDocument, TreeDocument
from guardrails.facts.environments import names_production
from guardrails.facts.gitlab import GLOBAL_KEYWORDS
from guardrails.model import Node
from guardrails.records import Record

TERRAFORM_COMMANDS = frozenset({"terraform", "tofu"})
#: Variables whose value names the environment a Terraform job deploys to.
ENVIRONMENT_VARIABLES = frozenset(
    {"TF_WORKSPACE", "TF_ENV", "TF_VAR_environment", "TF_VAR_env", "ENV", "ENVIRONMENT", "DEPLOY_ENV", "STAGE"}
)
_MAX_EXTENDS = 8


class Script(Record):
    """One shell document of a job, with the production evidence of its own step."""

    __slots__ = ("doc", "evidence", "inherited_from")

    def __init__(
        self,
        doc: ShellDocument,
        evidence: list[str] | None = None,
        inherited_from: str | None = None,
    ) -> None:
        self.doc = doc
        self.evidence: list[str] = [] if evidence is None else evidence
        self.inherited_from = inherited_from


class Job(Record):
    __slots__ = ("approval", "evidence", "key", "name", "scripts")

    def __init__(
        self,
        name: str,
        approval: str | None,
        key: Node,
        evidence: list[str] | None = None,
        scripts: list[Script] | None = None,
    ) -> None:
        self.name = name
        self.approval = approval
        self.key = key
        self.evidence: list[str] = [] if evidence is None else evidence
        self.scripts: list[Script] = [] if scripts is None else scripts


class TerraformRun(Record):
    __slots__ = ("command", "evidence", "operation")

    def __init__(self, command: ShellCommand, operation: str, evidence: list[str]) -> None:
        self.command = command
        self.operation = operation
        self.evidence = evidence

    @property
    def normalised(self) -> str:
        return f"{self.command.command} {self.operation} -auto-approve"


def auto_approved_runs(job: Job) -> Iterator[tuple[Script, TerraformRun]]:
    """``terraform apply|destroy -auto-approve`` commands of a job, with everything that
    says production: the job, the step, an earlier ``cd``/``workspace select``, the command's own words."""
    earlier: list[str] = []
    for script in job.scripts:
        for command in script.doc.commands:
            run = _terraform_run(command)
            context = _context_evidence(command)
            if context:
                earlier.extend(context)
            if run is not None:
                run.evidence = [*job.evidence, *script.evidence, *earlier, *run.evidence]
                yield script, run


def _terraform_run(command: ShellCommand) -> TerraformRun | None:
    if command.command not in TERRAFORM_COMMANDS:
        return None
    args = command.args
    sub_index = next((i for i, w in enumerate(args) if not w.value.startswith("-")), None)
    if sub_index is None or args[sub_index].value not in ("apply", "destroy"):
        return None
    words = [w.value for w in args]
    flags = words[:sub_index] + words[sub_index + 1 :]
    if not any(_auto_approve(f) for f in flags):
        return None
    operation = "destroy" if words[sub_index] == "destroy" or "-destroy" in flags else "apply"
    evidence = [f"`{w}`" for w in flags if names_production(w)]
    evidence += [f"`{k}={v}`" for k, v in command.assignments.items() if _environment_assignment(f"{k}={v}")]
    return TerraformRun(command, operation, evidence)


def _auto_approve(word: str) -> bool:
    flag, _, value = word.lstrip("-").partition("=")
    return word.startswith("-") and flag == "auto-approve" and value.lower() not in ("false", "0")


def _context_evidence(command: ShellCommand) -> list[str]:
    argv = command.argv
    if command.command == "cd" and argv and names_production(argv[-1]):
        return [f"`cd {argv[-1]}`"]
    if command.command in TERRAFORM_COMMANDS and argv[:2] in (["workspace", "select"], ["workspace", "new"]):
        target = next((a for a in argv[2:] if not a.startswith("-")), "")
        if names_production(target):
            return [f"`{command.command} workspace select {target}`"]
    if command.command == "export":
        return [f"`export {a}`" for a in argv if _environment_assignment(a)]
    return []


def _environment_assignment(text: str) -> bool:
    name, eq, value = text.partition("=")
    return bool(eq) and name in ENVIRONMENT_VARIABLES and names_production(value)


def variables_evidence(mapping: Node | None, where: str) -> list[str]:
    """``TF_WORKSPACE: production`` and its kin in an ``env:``/``variables:`` mapping."""
    found = []
    for key, _, value in mapping.items() if mapping is not None else ():
        node = value.get("value") if value.is_map else value
        if key in ENVIRONMENT_VARIABLES and node is not None and node.is_scalar and names_production(node.text):
            found.append(f"{where} {key}={node.text}")
    return found


def _scalar(node: Node | None) -> str:
    return node.text if node is not None and node.is_scalar else ""


def _environment_name(node: Node | None) -> str:
    if node is None:
        return ""
    return _scalar(node.get("name")) if node.is_map else _scalar(node)


def _approving_environment(node: Node | None) -> str | None:
    name = _environment_name(node)
    if not name:
        return None
    if "${{" in name or "$" in name:
        return f"environment `{name}` (an expression)"
    return f"environment `{name}`" if names_production(name) else None


# --------------------------------------------------------------------------- GitHub Actions


def github_jobs(doc: TreeDocument) -> Iterator[Job]:
    children = {c.context: c for c in doc.children if isinstance(c, ShellDocument)}
    for root in doc.roots:
        jobs = root.get("jobs")
        workflow_env = variables_evidence(root.get("env"), "workflow env")
        workflow_dir = _scalar(root.path("defaults", "run", "working-directory"))
        for job_id, key, job in jobs.items() if jobs is not None else ():
            if not job.is_map:
                continue
            evidence = [f"job `{t}`" for t in (job_id, _scalar(job.get("name"))) if t and names_production(t)]
            evidence += workflow_env + variables_evidence(job.get("env"), "job env")
            job_dir = _scalar(job.path("defaults", "run", "working-directory")) or workflow_dir
            result = Job(job_id, _approving_environment(job.get("environment")), key, evidence)
            steps = job.get("steps")
            for index, step in enumerate(steps.elements() if steps is not None else []):
                child = children.get(f"jobs.{job_id}.steps[{index}].run")
                if child is None or not isinstance(child, ShellDocument):
                    continue
                step_dir = _scalar(step.get("working-directory")) or job_dir
                step_evidence = variables_evidence(step.get("env"), "step env")
                if step_dir and names_production(step_dir):
                    step_evidence.append(f"working-directory {step_dir}")
                result.scripts.append(Script(child, step_evidence))
            yield result


# --------------------------------------------------------------------------- GitLab CI


def gitlab_jobs(doc: TreeDocument) -> Iterator[Job]:
    children = {c.context: c for c in doc.children if isinstance(c, ShellDocument)}
    for root in doc.roots:
        if not root.is_map:
            continue
        global_vars = variables_evidence(root.get("variables"), "global variables")
        for name, key, job in root.items():
            if name in GLOBAL_KEYWORDS or name.startswith(".") or not job.is_map:
                continue
            evidence = [f"job `{name}`"] if names_production(name) else []
            stage = _scalar(_inherited(root, job, "stage"))
            if stage and names_production(stage):
                evidence.append(f"stage `{stage}`")
            evidence += global_vars + variables_evidence(_inherited(root, job, "variables"), "job variables")
            result = Job(name, _gitlab_approval(root, job), key, evidence)
            for key in ("before_script", "script"):
                owner = _owner(root, name, job, key)
                child = children.get(f"{owner}.{key}") if owner else None
                if isinstance(child, ShellDocument):
                    result.scripts.append(Script(child, inherited_from=owner if owner != name else None))
            yield result


def _gitlab_approval(root: Node, job: Node) -> str | None:
    if _scalar(_inherited(root, job, "when")) == "manual":
        return "`when: manual`"
    rules = _inherited(root, job, "rules")
    if rules is not None and rules.is_seq:
        running = [_scalar(r.get("when")) or "on_success" for r in rules.elements() if r.is_map]
        running = [w for w in running if w != "never"]
        if running and all(w == "manual" for w in running):
            return "`when: manual` in every rule"
    return _approving_environment(_inherited(root, job, "environment"))


def _extends(job: Node) -> list[str]:
    node = job.get("extends")
    if node is None:
        return []
    return [_scalar(n) for n in node.elements()] if node.is_seq else [_scalar(node)]


def _inherited(root: Node, job: Node, key: str, depth: int = 0) -> Node | None:
    """``key`` of a job, else of the jobs it ``extends`` (the last one listed wins)."""
    value = job.get(key)
    if value is not None or depth > _MAX_EXTENDS:
        return value
    for parent_name in reversed(_extends(job)):
        parent = root.get(parent_name)
        if parent is not None and parent.is_map:
            found = _inherited(root, parent, key, depth + 1)
            if found is not None:
                return found
    return None


def _owner(root: Node, name: str, job: Node, key: str, depth: int = 0) -> str | None:
    """The job (itself or a template it extends) whose ``key`` script it runs."""
    if job.get(key) is not None:
        return name
    if depth > _MAX_EXTENDS:
        return None
    for parent_name in reversed(_extends(job)):
        parent = root.get(parent_name)
        if parent is not None and parent.is_map:
            owner = _owner(root, parent_name, parent, key, depth + 1)
            if owner is not None:
                return owner
    if depth == 0 and key == "before_script" and root.path("default", "before_script") is not None:
        return "default"
    return None
