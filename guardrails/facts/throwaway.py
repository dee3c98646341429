"""Names a script makes for itself: dropping them destroys nothing anyone else holds.

A destructive command is about someone's data only when its target existed before the
script ran. Two kinds of target did not (docs/guards.md, "Throwaway names"):

* a name built from something unique to the run or the pull request: a PR number or a
  CI run id (``pr-$PR_NUMBER``, ``pr-${{ github.event.number }}``), or a random part
  (``$RANDOM``, ``$(uuidgen)``, ``$(mktemp -u)``), directly or through a variable the
  script assigned from one (``DB=app_$RANDOM`` ... ``dropdb "$DB"``), or through a step
  output of the same GitHub Actions job that its step wrote from one. No database that
  outlives the run is named after its PR or a random number;
* a name the script created itself earlier in the same flow (``createdb "$DB"`` ...
  ``dropdb "$DB"``), as long as no variable in it was reassigned in between. A drop that
  comes before the create (the reset pattern) is not covered: that one deletes what was
  there.

Everything is read from the parsed script: assignments, command order and the words'
expansions. A GitHub Actions ``${{ … }}`` expression is masked before shell parsing, so
it is read back from the workflow file at the word's position.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from guardrails.documents import ShellCommand, ShellDocument, Word
from guardrails.embedded import written_github_expressions
from guardrails.facts.environments import github_jobs_at
from guardrails.facts.shell_guards import commands_within, parameter, scope_of

#: Variables that CI systems set to a value unique to the pull request or the run. Sources:
#: GitLab CI predefined variables (CI_MERGE_REQUEST_IID, CI_PIPELINE_ID/IID, CI_JOB_ID),
#: GitHub Actions default variables (GITHUB_RUN_ID, GITHUB_RUN_NUMBER), Jenkins
#: (CHANGE_ID, BUILD_NUMBER, BUILD_ID), CircleCI (CIRCLE_PR_NUMBER, CIRCLE_BUILD_NUM),
#: Buildkite (BUILDKITE_PULL_REQUEST, BUILDKITE_BUILD_NUMBER), Bitbucket (BITBUCKET_PR_ID,
#: BITBUCKET_BUILD_NUMBER), Azure Pipelines (SYSTEM_PULLREQUEST_PULLREQUESTNUMBER,
#: BUILD_BUILDID), Travis (TRAVIS_PULL_REQUEST, TRAVIS_BUILD_NUMBER); PR_NUMBER and
#: PULL_REQUEST_NUMBER are the names workflows give the PR number themselves. bash's
#: RANDOM and SRANDOM are random.
PER_RUN_VARIABLES = frozenset(
    {
        "PR_NUMBER",
        "PULL_REQUEST_NUMBER",
        "PR_ID",
        "CI_MERGE_REQUEST_IID",
        "CI_MERGE_REQUEST_ID",
        "CI_PIPELINE_ID",
        "CI_PIPELINE_IID",
        "CI_JOB_ID",
        "GITHUB_RUN_ID",
        "GITHUB_RUN_NUMBER",
        "CHANGE_ID",
        "BUILD_NUMBER",
        "BUILD_ID",
        "CIRCLE_PR_NUMBER",
        "CIRCLE_BUILD_NUM",
        "BUILDKITE_PULL_REQUEST",
        "BUILDKITE_BUILD_NUMBER",
        "BITBUCKET_PR_ID",
        "BITBUCKET_BUILD_NUMBER",
        "SYSTEM_PULLREQUEST_PULLREQUESTNUMBER",
        "BUILD_BUILDID",
        "TRAVIS_PULL_REQUEST",
        "TRAVIS_BUILD_NUMBER",
        "RANDOM",
        "SRANDOM",
    }
)
#: GitHub Actions contexts unique to the pull request or the run (docs.github.com, "Contexts").
PER_RUN_GITHUB_EXPRESSIONS = frozenset(
    {
        "github.event.number",
        "github.event.pull_request.number",
        "github.run_id",
        "github.run_number",
        "env.PR_NUMBER",
        "env.PULL_REQUEST_NUMBER",
    }
)
#: Commands whose output is random: a name built from it exists only for this run.
_RANDOM_COMMANDS = frozenset({"uuidgen", "mktemp", "pwgen"})
_RANDOM_FILES = frozenset({"/proc/sys/kernel/random/uuid", "/dev/urandom", "/dev/random"})
_MAX_DEPTH = 4


def per_run(doc: ShellDocument, cmd: ShellCommand, word: Word, depth: int = 0) -> bool:
    """``word`` has a part unique to the run or the PR: a CI id, a random number or a random command."""
    if depth > _MAX_DEPTH:
        return False
    if any(e.startswith(("$(", "`")) for e in word.expansions) and any(
        _random_command(c) for c in commands_within(doc, word.span) if c is not cmd
    ):
        return True
    if _github_per_run(doc, word):
        return True
    return _parameter_per_run(doc, cmd, word, lambda value: per_run(doc, cmd, value, depth + 1))


def created_names(doc: ShellDocument, cmd: ShellCommand, creations: Iterable[tuple[ShellCommand, Word]]) -> set[str]:
    """The names created before ``cmd`` in its flow and still meaning the same thing at ``cmd``.

    ``creations`` are (creating command, name word) pairs; a name is dropped from the set when
    a variable in it is assigned between the creation and ``cmd``.
    """
    names: set[str] = set()
    for creator, word in creations:
        if creator.index >= cmd.index or not scope_of(cmd, creator) or not word.value:
            continue
        variables = {p.name for p in (parameter(e) for e in word.expansions) if p is not None}
        if any(e.startswith(("$(", "`")) for e in word.expansions):
            continue  # a command's output may differ the second time
        changed = any(
            a.name in variables and creator.index < a.index <= cmd.index and scope_of(cmd, a) for a in doc.assignments
        )
        if not changed:
            names.add(word.value)
    return names


def _assigned(doc: ShellDocument, cmd: ShellCommand, name: str) -> Word | None:
    """The value last assigned to ``name`` before ``cmd`` in its flow."""
    value: Word | None = None
    for assignment in doc.assignments:
        if assignment.name == name and scope_of(cmd, assignment):
            value = assignment.value
    return value


def _random_command(cmd: ShellCommand) -> bool:
    if cmd.command in _RANDOM_COMMANDS:
        return True
    if cmd.command == "openssl" and cmd.argv[:1] == ["rand"]:
        return True
    if any(w.value in _RANDOM_FILES for w in cmd.args) or any(r.target in _RANDOM_FILES for r in cmd.redirects):
        return True
    return any(_random_command(upstream) for upstream in cmd.pipe_from)


def _github_per_run(doc: ShellDocument, word: Word) -> bool:
    """A ``${{ … }}`` expression in ``word`` that is per run, read back from the workflow file.

    The masked expression is a run of underscores of its own length in ``word.value``; a
    name cut out of a longer word (SQL in ``psql -c``) counts only when that run is in it
    and no other expression of the word is as long (its mask would hold that run too).
    """
    lengths: dict[int, set[bool]] = {}
    line = doc.host_span(word.span).line
    for written in written_github_expressions(doc, word.span):
        expression = _inside(written)
        per_run_here = expression in PER_RUN_GITHUB_EXPRESSIONS or _step_output_per_run(doc, line, expression)
        lengths.setdefault(len(written), set()).add(per_run_here)
    return any(
        "_" * length in word.value and all(kinds == {True} for other, kinds in lengths.items() if other >= length)
        for length in lengths
    )


#: Where a step writes its outputs (docs.github.com, "Workflow commands": ``$GITHUB_OUTPUT``).
_OUTPUT_FILES = frozenset({"$GITHUB_OUTPUT", "${GITHUB_OUTPUT}"})


def _step_output_per_run(doc: ShellDocument, line: int, expression: str) -> bool:
    """``steps.<id>.outputs.<name>`` of the job that runs ``doc`` (its step at host ``line``)
    is per run: the step ``<id>`` writes ``<name>=…`` to ``$GITHUB_OUTPUT`` (or the older
    ``::set-output name=<name>::…``) from a per-run value (``PR_NUM=${{ github.event.number }}``)."""
    parts = expression.split(".")
    if len(parts) != 4 or parts[0] != "steps" or parts[2] != "outputs":
        return False
    script = _step_script(doc, line, parts[1])
    if script is None:
        return False
    name = parts[3]
    for cmd in script.commands:
        if cmd.command != "echo":
            continue
        to_output = any(r.target.strip('"') in _OUTPUT_FILES for r in cmd.redirects)
        for word in cmd.args:
            legacy = word.value.startswith(f"::set-output name={name}::")
            if legacy or (to_output and word.value.startswith(f"{name}=")):
                return _written_per_run(script, cmd, word, 0)
    return False


def _written_per_run(script: ShellDocument, cmd: ShellCommand, word: Word, depth: int) -> bool:
    """A word of a step's own script holds a per-run value: a per-run expression where it is
    written, a per-run variable, or a variable the script assigned from one."""
    if depth > _MAX_DEPTH:
        return False
    if any(_inside(written) in PER_RUN_GITHUB_EXPRESSIONS for written in written_github_expressions(script, word.span)):
        return True
    return _parameter_per_run(script, cmd, word, lambda value: _written_per_run(script, cmd, value, depth + 1))


def _parameter_per_run(doc: ShellDocument, cmd: ShellCommand, word: Word, assigned: Callable[[Word], bool]) -> bool:
    """A parameter of ``word`` is a per-run variable, or one the script assigned a value that
    ``assigned`` finds per run."""
    for expansion in word.expansions:
        param = parameter(expansion)
        if param is None:
            continue
        if param.name in PER_RUN_VARIABLES:
            return True
        value = _assigned(doc, cmd, param.name)
        if value is not None and assigned(value):
            return True
    return False


def _step_script(doc: ShellDocument, line: int, step_id: str) -> ShellDocument | None:
    """The script of the step with ``id: step_id`` in the workflow job holding ``line``: the
    child document the workflow's parse made of its ``run:`` (None when it is not shell)."""
    host = doc.host
    for job_id, job in github_jobs_at(host, line):
        steps = job.get("steps")
        for index, step in enumerate(steps.elements() if steps is not None else ()):
            found = step.get("id")
            run = step.get("run") if found is not None and found.is_scalar and found.text == step_id else None
            if run is not None and run.is_scalar:
                context = f"jobs.{job_id}.steps[{index}].run"
                script = next((child for child in host.children if child.context == context), None)
                return script if isinstance(script, ShellDocument) else None
    return None


def _inside(written: str) -> str:
    """The expression of a written ``${{ … }}``."""
    return written[3:-2].strip()
