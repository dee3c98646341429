"""terraform destroy / apply -destroy with -auto-approve."""

from __future__ import annotations

from guardrails.facts.destructive_incidents import AWS_ELB_2012
from guardrails.facts.destructive_shell import ShellDestructiveRule
from guardrails.model import Category, Kind, Severity
from guardrails.rule import Bad, Good


class ShellTerraformDestroy(ShellDestructiveRule):
    id = "DO007"
    name = "shell-terraform-destroy-auto-approve"
    title = "Script runs terraform destroy with -auto-approve, not kept away from production"
    category = Category.DESTRUCTIVE_OPERATION
    severity = Severity.HIGH
    kinds = frozenset({Kind.SHELL})
    incidents = (AWS_ELB_2012,)
    pattern = "terraform-destroy"
    rationale = (
        "`terraform destroy` (or `apply -destroy`) deletes every resource of the state it is pointed at; "
        "`-auto-approve` removes the one moment a human sees the plan. AWS's ELB state was deleted by a "
        "maintenance process run against production by mistake, and AWS answered by requiring approval for "
        "production changes. The workspace, backend or credentials decide the target, and nothing in the "
        "command line shows which. Also matches OpenTofu (`tofu`) and Terragrunt. Not reported: the tear-down "
        "of an install test, a destroy of the `-chdir` directory the same script applied earlier in its flow "
        "(no workspace switch or init in between), which removes what that apply made."
    )
    remediation = (
        'Drop `-auto-approve`, or run it only where production is excluded: `[ "$TF_WORKSPACE" = prod ] && exit 1`, '
        "a `case` on the workspace that lists the disposable ones, or a CI job with a protected environment. "
        "Set `prevent_destroy` on stateful resources."
    )
    bad = (
        Bad("scripts/teardown.sh", "#!/bin/sh\nterraform -chdir=infra destroy -auto-approve\n", 2),
        Bad("scripts/teardown2.sh", "#!/bin/sh\ntofu apply -destroy -auto-approve -var-file=env.tfvars\n", 2),
    )
    good = (
        Good("scripts/teardown.sh", "#!/bin/sh\nterraform destroy\n", note="interactive approval"),
        Good(
            "scripts/teardown.sh",
            '#!/bin/sh\ncase "$TF_WORKSPACE" in\n  review-*|dev) terraform destroy -auto-approve ;;\n'
            '  *) echo "not destroying $TF_WORKSPACE" >&2; exit 1 ;;\nesac\n',
            note="only disposable workspaces",
        ),
        Good(
            "scripts/smoke.sh",
            "#!/bin/sh\nterraform -chdir=stack apply -auto-approve\n./check.sh\n"
            "terraform -chdir=stack destroy -auto-approve\n",
            note="tears down what the script applied",
        ),
        Good("scripts/plan.sh", "#!/bin/sh\nterraform plan -destroy -out=destroy.plan\n", note="a plan only"),
    )
