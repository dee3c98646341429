"""Whether a container of a datastore image runs the datastore, or a client of one.

Images are used as toolboxes: a Job that loads a schema with ``psql``, a CronJob that runs
``pg_dump``, a compose service that waits with ``redis-cli ping``. The official images'
entrypoints (docker-library's ``docker-entrypoint.sh`` for postgres, mysql, mariadb, mongo and
redis; Bitnami's ``entrypoint.sh``) set up and start the server only when the command is the
server (or starts with a flag); any other command is executed as it is. A Kubernetes
``command`` replaces the entrypoint altogether. So a container whose command is a client
program (``CLIENT_PROGRAMS``), or a shell script that names no server program and no
entrypoint, serves nothing: its password variables are a client's, and nothing listens on
its ports.

The script is read, never run: each command it runs is a known program, or a script file that
the pod mounts from a ConfigMap (read as well), or the answer is unknown and the container is
taken for the server, as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING

from guardrails.documents import ShellDocument
from guardrails.facts.datastores import CLIENT_PROGRAMS, ENTRYPOINT_PROGRAMS, Datastore, server_programs
from guardrails.facts.shells import SHELL_INTERPRETERS, program_name
from guardrails.model import Kind, ParseError

if TYPE_CHECKING:
    from guardrails.documents import ShellCommand, Word

_MAX_DEPTH = 4
# Commands that run their first argument as a program.
_WRAPPERS = frozenset({"exec", "command", "nohup", "env", "gosu", "su-exec", "chroot", "timeout", "nice"})


def runs_server(
    words: list[str], files: Callable[[], Mapping[str, str]] | None = None, extra: Iterable[Datastore] = ()
) -> bool:
    """False when ``words`` (the container's entrypoint and command as the runtime joins
    them) are known to start no server; ``files`` gives the mounted paths' texts, asked only
    when the command is a shell (most containers run their program directly)."""
    if not words:
        return True
    program = program_name(words[0])
    if program in CLIENT_PROGRAMS:
        return False
    if program not in SHELL_INTERPRETERS:
        return True
    servers = _servers(tuple(extra))
    mounted = files() if files is not None else {}
    script = _shell_script(words[1:], mounted)
    return script is None or _script_serves(script, mounted, servers, 0)


@lru_cache(maxsize=16)
def _servers(extra: tuple[Datastore, ...]) -> frozenset[str]:
    """The programs that start a datastore, once per set of configured datastores (not once
    per container)."""
    return server_programs(extra) | ENTRYPOINT_PROGRAMS


def _shell_script(args: list[str], files: Mapping[str, str]) -> str | None:
    """The text a shell runs: the ``-c`` string, or a mounted file given as its operand."""
    for i, word in enumerate(args):
        if word.startswith("-") and not word.startswith("--") and "c" in word[1:]:
            return " ".join(args[i + 1 : i + 2]) if i + 1 < len(args) else None
        if not word.startswith("-"):
            return files.get(word)
    return None


def _static(doc: ShellDocument, cmd: ShellCommand, word: Word) -> str:
    """A word's value, a lone ``$VAR`` read from the script's own literal assignment."""
    from guardrails.facts.destructive_shell import latest_static_value
    from guardrails.facts.shell_guards import parameter

    if not word.expansions:
        return word.value
    param = parameter(word.expansions[0]) if word.value == word.expansions[0] else None
    value = latest_static_value(doc, cmd, param.name) if param is not None and not param.op else None
    return value or ""


def _arithmetic(lines: list[str], cmd: ShellCommand) -> bool:
    """The shell grammar reads a nested ``$(( a * $(( b )) ))`` as a command substitution of a
    subshell: a "command" opened by ``((`` is arithmetic, whose value is a number, never a program."""
    if cmd.name is None or not 0 < cmd.name.span.line <= len(lines):
        return False
    before = lines[cmd.name.span.line - 1][: cmd.name.span.column - 1].rstrip()
    return cmd.name.value.startswith("$((") or before.endswith("((")


def _script_serves(text: str, files: Mapping[str, str], servers: frozenset[str], depth: int) -> bool:
    from guardrails.parsers import parse

    if depth >= _MAX_DEPTH:
        return True
    try:
        doc = parse("container-command.sh", text, Kind.SHELL)
    except ParseError:
        return True
    if not isinstance(doc, ShellDocument):
        return True
    lines = text.splitlines()
    for cmd in doc.commands:
        if _arithmetic(lines, cmd):
            continue
        words = [cmd.command, *cmd.argv]
        while words and words[0] in _WRAPPERS:
            words = [w for w in words[1:] if not w.startswith("-")]
        name = words[0] if words else ""
        if not name or "$" in name or name == "eval" or program_name(name) in servers:
            return True  # a program chosen at run time, or the server itself
        if any(program_name(w) in servers for w in words):
            return True  # `su postgres -c postgres`, `sh -c "docker-entrypoint.sh ..."`
        inner: str | None = None
        if program_name(name) in SHELL_INTERPRETERS:
            inner = _shell_script(words[1:], files)
        elif name in (".", "source"):
            inner = files.get(_static(doc, cmd, cmd.args[0])) if cmd.args else None
        elif cmd.name is not None and "/" in cmd.name.value:
            inner = files.get(_static(doc, cmd, cmd.name))  # a script run by its path
        else:
            continue
        if inner is None or _script_serves(inner, files, servers, depth + 1):
            return True
    return False
