"""Variable files kept outside a Terraform module's directory, and the module each belongs to.

A ``.tfvars`` file beside the module's ``.tf`` files is the module's (``facts.terraform``
reads those). One kept elsewhere (``envs/prod.tfvars``, ``environments/production/
terraform.tfvars``) belongs to the module a command applies it to: ``terraform plan|apply
-var-file=...`` in a shell script, a Makefile recipe or a CI step, with the directory the
command runs in (``-chdir``, an earlier ``cd``, the step's ``working-directory``). A
command whose directory cannot be told (a script may be run from its own directory or
from the repository root, and the two give different modules) binds nothing. Without a
command, only a layout that leaves no doubt binds a file: an ``env``/``envs``/
``environments``/``vars`` directory inside the module's own directory (and its
per-environment subdirectories), which no other module can reach. docs/terraform.md.
"""

from __future__ import annotations

import posixpath

from guardrails.documents import ShellCommand, ShellDocument, TreeDocument
from guardrails.model import Document, Kind, Node
from guardrails.project import Project
from guardrails.records import Frozen

TERRAFORM = frozenset({"terraform", "tofu"})
#: Subcommands that read variable files.
_READS_VARIABLES = frozenset({"plan", "apply", "destroy", "refresh", "import", "console"})
_VAR_SUFFIXES = (".tfvars", ".tfvars.json")
_SCRIPTS = (".sh", ".bash", ".mk", "Makefile", "makefile", "GNUmakefile")
_WORKFLOWS = (".yml", ".yaml")
#: Directories inside a module that hold its per-environment variable files by convention
#: (``workspaces/``: one file per Terraform workspace, applied with
#: ``-var-file=workspaces/$(terraform workspace show).tfvars``).
ENVIRONMENT_DIRECTORIES = frozenset({"env", "envs", "environments", "vars", "tfvars", "workspaces"})


class VarFile(Frozen):
    """A variable file bound to a module: its display path and what binds it
    (``-var-file in deploy.sh:12``, or the layout)."""

    path: str
    via: str


def var_files(directory: str, project: Project) -> list[VarFile]:
    """The variable files outside ``directory`` (a module) that commands or its layout bind to it."""
    found = list(_by_commands(project).get(directory, ()))
    found += _by_layout(directory, project)
    seen: set[str] = set()
    return [f for f in found if not (f.path in seen or seen.add(f.path))]  # type: ignore[func-returns-value]


def _by_layout(directory: str, project: Project) -> list[VarFile]:
    """Only the environment directories the module has are read: asking for each conventional
    name in turn cost a dozen system calls per module, for directories that mostly do not exist."""
    found: list[VarFile] = []
    for holder in project.subdirectories(project.cwd / directory, linked=ENVIRONMENT_DIRECTORIES):
        if holder.name not in ENVIRONMENT_DIRECTORIES:
            continue
        found += [VarFile(project.display_of(p), "layout") for p in project.directory_files(holder, _VAR_SUFFIXES)]
        for sub in project.subdirectories(holder):
            if not project.directory_files(sub, (".tf", ".tf.json")):  # a root module of its own
                found += [VarFile(project.display_of(p), "layout") for p in project.directory_files(sub, _VAR_SUFFIXES)]
    return found


def _by_commands(project: Project) -> dict[str, list[VarFile]]:
    """Module directory -> the variable files the repository's commands pass to it, built once per scan."""

    def build() -> dict[str, list[VarFile]]:
        found: dict[str, list[VarFile]] = {}
        root = project.display_of(project.root)
        paths = project.walk(_SCRIPTS)
        for ci in (project.root / ".github" / "workflows",):
            paths += project.directory_files(ci, _WORKFLOWS)
        paths += project.directory_files(project.root, (".gitlab-ci.yml", ".gitlab-ci.yaml"))
        for path in paths:
            data = project.read_bytes(path)
            if not data or b"-var-file" not in data:
                continue
            doc = project.document(path)
            if doc is None:
                continue
            for module, var_file in _commands(doc, root, project):
                found.setdefault(module, []).append(var_file)
        return found

    return project.repository_fact(("terraform-var-files",), build)


