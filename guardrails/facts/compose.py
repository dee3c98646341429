"""docker-compose facts: published ports (short and long syntax, ``network_mode: host``),
a service's environment (list and map forms, ``env_file``, ``${VAR:-default}`` from
``.env``) and, for datastore services, what reaches them and whether they ask for
credentials.

Interpolation reads the project's ``.env`` next to the compose file, never the
environment of the machine running the scan: the same repository always gives the
same answer.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from guardrails.documents import DotenvDocument, ShellDocument, TreeDocument
from guardrails.facts.container_command import runs_server
from guardrails.facts.datastores import AuthState, Datastore, auth_state, find_datastore, split_words
from guardrails.facts.docker_run import ComposeCommand, env_file, script_path, working_directories
from guardrails.facts.network import covers, is_all_interfaces, is_loopback, parse_port_spec, port_range
from guardrails.model import Node
from guardrails.project import Project
from guardrails.records import Frozen, Record


class PortBinding(Frozen):
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


class EnvValue(Frozen):
    """One variable of a service's environment. ``node`` is the line that sets it in the
    compose file ``compose_path``; ``source`` is the file the value comes from (an env_file)."""

    value: str | None
    node: Node | None
    source: str
    raw: str = ""
    compose_path: str = ""


def environment(model: ServiceModel, project: Project) -> dict[str, EnvValue]:
    """The service's environment: ``env_file`` entries first, ``environment`` on top."""
    env: dict[str, EnvValue] = {}
    for item in model.env_files:
        path_node = item.node.get("path") if item.node.is_map else item.node
        if path_node is None:
            continue
        env_doc = project.document(project.cwd / item.layer.directory / path_node.text)
        if isinstance(env_doc, DotenvDocument):
            for entry in env_doc.entries:
                env[entry.key] = EnvValue(entry.value, item.node, env_doc.path, compose_path=item.path)
    for key, (item, raw) in model.environment.items():
        value = None if raw is None else item.layer.interpolate(raw)
        env[key] = EnvValue(value, item.node, item.path, raw or "", item.path)
    return env


def command_words(model: ServiceModel) -> list[str]:
    """``entrypoint`` and ``command`` as words (string form split like a shell would)."""
    words: list[str] = []
    for key in ("entrypoint", "command"):
        item = model.replaced.get(key)
        if item is None:
            continue
        node, interpolate = item.node, item.layer.interpolate
        if node.is_seq:
            words.extend(interpolate(n.text) or n.text for n in node.elements())
        elif node.is_scalar and node.text:
            text = interpolate(node.text) or node.text
            try:
                words.extend(shlex.split(text))
            except ValueError:
                words.extend(text.split())
    return words


def written_command(model: ServiceModel) -> list[tuple[str, Sourced, Node]]:
    """``entrypoint`` and ``command`` as written, each word with the file and node that hold
    it: a ``${VAR}`` stays a variable (a credential read from it is unknown here)."""
    words: list[tuple[str, Sourced, Node]] = []
    for key in ("entrypoint", "command"):
        item = model.replaced.get(key)
        if item is None:
            continue
        if item.node.is_seq:
            words.extend((n.text, item, n) for n in item.node.elements() if n.is_scalar)
        elif item.node.is_scalar and item.node.text:
            words.extend((word, item, item.node) for word in split_words(item.node.text))
    return words


class Exposure(Frozen):
    """A datastore port reachable on every interface of the host: through ``ports:``
    (``binding`` set) or because the service shares the host's network."""

    port: int
    node: Node
    binding: PortBinding | None
    path: str = ""

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


# --------------------------------------------------------------------------- the files compose loads

# compose-go's DefaultFileNames and DefaultOverrideFileNames (cli/options.go): without -f,
# `docker compose` loads the first base name found in the directory, then the first
# override name found beside it.
BASE_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")
OVERRIDE_NAMES = (
    "compose.override.yml",
    "compose.override.yaml",
    "docker-compose.override.yml",
    "docker-compose.override.yaml",
)


# Names that make a compose file one that only a test run starts: a file stem token
# (docker-compose.test.yml, compose.ci.yaml) or a directory (tests/, cypress/, e2e/).
TEST_TOKENS = frozenset({"test", "tests", "testing", "ci", "e2e", "cypress", "integration"})


