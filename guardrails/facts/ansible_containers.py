"""Containers started by Ansible tasks: ``community.docker.docker_container`` and
``containers.podman.podman_container``, read as the container start each asks for.

Sources: the collections' module documentation. docker_container starts the container
unless ``state`` is absent, present or stopped; ``published_ports`` (alias ``ports``) takes
Docker's short syntax, bound to ``default_host_ip`` (0.0.0.0 unless set) when a port names
no address; ``publish_all_ports`` (or the older ``published_ports: [all]``) publishes every
exposed port; ``network_mode: host`` shares the host's network. podman_container names them
``ports`` (aliases ``publish``, ``published``, ``published_ports``), ``publish_all`` and
``network`` (aliases ``net``, ``network_mode``; a string or a list), and starts the
container unless ``state`` is absent, present, stopped or created.

A template is rendered with the task's variables (``facts/ansible_vars.py``: its role's
defaults and vars, its inventories' and ``group_vars/``, its play's and its own ``vars:``); one
that stays unknown is not guessed:
an unknown image is not judged, an unknown port is not read, an unknown variable is set to an
unknown value, and an unknown ``env`` mapping or ``command`` may set any variable or flag.
Files of variables (``env_file``) are on the managed host, not in the repository: unknown.
"""

from __future__ import annotations

import shlex

from guardrails.facts.ansible import Task, tasks
from guardrails.facts.ansible_keywords import BOOLEANS_TRUE
from guardrails.facts.ansible_vars import Variables, elements, task_variables
from guardrails.facts.container_start import ContainerStart, Flag, Published
from guardrails.facts.network import parse_port_spec
from guardrails.model import Document, Node, Span
from guardrails.project import Project
from guardrails.records import Frozen


class _Module(Frozen):
    """What one container module calls its arguments, and the states that start nothing."""

    ports: tuple[str, ...]
    publish_all: str
    network: tuple[str, ...]
    idle: frozenset[str]


_DOCKER = _Module(
    ("published_ports", "ports"), "publish_all_ports", ("network_mode",), frozenset({"absent", "present", "stopped"})
)
_PODMAN = _Module(
    ("ports", "publish", "published", "published_ports"),
    "publish_all",
    ("network", "net", "network_mode"),
    frozenset({"absent", "present", "stopped", "created"}),
)
# The task keys that name each module: the short name or the collection's full name.
MODULES: dict[str, _Module] = {
    "docker_container": _DOCKER,
    "community.docker.docker_container": _DOCKER,
    "podman_container": _PODMAN,
    "containers.podman.podman_container": _PODMAN,
}


def container_starts(doc: Document, project: Project) -> list[ContainerStart]:
    """Every container a playbook or task file starts with a known image (read once per
    document: two rules ask)."""
    key = ("ansible-container-starts", doc.path)
    found: list[ContainerStart] | None = project.cache.get(key)
    if found is None:
        found = []
        for task in tasks(doc):
            module = MODULES.get(task.key)
            start = _Reader(task, module, task_variables(doc, task, project)).start() if module else None
            if start is not None:
                found.append(start)
        project.cache[key] = found
    return found