def _commands(doc: Document, root: str, project: Project) -> list[tuple[str, VarFile]]:
    """(module directory, variable file) for each ``-var-file`` of ``doc``'s Terraform commands."""
    here = posixpath.dirname(doc.path) or "."
    found = []
    for script in doc.iter_tree():
        if not isinstance(script, ShellDocument):
            continue
        if doc.kind is Kind.SHELL:
            bases = sorted({here, root})  # run from its own directory or from the root: both are tried
        elif doc.kind is Kind.MAKEFILE:
            bases = [here]
        else:
            step = _working_directory(doc, script.context)
            bases = [posixpath.normpath(posixpath.join(root, step))] if step is not None else []
        found += _resolved(script, bases, project)
    return found


def _resolved(script: ShellDocument, bases: list[str], project: Project) -> list[tuple[str, VarFile]]:
    """The bindings of the one base that gives any, or that every base agrees on (a script read
    differently from two bases binds nothing)."""
    readings = [found for base in bases if (found := _bindings(script, base, project))]
    if not readings or any(r != readings[0] for r in readings[1:]):
        return []
    return [(module, VarFile(path, f"-var-file in {script.host.path}:{line}")) for module, path, line in readings[0]]


def _bindings(script: ShellDocument, base: str, project: Project) -> list[tuple[str, str, int]]:
    """(module, variable file, line) of the script's Terraform commands when run from ``base``;
    only pairs whose module holds ``.tf`` files and whose variable file exists."""
    cwd: str | None = base
    found = []
    for command in script.commands:
        if command.command == "cd":
            words = command.args
            target = words[-1] if words and words[-1].static else None
            cwd = posixpath.normpath(posixpath.join(cwd, target.value)) if cwd is not None and target else None
            continue
        if command.command not in TERRAFORM or cwd is None:
            continue
        parsed = _terraform_args(command)
        if parsed is None:
            continue
        chdir, files = parsed
        module = posixpath.normpath(posixpath.join(cwd, chdir)) if chdir else cwd
        line = script.host_span(command.span).line
        for name in files:
            path = posixpath.normpath(posixpath.join(module, name))
            inside = posixpath.dirname(path) == module  # a sibling file: the module's own already
            if not inside and _is_module(module, project) and project.read_bytes(project.cwd / path) is not None:
                found.append((module, path, line))
    return found


def _terraform_args(command: ShellCommand) -> tuple[str | None, list[str]] | None:
    """(``-chdir`` directory, ``-var-file`` paths) of a command that reads variables; None when
    a word that matters is not static."""
    chdir: str | None = None
    files: list[str] = []
    words = command.args
    sub = None
    i = 0
    while i < len(words):
        word = words[i]
        text = word.value
        flag, eq, value = text.lstrip("-").partition("=")
        if text.startswith("-") and flag in ("chdir", "var-file"):
            if not eq:
                i += 1
                if i >= len(words):
                    return None
                value, word = words[i].value, words[i]
            if not word.static:
                return None
            if flag == "chdir":
                chdir = value
            else:
                files.append(value)
        elif sub is None and not text.startswith("-"):
            sub = text
        i += 1
    if sub not in _READS_VARIABLES or not files:
        return None
    return chdir, files


def _is_module(directory: str, project: Project) -> bool:
    return bool(project.directory_files(project.cwd / directory, (".tf", ".tf.json")))


def _working_directory(doc: Document, context: str) -> str | None:
    """A CI step's directory relative to the repository root: GitHub's ``working-directory``
    (step, job, workflow defaults); GitLab runs at the root. None when not static."""
    if doc.kind is Kind.GITLAB_CI:
        return "."
    if not isinstance(doc, TreeDocument) or not context.startswith("jobs."):
        return None
    job_id, _, rest = context[len("jobs.") :].partition(".steps[")
    index = rest.split("]", 1)[0]
    position = int(index) if index.isdigit() else -1
    for root in doc.roots:
        job = root.path("jobs", job_id)
        steps = job.get("steps") if job is not None else None
        items = steps.elements() if steps is not None else []
        step = items[position] if 0 <= position < len(items) else None
        for node in (
            step.get("working-directory") if step is not None else None,
            job.path("defaults", "run", "working-directory") if job is not None else None,
            root.path("defaults", "run", "working-directory"),
        ):
            if node is not None:
                return _static(node)
        return "."
    return None


def _static(node: Node) -> str | None:
    text = node.text if node.is_scalar else ""
    return text if text and "${{" not in text and "$" not in text else None
