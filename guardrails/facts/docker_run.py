"""``docker run`` (and ``docker container run``, ``docker create``, ``podman run``) read
as Docker reads it: options, the image, and the command given to the container.

Options that take no value are listed; any other option takes the next word (or its
``=value``), which is how the docker CLI parses them.

``--env-file`` files are read where a reviewer finds them: a relative path is looked up
beside the script and at the repository root (the two places a script is run from), and
used when exactly one file answers; a path with variables, an absolute path, a script that
changes directory first (other than to its own, ``cd "$(dirname "$0")"``), or a name found in
both places naming different files, is unknown. ``-e`` overrides the files, as in the CLI.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from guardrails.documents import DotenvDocument, ShellCommand, ShellDocument, Word
from guardrails.facts.container_start import ContainerStart, Flag, Published
from guardrails.facts.network import PortSpec, parse_port_spec
from guardrails.model import ParseError
from guardrails.project import Project
from guardrails.records import Record

_BOOLEAN = frozenset(
    {
        "-d",
        "--detach",
        "-i",
        "--interactive",
        "-t",
        "--tty",
        "--rm",
        "-P",
        "--publish-all",
        "--privileged",
        "--init",
        "--read-only",
        "--sig-proxy",
        "--no-healthcheck",
        "--oom-kill-disable",
        "-q",
        "--quiet",
        "--help",
        "--use-api-socket",
    }
)
_RUNNERS = {"docker", "podman", "nerdctl"}
# The programs ``docker_run`` and ``compose_command`` read: a script naming none runs no container.
CONTAINER_PROGRAMS = frozenset({*_RUNNERS, "docker-compose"})


class DockerRun(Record):
    """One container start: ``publish`` holds (spec, word) for each ``-p``."""

    __slots__ = ("args", "command", "env", "env_files", "host_network", "image", "publish", "publish_all")

    def __init__(
        self,
        command: ShellCommand,
        image: Word,
        args: list[str],
        publish: list[tuple[PortSpec, Word]] | None = None,
        publish_all: Word | None = None,
        host_network: Word | None = None,
        env: dict[str, tuple[str | None, Word]] | None = None,
        env_files: list[Word] | None = None,
    ) -> None:
        self.command = command
        self.image = image
        self.args = args
        self.publish: list[tuple[PortSpec, Word]] = [] if publish is None else publish
        self.publish_all = publish_all
        self.host_network = host_network
        self.env: dict[str, tuple[str | None, Word]] = {} if env is None else env
        self.env_files: list[Word] = [] if env_files is None else env_files

    @property
    def container_ports(self) -> list[int]:
        """The single container ports ``-p`` publishes (ranges name no service)."""
        return [spec.container[0] for spec, _ in self.publish if spec.container[0] == spec.container[1]]


def _subcommand_start(cmd: ShellCommand) -> int | None:
    """Index in ``cmd.args`` just after ``run``/``container run``/``create``, else None."""
    if cmd.command not in _RUNNERS:
        return None
    argv = cmd.argv
    i = 0
    # global options before the subcommand (``docker --context x run``)
    while i < len(argv) and argv[i].startswith("-"):
        i += 1 if "=" in argv[i] or argv[i] in ("-D", "--debug", "--tls", "--tlsverify") else 2
    if i < len(argv) and argv[i] == "container":
        i += 1
    if i < len(argv) and argv[i] in ("run", "create"):
        return i + 1
    return None


def docker_run(cmd: ShellCommand) -> DockerRun | None:
    start = _subcommand_start(cmd)
    if start is None:
        return None
    words = cmd.args
    found: DockerRun | None = None
    publish: list[tuple[PortSpec, Word]] = []
    publish_all = host_network = None
    env: dict[str, tuple[str | None, Word]] = {}
    env_files: list[Word] = []
    i = start
    while i < len(words):
        word = words[i]
        text = word.value
        if text == "--":
            i += 1
            break
        if not text.startswith("-") or text == "-":
            break
        name, eq, attached = text.partition("=")
        if not eq and text.startswith("-") and not text.startswith("--") and len(text) > 2:
            if all(f"-{c}" in _BOOLEAN for c in text[1:]):  # -dit
                if "P" in text[1:]:
                    publish_all = word
                i += 1
                continue
            name, attached, eq = text[:2], text[2:], "="  # -p27017:27017
        if name in _BOOLEAN:
            if name in ("-P", "--publish-all"):
                publish_all = word
            i += 1
            continue
        value_word = word if eq else (words[i + 1] if i + 1 < len(words) else None)
        value = attached if eq else (value_word.value if value_word is not None else "")
        i += 1 if eq else 2
        if value_word is None:
            break
        if name in ("-p", "--publish"):
            spec = parse_port_spec(value) if value_word.static else None
            if spec is not None:
                publish.append((spec, word))
        elif name in ("--network", "--net") and value == "host":
            host_network = word
        elif name in ("-e", "--env"):
            key, sep, val = value.partition("=")
            env[key] = (val if sep and value_word.static else None, word)
        elif name == "--env-file":
            env_files.append(value_word)
    if i < len(words):
        image = words[i]
        found = DockerRun(cmd, image, [w.value for w in words[i + 1 :]], publish, publish_all, host_network, env)
        found.env_files = env_files
    return found


class RunEnvironment(Record):
    """The container's variables: ``values`` by name, the word that sets each (its ``-e``, or
    the ``--env-file`` naming the file), the file and line of those from a file, and the
    ``--env-file`` words whose file is unknown."""

    __slots__ = ("sources", "unknown", "values", "words")

    def __init__(
        self,
        values: dict[str, str | None] | None = None,
        words: dict[str, Word] | None = None,
        sources: dict[str, str] | None = None,
        unknown: list[Word] | None = None,
    ) -> None:
        self.values: dict[str, str | None] = {} if values is None else values
        self.words: dict[str, Word] = {} if words is None else words
        self.sources: dict[str, str] = {} if sources is None else sources
        self.unknown: list[Word] = [] if unknown is None else unknown


def container_start(run: DockerRun, env: RunEnvironment) -> ContainerStart:
    """The start ``run`` asks the engine for, with the variables ``environment`` read."""
    words = run.command.args
    after_image = words[next(i for i, w in enumerate(words) if w is run.image) + 1 :]
    return ContainerStart(
        f"`docker run` of {run.image.value}",
        "docker-run",
        run.image.value,
        run.args,
        env.values,
        [Published(spec, word.span) for spec, word in run.publish],
        Flag(run.publish_all.span, "-P") if run.publish_all is not None else None,
        Flag(run.host_network.span, "--network host") if run.host_network is not None else None,
        [f"--env-file {', '.join(word.value for word in env.unknown)}"] if env.unknown else [],
        env.sources,
        env_spans={key: word.span for key, word in env.words.items()},
        arg_spans=[word.span if word.static else None for word in after_image],
    )


def environment(run: DockerRun, doc: ShellDocument, project: Project) -> RunEnvironment:
    found = RunEnvironment()
    for word in run.env_files:
        env_doc = env_file(word, run.command, doc, project)
        if env_doc is None:
            found.unknown.append(word)
            continue
        for entry in env_doc.entries:
            found.values[entry.key] = entry.value
            found.words[entry.key] = word
            found.sources[entry.key] = f"{env_doc.path}:{entry.value_span.line}"
    for key, (value, word) in run.env.items():
        found.values[key] = value
        found.words[key] = word
        found.sources.pop(key, None)
    return found


def env_file(word: Word, cmd: ShellCommand, doc: ShellDocument, project: Project) -> DotenvDocument | None:
    """The file an ``--env-file`` word names, when one place answers (see the module's note)."""
    path = script_path(word, cmd, doc, project)
    return _dotenv(path, project) if path is not None else None


def script_path(word: Word, cmd: ShellCommand, doc: ShellDocument, project: Project) -> Path | None:
    """The file a relative path of a command names, when one place answers (see the module's note)."""
    if not word.static or not word.value or PurePosixPath(word.value).is_absolute():
        return None
    places = working_directories(cmd, doc, project)
    found = {(place / word.value).resolve() for place in places if project.read_bytes(place / word.value) is not None}
    return found.pop() if len(found) == 1 else None


def working_directories(cmd: ShellCommand, doc: ShellDocument, project: Project) -> list[Path]:
    """Where ``cmd`` may run from: the script's directory and the repository root, only the
    script's directory after ``cd "$(dirname "$0")"``, nowhere known after another ``cd``."""
    script_dir = (project.cwd / doc.host.path).parent
    places = [script_dir, project.root]
    for earlier in doc.commands:
        if earlier.index >= cmd.index or earlier.command != "cd":
            continue
        if "dirname" in earlier.text and ("$0" in earlier.text or "BASH_SOURCE" in earlier.text):
            places = [script_dir]
        else:
            return []
    return places


def _dotenv(path: Path, project: Project) -> DotenvDocument | None:
    """An env file as the CLI reads it (``KEY=value`` lines), whatever its name."""
    from guardrails.model import Kind
    from guardrails.parsers import dotenv

    doc = project.document(path)
    if isinstance(doc, DotenvDocument):
        return doc
    text = project.read_as(path, Kind.DOTENV)  # Docker refuses an env file that is not UTF-8
    if text is None:
        return None
    try:
        return dotenv.parse(project.display_of(path), text, Kind.DOTENV)
    except ParseError:
        return None


class ComposeCommand(Record):
    """``docker compose`` (or ``docker-compose``) with its ``-f`` files and ``--env-file``s."""

    __slots__ = ("command", "env_files", "files")

    def __init__(self, command: ShellCommand, files: list[Word], env_files: list[Word]) -> None:
        self.command = command
        self.files = files
        self.env_files = env_files


def compose_command(cmd: ShellCommand) -> ComposeCommand | None:
    """The project options before the subcommand (compose's global flags)."""
    argv = cmd.args
    if cmd.command == "docker-compose":
        i = 0
    elif cmd.command in _RUNNERS and argv and argv[0].value == "compose":
        i = 1
    else:
        return None
    found = ComposeCommand(cmd, [], [])
    while i < len(argv) and argv[i].value.startswith("-"):
        name, eq, _ = argv[i].value.partition("=")
        value = argv[i] if eq else (argv[i + 1] if i + 1 < len(argv) else None)
        if value is not None and name in ("-f", "--file", "--env-file"):
            if eq:
                value = Word(value.text, value.value.split("=", 1)[1], value.static, value.span)
            (found.env_files if name == "--env-file" else found.files).append(value)
        i += 1 if eq or name in _COMPOSE_FLAGS else 2
    return found


# compose's global options that take no value.
_COMPOSE_FLAGS = frozenset({"--compatibility", "--dry-run", "--all-resources", "--verbose", "--help", "-h"})


_WRAPPERS = {"exec", "nohup", "command", "time", "nice", "setsid", "tini", "dumb-init", "docker-entrypoint.sh"}
_USER_WRAPPERS = {"gosu", "su-exec", "chpst"}


def unwrap(words: list[str]) -> list[str]:
    """The command a wrapper runs: ``exec``/``sudo -u x``/``gosu user``/``env A=1`` removed."""
    i = 0
    while i < len(words):
        base = words[i].rsplit("/", 1)[-1]
        if base in _WRAPPERS:
            i += 1
            while i < len(words) and words[i].startswith("-") and words[i] != "--":
                i += 1
            if i < len(words) and words[i] == "--":
                i += 1
        elif base in _USER_WRAPPERS:
            i += 2
        elif base == "sudo":
            i += 1
            while i < len(words) and words[i].startswith("-"):
                i += 2 if words[i] in ("-u", "-g", "-C", "-D") else 1
        elif base == "env":
            i += 1
            while i < len(words) and ("=" in words[i] or words[i].startswith("-")):
                i += 1
        else:
            break
    return words[i:]