class _Reader:
    """One task's arguments, rendered with its variables."""

    def __init__(self, task: Task, module: _Module, variables: Variables) -> None:
        self.task, self.module, self.variables = task, module, variables
        self.args = task.args()
        self.command_source = ""  # where a value the command is rendered with is set

    def text(self, node: Node | None) -> tuple[str, str] | None:
        """A scalar's text and where it was set; None when absent or unknown."""
        found = self.variables.scalar(node)
        return (found.text, found.source) if found is not None else None

    def sources(self, node: Node | None) -> str:
        """Where every variable a scalar is rendered with is set (``a.yml:3 and b.yml:6``)."""
        found = self.variables.scalar(node)
        places = list(found.sources) if found is not None else []
        return " and ".join(filter(None, (", ".join(places[:-1]), *places[-1:])))

    def items(self, name: str) -> list[tuple[Node, str, str]]:
        """The elements of a list argument (one scalar is a list of one): the node that asks
        for each (in the task), its text ('' unknown) and where it was set."""
        node = self.args.get(name)
        found = self.variables.resolve(node)
        if node is None or found is None:
            return []
        if found.node.is_scalar:
            return [(node, found.text, found.source)]
        listed: list[tuple[Node, str, str]] = []
        for element in found.node.elements() if found.node.is_seq else []:
            inner = self.variables.resolve(element)
            text = inner.text if inner is not None and inner.node.is_scalar else ""
            at = element if not found.source else node  # a list set elsewhere is reported where the task uses it
            listed.append((at, text, (inner.source if inner is not None else "") or found.source))
        return listed

    def start(self) -> ContainerStart | None:
        module, args = self.module, self.args
        image, state = self.text(args.get("image")), self.text(args.get("state"))
        if image is None or (state is None and "state" in args) or (state and state[0].lower() in module.idle):
            return None
        given_ip = args.get("default_host_ip")
        unset = given_ip is None or (given_ip.is_scalar and given_ip.value is None)
        default_ip = ("", "") if unset else self.text(given_ip)  # unset: every interface
        publish: list[Published] = []
        publish_all: Flag | None = None
        for name in module.ports:
            for node, text, source in self.items(name):
                if text.lower() == "all":
                    publish_all = Flag(node.span, f"{name}: all")
                    continue
                spec = parse_port_spec(text) if text else None
                if spec is not None and not spec.host_ip:
                    spec = spec._replace(host_ip=default_ip[0]) if default_ip is not None else None
                if spec is not None:  # else unknown
                    publish.append(Published(spec, node.span, source))
        switch = args.get(module.publish_all)
        on = self.text(switch)
        if switch is not None and on is not None and on[0].lower() in BOOLEANS_TRUE:
            publish_all = Flag(switch.span, f"{module.publish_all}: true")
        host_network = None
        for name in module.network:
            for node, text, _ in self.items(name):
                if text == "host":
                    host_network = Flag(node.span, f"{name}: host")
        env, sources, spans, unknown = self.environment()
        argv, where = self.command(unknown)
        label = self.task.node.get("name")
        named = f" '{label.text}'" if label is not None and label.is_scalar else ""
        container = self.text(args.get("name"))
        return ContainerStart(
            f"task{named} ({self.task.module}) of {image[0]}",
            f"{self.task.module}:{container[0] if container else self.task.label}",
            image[0],
            argv,
            env,
            publish,
            publish_all,
            host_network,
            unknown,
            sources,
            image[1],
            spans,
            where,
            self.command_source,
        )

    def command(self, unknown: list[str]) -> tuple[list[str], list[Span | None]]:
        """The command's words and where the task writes each (None: not literally); an unknown
        command adds to ``unknown`` (never its text: it may hold a password)."""
        command = self.args.get("command")
        if command is None:
            return [], []
        if command.is_scalar:
            words = self.text(command)
            if words is None:
                unknown.append("its templated command")
                return [], []
            argv = _split(words[0])
            self.command_source = self.sources(command)
            return argv, [command.span] * len(argv)
        listed = [self.text(e) for e in elements(command)]
        if any(item is None for item in listed):
            unknown.append("its templated command")
            return [], []
        return [item[0] for item in listed if item], [None] * len(listed)

    def environment(self) -> tuple[dict[str, str | None], dict[str, str], dict[str, Span], list[str]]:
        """The container's variables (None: set, unknown), where each rendered one was set, where
        the task writes each, and what may set others (a templated mapping, files on the managed
        host)."""
        env: dict[str, str | None] = {}
        sources: dict[str, str] = {}
        spans: dict[str, Span] = {}
        unknown = [f"env_file {n.text}" for n in elements(self.args.get("env_file"))]
        given = self.args.get("env")
        found = self.variables.resolve(given)
        if given is not None and found is not None and found.node.is_map:
            for key, _, value in found.node.items():
                text = self.text(value)
                env[key] = text[0] if text is not None else None
                spans[key] = given.span if found.source else value.span  # a mapping set elsewhere: where it is used
                if text is not None and (text[1] or found.source):
                    sources[key] = text[1] or found.source
        elif given is not None:
            unknown.append("its templated env")  # rendered whole by Jinja: any variable may be set
        return env, sources, spans, unknown


def _split(text: str) -> list[str]:
    """A command string's words, split as the modules split it."""
    try:
        return shlex.split(text)
    except ValueError:
        return []