def is_test_compose(doc: TreeDocument, project: Project) -> bool:
    """Whether ``doc`` is a compose file for a test run (by its path below the project root):
    its datastores live in that run's own network, and a password nobody can reach from outside
    protects nothing worth reporting."""
    from guardrails.discover import display_path

    path = display_path(Path(os.path.normpath(project.cwd / doc.path)), project.root)
    parts = [p.lower() for p in PurePosixPath(path).parts if p != ".."]
    if not parts:
        return False
    stem = parts[-1].rsplit(".", 1)[0].replace("-", ".").replace("_", ".").split(".")
    return any(t in TEST_TOKENS for t in stem) or any(d in TEST_TOKENS for d in parts[:-1])


class Layer(Frozen):
    """A compose file as compose loads it: relative paths from ``directory``, ``${VAR}``
    from the project's variables."""

    doc: TreeDocument
    interpolate: Interpolator

    @property
    def directory(self) -> PurePosixPath:
        return PurePosixPath(self.doc.path).parent


class Sourced(Frozen):
    """A node of the merged model and the compose file it was written in."""

    node: Node
    layer: Layer

    @property
    def path(self) -> str:
        return self.layer.doc.path


class ServiceModel(Record):
    """A service after compose merged every definition of it (base file, overrides,
    ``extends``), with each value traced to the file that set it.

    The merge follows compose-spec's merge rules (compose-go ``override/merge.go``):
    ``image``, ``network_mode``, ``command``, ``entrypoint`` and ``profiles`` are replaced,
    ``ports``, ``expose`` and ``env_file`` are appended, ``environment`` merges by variable name;
    ``!reset`` removes a value and ``!override`` replaces a sequence instead of appending.
    """

    # ``environment``: variable -> (the line that sets it, its raw value or None when only named)
    __slots__ = ("definitions", "env_files", "environment", "expose", "name", "ports", "replaced")

    def __init__(
        self,
        name: str,
        definitions: list[Sourced] | None = None,
        replaced: dict[str, Sourced] | None = None,
        ports: list[Sourced] | None = None,
        env_files: list[Sourced] | None = None,
        expose: list[Sourced] | None = None,
        environment: dict[str, tuple[Sourced, str | None]] | None = None,
    ) -> None:
        self.name = name
        self.definitions: list[Sourced] = [] if definitions is None else definitions
        self.replaced: dict[str, Sourced] = {} if replaced is None else replaced
        self.ports: list[Sourced] = [] if ports is None else ports
        self.env_files: list[Sourced] = [] if env_files is None else env_files
        self.expose: list[Sourced] = [] if expose is None else expose
        self.environment: dict[str, tuple[Sourced, str | None]] = {} if environment is None else environment

    def apply(self, service: Node, layer: Layer) -> None:
        self.definitions.append(Sourced(service, layer))
        for key, _, value in service.items():
            reset = value.tag == "!reset"
            if key in _REPLACED:
                if reset:
                    self.replaced.pop(key, None)
                else:
                    self.replaced[key] = Sourced(value, layer)
            elif key in ("ports", "expose", "env_file"):
                target = self.ports if key == "ports" else self.expose if key == "expose" else self.env_files
                if reset or value.tag == "!override":
                    target.clear()
                if not reset:
                    target.extend(Sourced(item, layer) for item in (value.elements() if value.is_seq else [value]))
            elif key == "environment":
                if reset or value.tag == "!override":
                    self.environment.clear()
                if not reset:
                    self.environment.update(_environment_entries(value, layer))

    def merged(self, name: str) -> ServiceModel:
        """A copy to extend (``extends``) under another name."""
        return ServiceModel(
            name,
            list(self.definitions),
            dict(self.replaced),
            list(self.ports),
            list(self.env_files),
            list(self.expose),
            dict(self.environment),
        )

    def text(self, key: str) -> str | None:
        """A replaced scalar (``image``, ``network_mode``) interpolated; None when unset or unknown."""
        item = self.replaced.get(key)
        if item is None or not item.node.is_scalar:
            return None
        return item.layer.interpolate(item.node.text)

    def in_file(self, path: str) -> Sourced | None:
        """The service's definition in the compose file ``path`` (the last one there)."""
        return next((d for d in reversed(self.definitions) if d.path == path), None)


_REPLACED = frozenset({"image", "network_mode", "command", "entrypoint", "profiles"})


def _environment_entries(node: Node, layer: Layer) -> Iterator[tuple[str, tuple[Sourced, str | None]]]:
    if node.is_map:
        for key, _, value in node.items():
            yield key, (Sourced(value, layer), None if value.value is None else value.text)
    elif node.is_seq:
        for item in node.elements():
            key, sep, value_text = item.text.partition("=")
            yield key.strip(), (Sourced(item, layer), value_text if sep else None)


