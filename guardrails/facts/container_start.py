"""A container start as the Docker engine receives it, whoever asks: ``docker run`` in a
script, or an Ansible ``docker_container`` task (the module NewsBlur started its MongoDB
with in 2021). The rules judge image, variables, command line and published ports the same
way for both; each launcher says how it wrote what it asked (``-P``, ``publish_all_ports``)."""

from __future__ import annotations

from guardrails.facts.container_command import runs_server
from guardrails.facts.datastores import Datastore, find_datastore
from guardrails.facts.network import PortSpec
from guardrails.model import Span
from guardrails.records import Record


class Flag(Record):
    """An option that publishes the container as a whole, and how it was written."""

    __slots__ = ("span", "written")

    def __init__(self, span: Span, written: str) -> None:
        self.span = span
        self.written = written


class Published(Record):
    """A port it publishes: where the start asks for it, and where a value it was rendered from
    is set ('' when written where it is used)."""

    __slots__ = ("source", "span", "spec")

    def __init__(self, spec: PortSpec, span: Span, source: str = "") -> None:
        self.spec = spec
        self.span = span
        self.source = source


class ContainerStart(Record):
    """One container start. ``what`` names it in messages (```docker run` of mongo:4.4``),
    ``key`` prefixes its finding anchors; ``env`` holds each variable's value (None: set,
    unknown); ``env_unknown`` describes the variable files whose content is unknown and
    ``env_sources`` says where a variable read from elsewhere was set (``.env.db:3``); ``image``
    is the image's name and ``image_source`` where it was set when not in the start itself.
    ``env_spans`` and ``arg_spans`` say where the start writes each variable and each word of
    the command (None: not literally), for findings about a value; ``command_source`` where a
    value the command line is rendered with is set."""

    __slots__ = (
        "arg_spans",
        "args",
        "command_source",
        "env",
        "env_sources",
        "env_spans",
        "env_unknown",
        "host_network",
        "image",
        "image_source",
        "key",
        "publish",
        "publish_all",
        "what",
    )

    def __init__(
        self,
        what: str,
        key: str,
        image: str,
        args: list[str],
        env: dict[str, str | None],
        publish: list[Published],
        publish_all: Flag | None = None,
        host_network: Flag | None = None,
        env_unknown: list[str] | None = None,
        env_sources: dict[str, str] | None = None,
        image_source: str = "",
        env_spans: dict[str, Span] | None = None,
        arg_spans: list[Span | None] | None = None,
        command_source: str = "",
    ) -> None:
        self.what = what
        self.key = key
        self.image = image
        self.args = args
        self.env = env
        self.publish = publish
        self.publish_all = publish_all
        self.host_network = host_network
        self.env_unknown: list[str] = [] if env_unknown is None else env_unknown
        self.env_sources: dict[str, str] = {} if env_sources is None else env_sources
        self.image_source = image_source
        self.env_spans: dict[str, Span] = {} if env_spans is None else env_spans
        self.arg_spans: list[Span | None] = [None] * len(args) if arg_spans is None else arg_spans
        self.command_source = command_source

    def datastore(self, extra: tuple[Datastore, ...]) -> Datastore | None:
        """The datastore the container serves: its image's, unless its command is known to
        start no server (a client such as ``psql``: ``facts/container_command.py``)."""
        store = find_datastore(self.image, extra, self.container_ports)
        return store if store is not None and runs_server(self.args, extra=extra) else None

    @property
    def container_ports(self) -> list[int]:
        """The single container ports it publishes (ranges name no service)."""
        return [p.spec.container[0] for p in self.publish if p.spec.container[0] == p.spec.container[1]]
