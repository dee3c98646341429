"""``docker run`` (and ``docker container run``, ``docker create``, ``podman run``) read
as Docker reads it: options, the image, and the command given to the container.

Options that take no value are listed; any other option takes the next word (or its
``=value``), which is how the docker CLI parses them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from guardrails.documents import ShellCommand, Word
from guardrails.facts.network import PortSpec, parse_port_spec

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


@dataclass(slots=True)
class DockerRun:
    """One container start: ``publish`` holds (spec, word) for each ``-p``."""

    command: ShellCommand
    image: Word
    args: list[str]
    publish: list[tuple[PortSpec, Word]] = field(default_factory=list)
    publish_all: Word | None = None
    host_network: Word | None = None
    env: dict[str, tuple[str | None, Word]] = field(default_factory=dict)
    env_files: list[Word] = field(default_factory=list)

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