def static_addresses(root: Node, interpolate: Interpolator) -> dict[str, str]:
    """The fixed addresses a compose file gives its services (``networks.<net>.ipv4_address`` and
    ``ipv6_address``), address -> service: another service's ``dns:`` naming one of them points at
    a container of the same stack, not at an outside server."""
    found: dict[str, str] = {}
    for name, service in _services(root):
        networks = service.get("networks")
        for _, _, network in networks.items() if networks is not None and networks.is_map else ():
            if not network.is_map:
                continue
            for key in ("ipv4_address", "ipv6_address"):
                value = network.get(key)
                address = interpolate(value.text) if value is not None and value.is_scalar else None
                if address:
                    found.setdefault(address.strip(), name)
    return found


def _services(root: Node) -> Iterator[tuple[str, Node]]:
    services = root.get("services")
    for name, _, service in services.items() if services is not None else ():
        if service.is_map:
            yield name, service


def compose_files(doc: TreeDocument, project: Project) -> tuple[list[TreeDocument], dict[str, str]]:
    """The files compose loads together with ``doc``, in order, and the project's variables.

    ``COMPOSE_FILE`` in the ``.env`` beside ``doc`` (``:``-separated, or
    ``COMPOSE_PATH_SEPARATOR``) names them when it lists ``doc``; otherwise a base file
    (``compose.yaml``...) goes with the override found beside it, and any other file
    (``docker-compose.prod.yml``, given with ``-f``) is judged alone.
    """
    variables = project_variables(doc, project)
    directory = PurePosixPath(doc.path).parent
    listed = variables.get("COMPOSE_FILE", "")
    if listed:
        separator = variables.get("COMPOSE_PATH_SEPARATOR") or ":"
        paths = [directory / p.strip() for p in listed.split(separator) if p.strip()]
        docs = [project.document(project.cwd / p) for p in paths]
        found = [d for d in docs if isinstance(d, TreeDocument)]
        if any(d.path == doc.path for d in found):
            return found, variables
    name = PurePosixPath(doc.path).name
    if name not in BASE_NAMES and name not in OVERRIDE_NAMES:
        return [doc], variables
    base = _first(project, directory, BASE_NAMES)
    if base is None or (name in BASE_NAMES and base.path != doc.path):
        return [doc], variables
    override = _first(project, directory, OVERRIDE_NAMES)
    if name in OVERRIDE_NAMES and (override is None or override.path != doc.path):
        return [doc], variables
    return [base] + ([override] if override is not None else []), variables


def _first(project: Project, directory: PurePosixPath, names: tuple[str, ...]) -> TreeDocument | None:
    for name in names:
        found = project.document(project.cwd / directory / name)
        if isinstance(found, TreeDocument):
            return found
    return None


def compose_model(doc: TreeDocument, project: Project) -> dict[str, ServiceModel]:
    """Every service of the compose project ``doc`` belongs to, merged as compose merges it
    (``include`` first, then each file in order, ``extends`` resolved in its file)."""
    files, variables = compose_files(doc, project)
    return models_of(files, variables, project)


def models_of(files: list[TreeDocument], variables: dict[str, str], project: Project) -> dict[str, ServiceModel]:
    """The services of ``files`` loaded together, interpolated with ``variables``."""
    key = ("compose-model", tuple(d.path for d in files), hash(frozenset(variables.items())))
    cached = project.cache.get(key)
    if cached is None:
        interpolate = Interpolator(variables)
        cached = {}
        for file in files:
            _load(Layer(file, interpolate), project, cached, depth=0)
        project.cache[key] = cached
    return cached


_MAX_DEPTH = 8


def _load(layer: Layer, project: Project, models: dict[str, ServiceModel], depth: int) -> None:
    for root in layer.doc.roots:
        for included in _includes(root, layer, project, depth):
            _load(included, project, models, depth + 1)
        for name, service in _services(root):
            model = _resolve(name, service, layer, project, depth)
            if name in models:
                for definition in model.definitions:
                    models[name].apply(definition.node, definition.layer)
            else:
                models[name] = model


