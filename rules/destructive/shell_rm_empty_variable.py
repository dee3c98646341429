"""rm -rf "$VAR/"… where an empty VAR turns the path into one under / (ShellCheck SC2115)."""

from __future__ import annotations

from guardrails.facts.destructive_incidents import STEAM_2015
from guardrails.facts.destructive_shell import DATA_OPTIONS, DEFAULT_ALWAYS_SET, ShellDestructiveRule
from guardrails.facts.shell_guards import GUARD_OPTIONS
from guardrails.model import Category, Kind, Severity
from guardrails.rule import Bad, Good, Option


class ShellRmEmptyVariable(ShellDestructiveRule):
    id = "DO006"
    name = "shell-rm-unset-variable-path"
    title = "Recursive rm of a path that starts with a variable which may be empty"
    category = Category.DESTRUCTIVE_OPERATION
    severity = Severity.HIGH
    kinds = frozenset({Kind.SHELL})
    incidents = (STEAM_2015,)
    pattern = "rm-empty-variable"
    missing = "protect it with ${VAR:?}, set -u, or a test that the variable is set"
    options = {
        **GUARD_OPTIONS,
        **DATA_OPTIONS,
        "always_set_variables": Option(DEFAULT_ALWAYS_SET, "variables the shell or CI runner always sets"),
    }
    rationale = (
        'Steam for Linux ran `rm -rf "$STEAMROOT/"*`; when STEAMROOT came out empty the command became '
        "`rm -rf /*` and deleted users' files (ShellCheck SC2115). A recursive rm of `$VAR/…` is safe only when "
        "the script makes sure VAR is set: `${VAR:?}`, a non-empty default `${VAR:-/tmp/x}`, `set -u` (or "
        "`set -o nounset`), a literal assignment earlier, a for-loop variable, or a test of VAR around the "
        "command or before an exit. HOME, PWD and the CI workspace variables are always set and left out; "
        "Dockerfile RUN steps and Makefile recipes (make expands `${VAR}` itself) are not checked."
    )
    remediation = (
        'Write `rm -rf "${VAR:?}/"*` (the shell stops with an error when VAR is empty or unset), or start the '
        'script with `set -u`, or test the variable first: `[ -n "$VAR" ] || exit 1`.'
    )
    bad = (
        Bad("steam.sh", '#!/bin/bash\nSTEAMROOT="$(cd "${0%/*}" && echo $PWD)"\nrm -rf "$STEAMROOT/"*\n', 3),
        Bad("cleanup.sh", "#!/bin/sh\nrm -rf $1/cache\n", 2, note="a positional parameter"),
    )
    good = (
        Good("steam.sh", '#!/bin/bash\nrm -rf "${STEAMROOT:?}/"*\n'),
        Good("cleanup.sh", '#!/bin/bash\nset -euo pipefail\nrm -rf "$BUILD_DIR/"*\n', note="set -u"),
        Good("cleanup.sh", '#!/bin/sh\nrm -rf "${DIR:-/tmp/x}"/*\n', note="non-empty default"),
        Good("cleanup.sh", '#!/bin/sh\n[ -n "$OUT" ] || exit 1\nrm -rf "$OUT"/*\n', note="tested before"),
        Good("cleanup.sh", '#!/bin/sh\nOUT=/srv/out\nrm -rf "$OUT"/*\nrm -rf ./build\n', note="literal value"),
        Good("cleanup.sh", '#!/bin/sh\nfor d in */; do\n  rm -rf "$d/node_modules"\ndone\n', note="loop variable"),
    )
