"""docker-compose facts: published ports (short and long syntax, ``network_mode: host``),
a service's environment (list and map forms, ``env_file``, ``${VAR:-default}`` from
``.env``) and, for datastore services, what reaches them and whether they ask for
credentials.

Interpolation reads the project's ``.env`` next to the compose file, never the
environment of the machine running the scan: the same repository always gives the
same answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from guardrails.documents import DotenvDocument, TreeDocument
from guardrails.facts.datastores import AuthState, Datastore, auth_state, find_datastore
from guardrails.facts.network import covers, is_all_interfaces, is_loopback, parse_port_spec, port_range
from guardrails.model import Node
from guardrails.project import Project


@dataclass(frozen=True, slots=True)
class PortBinding:
    """One published port mapping; ``container`` is an inclusive range."""

    host_ip: str
    host_ports: tuple[int, int] | None
    container: tuple[int, int]
    protocol: str
    node: Node

    @property
    def loopback(self) -> bool:
        return is_loopback(self.host_ip)

    def container_ports(self, wanted: tuple[int, ...]) -> list[int]:
        return [p for p in wanted if covers(self.container, p)]

    def host_port_for(self, container_port: int) -> int | None:
        if self.host_ports is None:
            return None
        return self.host_ports[0] + (container_port - self.container[0])


class Interpolator:
    """Resolves ``$VAR``, ``${VAR}``, ``${VAR:-default}``, ``${VAR-default}``, ``${VAR:?msg}``."""

    def __init__(self, variables: dict[str, str]) -> None:
        self.variables = variables

    def __call__(self, text: str) -> str | None:
        """The interpolated text, or None when a variable has no value anywhere we can see."""
        out: list[str] = []
        i = 0
        while i < len(text):
            ch = text[i]
            if ch != "$":
                out.append(ch)
                i += 1
                continue
            if text.startswith("$$", i):
                out.append("$")
                i += 2
                continue
            if text.startswith("${", i):
                end = _closing_brace(text, i + 2)
                if end == -1:
                    return None
                value = self._braced(text[i + 2 : end])
                i = end + 1
            else:
                j = i + 1
                while j < len(text) and (text[j].isalnum() or text[j] == "_"):
                    j += 1
                if j == i + 1:
                    out.append("$")
                    i += 1
                    continue
                value = self.variables.get(text[i + 1 : j])
                i = j
            if value is None:
                return None
            out.append(value)
        return "".join(out)

    def _braced(self, inner: str) -> str | None:
        for op in (":-", "-", ":?", "?", ":+", "+"):
            name, sep, rest = inner.partition(op)
            if sep and name.replace("_", "").isalnum():
                current = self.variables.get(name)
                if op in (":-", "-"):
                    empty = current is None or (op == ":-" and current == "")
                    return self(rest) if empty else current
                if op in (":+", "+"):
                    present = current is not None and (op == "+" or current != "")
                    return self(rest) if present else ""
                return current
        return self.variables.get(inner)


def _closing_brace(text: str, start: int) -> int:
    depth = 1
    for j in range(start, len(text)):
        if text[j] == "{":
            depth += 1
        elif text[j] == "}":
            depth -= 1
            if depth == 0:
                return j
    return -1


def project_variables(doc: TreeDocument, project: Project) -> dict[str, str]:
    """Variables from the ``.env`` file beside the compose file (compose's own rule)."""
    env_doc = project.document(project.cwd / PurePosixPath(doc.path).parent / ".env")
    return env_doc.as_dict() if isinstance(env_doc, DotenvDocument) else {}


def ports(service: Node, interpolate: Interpolator) -> list[PortBinding]:
    node = service.get("ports")
    if node is None or not node.is_seq:
        return []
    bindings: list[PortBinding] = []
    for item in node.elements():
        binding = _long_port(item, interpolate) if item.is_map else _short_port(item, interpolate)
        if binding is not None:
            bindings.append(binding)
    return bindings


def _short_port(item: Node, interpolate: Interpolator) -> PortBinding | None:
    """``[HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL]``, IPv6 host IPs in brackets."""
    raw = interpolate(item.text)
    spec = parse_port_spec(raw) if raw is not None else None
    if spec is None:
        return None
    return PortBinding(spec.host_ip, spec.host_ports, spec.container, spec.protocol, item)


def _long_port(item: Node, interpolate: Interpolator) -> PortBinding | None:
    target = item.get("target")
    if target is None:
        return None
    container = port_range(interpolate(target.text) or "")
    if container is None:
        return None
    host_ip_node = item.get("host_ip")
    host_ip = (interpolate(host_ip_node.text) or "") if host_ip_node is not None else ""
    published = item.get("published")
    host_ports = port_range(interpolate(published.text) or "") if published is not None else None
    protocol = item.get("protocol")
    return PortBinding(host_ip, host_ports, container, protocol.text.lower() if protocol else "tcp", item)


@dataclass(frozen=True, slots=True)
class EnvValue:
    value: str | None
    node: Node | None
    source: str
    raw: str = ""


def environment(
    service: Node, compose: TreeDocument, project: Project, interpolate: Interpolator
) -> dict[str, EnvValue]:
    """The service's environment: ``env_file`` entries first, ``environment`` on top."""
    env: dict[str, EnvValue] = {}
    env_files = service.get("env_file")
    file_nodes = (
        env_files.elements() if env_files is not None and env_files.is_seq else [env_files] if env_files else []
    )
    base = PurePosixPath(compose.path).parent
    for file_node in file_nodes:
        path_node = file_node.get("path") if file_node.is_map else file_node
        if path_node is None:
            continue
        env_doc = project.document(project.cwd / base / path_node.text)
        if isinstance(env_doc, DotenvDocument):
            for entry in env_doc.entries:
                env[entry.key] = EnvValue(entry.value, file_node, env_doc.path)
    node = service.get("environment")
    if node is not None and node.is_map:
        for key, _, value in node.items():
            text = None if value.value is None else interpolate(value.text)
            env[key] = EnvValue(text, value, compose.path, value.text)
    elif node is not None and node.is_seq:
        for item in node.elements():
            key, sep, value_text = item.text.partition("=")
            env[key.strip()] = EnvValue(interpolate(value_text) if sep else None, item, compose.path, value_text)
    return env


def command_words(service: Node, interpolate: Interpolator) -> list[str]:
    """``command`` and ``entrypoint`` as words (string form split like a shell would)."""
    import shlex

    words: list[str] = []
    for key in ("entrypoint", "command"):
        node = service.get(key)
        if node is None:
            continue
        if node.is_seq:
            words.extend(interpolate(n.text) or n.text for n in node.elements())
        elif node.is_scalar and node.text:
            text = interpolate(node.text) or node.text
            try:
                words.extend(shlex.split(text))
            except ValueError:
                words.extend(text.split())
    return words


@dataclass(frozen=True, slots=True)
class Exposure:
    """A datastore port reachable on every interface of the host: through ``ports:``
    (``binding`` set) or because the service shares the host's network."""

    port: int
    node: Node
    binding: PortBinding | None

    @property
    def where(self) -> str:
        if self.binding is None:
            return "on the host's network (network_mode: host)"
        host_port = self.binding.host_port_for(self.port)
        published = f"host port {host_port}" if host_port else "a random host port"
        return f"on all interfaces ({published})"

    @property
    def anchor(self) -> str:
        return f"ports.{self.port}" if self.binding is not None else "network_mode"


@dataclass(slots=True)
class DatastoreService:
    """A compose service whose image is a known datastore."""

    name: str
    node: Node
    image: str
    store: Datastore
    env: dict[str, EnvValue]
    words: list[str]
    auth: AuthState
    exposures: list[Exposure]

    @property
    def env_values(self) -> dict[str, str | None]:
        return {k: v.value for k, v in self.env.items()}


def datastore_services(
    doc: TreeDocument, project: Project, extra: tuple[Datastore, ...] = ()
) -> list[DatastoreService]:
    """Every datastore service of a compose file with its environment, auth state and exposures."""
    interpolate = Interpolator(project_variables(doc, project))
    found: list[DatastoreService] = []
    for root in doc.roots:
        services = root.get("services")
        for name, _, service in services.items() if services is not None else ():
            if not service.is_map:
                continue
            image_node = service.get("image")
            image = interpolate(image_node.text) if image_node is not None and image_node.is_scalar else None
            store = find_datastore(image, extra) if image else None
            if store is None or image is None:
                continue
            env = environment(service, doc, project, interpolate)
            words = command_words(service, interpolate)
            auth = auth_state(store, {k: v.value for k, v in env.items()}, words, image)
            found.append(
                DatastoreService(name, service, image, store, env, words, auth, exposures(service, store, interpolate))
            )
    return found


def exposures(service: Node, store: Datastore, interpolate: Interpolator) -> list[Exposure]:
    """The datastore's ports published on every interface (loopback binds and ``expose:`` are not)."""
    mode = service.get("network_mode")
    if mode is not None and mode.is_scalar and (interpolate(mode.text) or "") == "host":
        return [Exposure(store.ports[0], mode, None)] if store.ports else []
    found: list[Exposure] = []
    for binding in ports(service, interpolate):
        if not is_all_interfaces(binding.host_ip) or binding.protocol != "tcp":
            continue
        found.extend(Exposure(port, binding.node, binding) for port in binding.container_ports(store.ports))
    return found