def _includes(root: Node, layer: Layer, project: Project, depth: int) -> Iterator[Layer]:
    """``include:`` entries (a path, or ``path:`` one or several): each included file
    interpolates with the ``.env`` of its own directory, as compose does."""
    node = root.get("include")
    if node is None or not node.is_seq or depth >= _MAX_DEPTH:
        return
    for entry in node.elements():
        paths = entry.get("path") if entry.is_map else entry
        if paths is None:
            continue
        for path_node in paths.elements() if paths.is_seq else [paths]:
            text = layer.interpolate(path_node.text)
            included = project.document(project.cwd / layer.directory / text) if text else None
            if isinstance(included, TreeDocument) and included.path != layer.doc.path:
                yield Layer(included, Interpolator(project_variables(included, project)))


def _resolve(name: str, service: Node, layer: Layer, project: Project, depth: int) -> ServiceModel:
    """One file's definition of a service on top of what it ``extends``."""
    extends = service.get("extends")
    model = ServiceModel(name)
    if extends is not None and depth < _MAX_DEPTH:
        base_name = extends.text if extends.is_scalar else _text(extends.get("service"))
        file_node = extends.get("file") if extends.is_map else None
        base_layer: Layer | None = layer
        if file_node is not None:
            path = layer.interpolate(file_node.text)
            other = project.document(project.cwd / layer.directory / path) if path else None
            base_layer = Layer(other, layer.interpolate) if isinstance(other, TreeDocument) else None
        if base_name and base_layer is not None and (base_name, base_layer.doc.path) != (name, layer.doc.path):
            base = next((node for root in base_layer.doc.roots for n, node in _services(root) if n == base_name), None)
            if base is not None:
                model = _resolve(base_name, base, base_layer, project, depth + 1).merged(name)
    model.apply(service, layer)
    return model


def _text(node: Node | None) -> str:
    return node.text if node is not None and node.is_scalar else ""


class DatastoreService(Record):
    """A compose service whose image is a known datastore, as compose runs it."""

    __slots__ = ("auth", "env", "exposures", "image", "model", "name", "node", "profiles", "store", "words")

    def __init__(
        self,
        name: str,
        node: Node,
        image: str,
        store: Datastore,
        env: dict[str, EnvValue],
        words: list[str],
        auth: AuthState,
        exposures: list[Exposure],
        model: ServiceModel,
        profiles: tuple[str, ...] = (),
    ) -> None:
        self.name = name
        self.node = node
        self.image = image
        self.store = store
        self.env = env
        self.words = words
        self.auth = auth
        self.exposures = exposures
        self.model = model
        self.profiles = profiles

    @property
    def env_values(self) -> dict[str, str | None]:
        return {k: v.value for k, v in self.env.items()}


def datastore_services(
    doc: TreeDocument, project: Project, extra: tuple[Datastore, ...] = ()
) -> list[DatastoreService]:
    """The datastore services defined in ``doc``, each merged with the other files compose
    loads with it; rules report what ``doc`` itself writes (``EnvValue.compose_path``,
    ``Exposure.path``)."""
    found: list[DatastoreService] = []
    for model in compose_model(doc, project).values():
        here = model.in_file(doc.path)
        image = model.text("image")
        store = service_store(model, extra)
        if here is None or store is None or image is None:
            continue
        words = command_words(model)
        env = environment(model, project)
        auth = auth_state(store, {k: v.value for k, v in env.items()}, words, image)
        profiles = model.replaced.get("profiles")
        names = tuple(p.text for p in profiles.node.elements()) if profiles is not None else ()
        found.append(
            DatastoreService(
                model.name, here.node, image, store, env, words, auth, exposures(model, store), model, names
            )
        )
    return found


def container_ports(model: ServiceModel) -> list[int]:
    """The single container ports a service publishes or exposes: with a name token they
    recognise a datastore image outside the table (``find_datastore``)."""
    found: list[int] = []
    for item in model.ports:
        read = _long_port if item.node.is_map else _short_port
        binding = read(item.node, item.layer.interpolate)
        if binding is not None and binding.container[0] == binding.container[1]:
            found.append(binding.container[0])
    for item in model.expose:
        exposed = port_range((item.layer.interpolate(item.node.text) or "").split("/", 1)[0])
        if exposed is not None and exposed[0] == exposed[1]:
            found.append(exposed[0])
    return found


def exposures(model: ServiceModel, store: Datastore) -> list[Exposure]:
    """The datastore's ports published on every interface (loopback binds and ``expose:`` are not)."""
    mode = model.replaced.get("network_mode")
    if mode is not None and model.text("network_mode") == "host":
        return [Exposure(store.ports[0], mode.node, None, mode.path)] if store.ports else []
    found: list[Exposure] = []
    for item in model.ports:
        binding = (
            _long_port(item.node, item.layer.interpolate)
            if item.node.is_map
            else _short_port(item.node, item.layer.interpolate)
        )
        if binding is None or not is_all_interfaces(binding.host_ip) or binding.protocol != "tcp":
            continue
        found.extend(Exposure(port, binding.node, binding, item.path) for port in binding.container_ports(store.ports))
    return found


