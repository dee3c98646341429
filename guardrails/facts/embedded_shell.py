"""Where other formats hold shell scripts that their tool runs, and what their template
language puts into those scripts before a shell sees them.

Read by guardrails.embedded (which snippets become shell documents) and by the shell
rules (what a Terraform interpolation in a script can stand for).
"""

from __future__ import annotations

# Terraform attributes whose string is a script run on the machine the resource creates.
# ``user_data`` is a script only when it starts with a shell ``#!`` line (it may also be
# cloud-init YAML, ``#cloud-config``, or a MIME multipart document); Google's
# ``metadata_startup_script`` is always run by the guest's shell.
# Sources: AWS provider docs for aws_instance / aws_launch_template (user_data),
# Google provider docs for google_compute_instance (metadata_startup_script).
TERRAFORM_SCRIPT_ATTRIBUTES: dict[str, bool] = {
    # attribute: needs a shell shebang to count as a script
    "user_data": True,
    "metadata_startup_script": False,
}

# Terraform references that are never empty in a rendered template: filesystem paths
# and the workspace name (Terraform docs, "References to Named Values"), a count index.
NEVER_EMPTY_REFERENCES = ("path.module", "path.root", "path.cwd", "terraform.workspace", "count.index")


def never_empty(template: str) -> bool:
    """A template placeholder that never renders empty: a Terraform reference above, or a Jinja
    expression of an Ansible task (Ansible fails the task on an undefined variable,
    ``DEFAULT_UNDEFINED_VAR_BEHAVIOR``, instead of writing nothing)."""
    if template.startswith("{{"):
        return True
    return template[2:-1].strip() in NEVER_EMPTY_REFERENCES
