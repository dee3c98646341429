"""A CI job that applies Terraform to production with nobody approving it."""

from __future__ import annotations

from collections.abc import Iterator

from guardrails.documents import TreeDocument
from guardrails.facts.ci_deploy import auto_approved_runs, github_jobs, gitlab_jobs
from guardrails.facts.destructive_incidents import AWS_ELB_2012
from guardrails.model import Category, Finding, Kind, Severity
from guardrails.rule import Bad, Good, Rule, RuleContext

_GITHUB = (
    "name: infra\non:\n  push:\n    branches: [main]\njobs:\n  {job}:\n    runs-on: ubuntu-latest\n{extra}"
    "    steps:\n      - uses: actions/checkout@v4\n      - run: terraform init\n"
    "      - run: terraform apply -auto-approve -var-file=production.tfvars\n"
)


class CiTerraformProductionAutoApprove(Rule):
    id = "DO060"
    name = "ci-terraform-prod-auto-approve"
    title = "CI job applies Terraform to production with -auto-approve and no approval gate"
    category = Category.DESTRUCTIVE_OPERATION
    severity = Severity.HIGH
    kinds = frozenset({Kind.GITHUB_ACTIONS, Kind.GITLAB_CI})
    incidents = (AWS_ELB_2012,)
    rationale = (
        "In 2012 a maintenance process run against production deleted AWS ELB state; AWS's fix was to "
        "require Change Management approval for production changes. `terraform apply -auto-approve` (or "
        "`destroy`) in a CI job removes the last human look at the plan: whatever the plan deletes is "
        "deleted. Production is recognised from the job's words only: its id, name or stage; `TF_WORKSPACE`/"
        "`ENVIRONMENT`-style variables; the working directory, an earlier `cd` or `terraform workspace "
        "select`; the command's own arguments (`-var-file=prod.tfvars`, `-chdir=envs/production`). A branch "
        "filter alone is not evidence. Approval: a GitHub job-level `environment:` naming production (its "
        "required reviewers live in the repository settings), a GitLab `when: manual` or an `environment:` "
        "naming production (protected environment). An environment given by an expression is trusted. "
        "High for apply, critical for destroy."
    )
    remediation = (
        "Run the production apply in a job with `environment: production` (GitHub, with required reviewers) "
        "or `when: manual` / a protected `environment:` (GitLab), applying the saved plan that was reviewed "
        "(`terraform plan -out tfplan` then `terraform apply tfplan`)."
    )
    bad = (
        Bad(".github/workflows/infra.yml", _GITHUB.replace("{job}", "deploy").replace("{extra}", ""), 11),
        Bad(
            ".gitlab-ci.yml",
            "stages: [deploy]\napply-production:\n  stage: deploy\n  script:\n    - terraform init\n"
            "    - terraform apply -auto-approve\n",
            6,
            note="the job name says production; no when: manual",
        ),
    )
    good = (
        Good(
            ".github/workflows/infra.yml",
            _GITHUB.replace("{job}", "deploy").replace("{extra}", "    environment: production\n"),
            note="the production environment's reviewers approve the job",
        ),
        Good(
            ".github/workflows/infra.yml",
            _GITHUB.replace("{job}", "deploy")
            .replace("{extra}", "")
            .replace("-var-file=production.tfvars", "-var-file=preprod.tfvars"),
            note="pre-production",
        ),
        Good(
            ".gitlab-ci.yml",
            ".apply:\n  script:\n    - terraform apply -auto-approve\napply-prod:\n  extends: .apply\n  when: manual\n",
            note="manual job, script inherited from a template",
        ),
    )

    def check(self, doc: TreeDocument, ctx: RuleContext) -> Iterator[Finding]:  # type: ignore[override]
        jobs = github_jobs(doc) if doc.kind is Kind.GITHUB_ACTIONS else gitlab_jobs(doc)
        gate = "a job-level `environment: production`" if doc.kind is Kind.GITHUB_ACTIONS else "`when: manual`"
        for job in jobs:
            if job.approval is not None:
                continue
            for script, run in auto_approved_runs(job):
                if not run.evidence:
                    continue
                severity = Severity.CRITICAL if run.operation == "destroy" else Severity.HIGH
                inherited = f" (script from `{script.inherited_from}`)" if script.inherited_from else ""
                message = (
                    f"job '{job.name}' runs `{run.normalised}`{inherited} against production "
                    f"({', '.join(run.evidence)}) with no approval gate: add {gate} or a protected production "
                    "environment"
                )
                anchor = f"{job.name}:{run.normalised}"
                if script.inherited_from:
                    # The gate is missing on the job, not on the shared template: report the job.
                    yield self.finding(doc, job.key.span, message, anchor=anchor, ctx=ctx, severity=severity)
                else:
                    span = run.command.span
                    yield self.finding(script.doc, span, message, anchor=anchor, ctx=ctx, severity=severity)