LOOPBACK = "127.0.0.1"


def loopback_spec(binding: PortBinding) -> tuple[Node, str] | None:
    """The node to rewrite and its text so that ``binding`` publishes on loopback only, the host
    port kept (``5432:5432`` -> ``127.0.0.1:5432:5432``, ``5432`` -> ``127.0.0.1::5432``: still
    an ephemeral port); None when the spec holds a variable or an IPv6 address."""
    node = binding.node
    if node.is_map:
        host_ip = node.get("host_ip")
        return (host_ip, LOOPBACK) if host_ip is not None and "$" not in host_ip.text else None
    text = node.text.strip()
    if "$" in text or binding.host_ip not in ("", "0.0.0.0"):
        return None
    if binding.host_ip:
        return node, LOOPBACK + text[len(binding.host_ip) :]
    return node, f"{LOOPBACK}:{text}" if ":" in text.split("/", 1)[0] else f"{LOOPBACK}::{text}"


def merged_from(svc: DatastoreService, doc: TreeDocument) -> str:
    """What the other compose files loaded with ``doc`` contribute, for a finding's message."""
    others = sorted({d.path for d in svc.model.definitions if d.path != doc.path})
    parts = [f"merged with {', '.join(others)}"] if others else []
    if svc.profiles:
        parts.append(f"started with profile {', '.join(svc.profiles)}")
    return f" ({'; '.join(parts)})" if parts else ""


class CliService(Frozen):
    """A datastore service as ``docker compose --env-file`` in a script runs it: its
    environment interpolated with the env files' variables (``variables``)."""

    name: str
    image: str
    store: Datastore
    env: dict[str, EnvValue]
    variables: dict[str, str]
    auth: AuthState
    exposures: list[Exposure]

    def from_file(self, key: str) -> bool:
        """Whether the variable ``key`` of the service is written with a variable the env files set."""
        raw = self.env[key].raw if key in self.env else ""
        return any(f"${{{name}" in raw or f"${name}" in raw for name in self.variables)


def cli_services(
    run: ComposeCommand, doc: ShellDocument, project: Project, extra: tuple[Datastore, ...] = ()
) -> list[CliService]:
    """The datastore services a ``docker compose --env-file …`` command starts; nothing
    without ``--env-file`` (the compose files are judged with their ``.env``) or when a file
    it names is unknown (see ``docker_run.working_directories``)."""
    env_docs = [env_file(word, run.command, doc, project) for word in run.env_files]
    if not env_docs or any(d is None for d in env_docs):
        return []
    variables = {e.key: e.value for d in env_docs if d is not None for e in d.entries}
    files = _cli_files(run, doc, project)
    if files is None:
        return []
    found: list[CliService] = []
    for model in models_of(files, variables, project).values():
        image = model.text("image")
        store = service_store(model, extra)
        if store is not None and image is not None:
            env = environment(model, project)
            auth = auth_state(store, {k: v.value for k, v in env.items()}, command_words(model), image)
            found.append(CliService(model.name, image, store, env, variables, auth, exposures(model, store)))
    return found


def service_store(model: ServiceModel, extra: tuple[Datastore, ...] = ()) -> Datastore | None:
    """The datastore a service runs: its image's, unless its command is a client of it (the
    image as a toolbox: ``facts/container_command.py``)."""
    image = model.text("image")
    store = find_datastore(image, extra, container_ports(model)) if image else None
    return store if store is not None and runs_server(command_words(model), extra=extra) else None


def _cli_files(run: ComposeCommand, doc: ShellDocument, project: Project) -> list[TreeDocument] | None:
    """The ``-f`` files, else the base (and its override) where the command runs."""
    if run.files:
        paths = [script_path(word, run.command, doc, project) for word in run.files]
        docs = [project.document(p) if p is not None else None for p in paths]
        return (
            [d for d in docs if isinstance(d, TreeDocument)] if all(isinstance(d, TreeDocument) for d in docs) else None
        )
    bases = {
        base.path: base
        for directory in working_directories(run.command, doc, project)
        if (base := _first(project, PurePosixPath(project.display_of(directory)), BASE_NAMES)) is not None
    }
    if len(bases) != 1:
        return None
    return compose_files(next(iter(bases.values())), project)[0]
