"""Kubernetes facts: objects (``List`` items flattened), workloads with their pod
template labels and containers, Services, and selector matching.

A Service reaches the pods whose labels include every selector label (``spec.selector``
is a plain map: matchLabels semantics) in the same namespace. A container's environment
includes what it reads from the ConfigMaps and Secrets judged with it (``envFrom``,
``valueFrom.configMapKeyRef``/``secretKeyRef``; Secret ``data`` decoded, ``stringData`` over it),
as the kubelet builds it: ``envFrom`` first, ``env`` over it.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterable, Iterator
from functools import partial

from guardrails.documents import TreeDocument
from guardrails.facts.container_command import runs_server
from guardrails.facts.datastores import AuthState, Datastore, auth_state, find_datastore, weak_credentials
from guardrails.facts.load_balancers import SOURCE_RANGES_ANNOTATION, private_reason
from guardrails.model import Node
from guardrails.records import Record
from guardrails.rule import Place


def objects(doc: TreeDocument) -> Iterator[Node]:
    """Every object of a manifest: each ``---`` document, and the items of a ``List``."""
    for root in doc.roots:
        if not root.is_map:
            continue
        kind = root.get("kind")
        items = root.get("items")
        if kind is not None and kind.text.endswith("List") and items is not None and items.is_seq:
            yield from (item for item in items.elements() if item.is_map)
        else:
            yield root


def _text(node: Node | None) -> str:
    return node.text if node is not None and node.is_scalar else ""


class Manifest(Record):
    """Objects judged together, and where a finding on one of their nodes goes: a file's own
    objects, or what a kustomization deploys (``locate`` answers for the nodes it wrote,
    ``via`` names it in messages)."""

    __slots__ = ("doc", "join", "locate", "objects", "via")

    def __init__(
        self,
        doc: TreeDocument,
        objects: list[Node],
        locate: Callable[[Node], Place | None] | None = None,
        via: str = "",
        join: Callable[[Node, Node], Place | None] | None = None,
    ) -> None:
        self.doc = doc
        self.objects = objects
        self.locate = locate
        self.via = via
        self.join = join

    @classmethod
    def of(cls, doc: TreeDocument) -> Manifest:
        return cls(doc, list(objects(doc)))

    def place(self, *nodes: Node | None, within: Node | None = None) -> Place | None:
        """Where a finding caused by ``nodes`` goes: the first of them this manifest wrote
        (any, for a file; for a kustomization, one its patches or generators wrote), else,
        when the first holds only together with ``within`` from another file, the line of the
        kustomization that puts the two together."""
        for node in nodes:
            if node is None:
                continue
            if self.locate is None:
                return Place.of(self.doc, node.span)
            place = self.locate(node)
            if place is not None:
                return place
        first = next((n for n in nodes if n is not None), None)
        if self.join is not None and first is not None and within is not None:
            return self.join(first, within)
        return None


def decode_base64(text: str) -> str | None:
    """A Secret ``data`` value as the pod reads it (None when it is not base64 of UTF-8 text)."""
    try:
        raw = base64.b64decode("".join(text.split()), validate=True)
        return raw.decode("utf-8")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None


def config_data(objs: Iterable[Node]) -> dict[tuple[str, str, str], dict[str, EnvVar]]:
    """(kind, namespace, name) of each ConfigMap and Secret -> its keys, values decoded."""
    found: dict[tuple[str, str, str], dict[str, EnvVar]] = {}
    for obj in objs:
        kind = _text(obj.get("kind"))
        if kind not in ("ConfigMap", "Secret"):
            continue
        values: dict[str, EnvVar] = {}
        data = obj.get("data")
        for key, _, node in data.items() if data is not None and data.is_map else ():
            text = node.text if node.is_scalar else None
            values[key] = EnvVar(decode_base64(text) if kind == "Secret" and text is not None else text, node)
        string_data = obj.get("stringData") if kind == "Secret" else None
        for key, _, node in string_data.items() if string_data is not None and string_data.is_map else ():
            values[key] = EnvVar(node.text if node.is_scalar else None, node)
        found[(kind, namespace(obj), _text(obj.path("metadata", "name")))] = values
    return found


def _environment(
    node: Node, space: str, data: dict[tuple[str, str, str], dict[str, EnvVar]]
) -> tuple[dict[str, EnvVar], bool]:
    """A container's variables, and whether some ``envFrom`` source is not among ``data``."""
    env: dict[str, EnvVar] = {}
    unresolved = False
    sources = node.get("envFrom")
    for source in sources.elements() if sources is not None and sources.is_seq else []:
        for ref, kind in (("configMapRef", "ConfigMap"), ("secretRef", "Secret")):
            target = source.get(ref)
            if target is None:
                continue
            values = data.get((kind, space, _text(target.get("name"))))
            if values is None:
                unresolved = True
                continue
            prefix = _text(source.get("prefix"))
            env.update({prefix + key: value for key, value in values.items()})
    env_node = node.get("env")
    for item in env_node.elements() if env_node is not None and env_node.is_seq else []:
        name = _text(item.get("name"))
        if not name:
            continue
        value = item.get("value")
        if value is not None:
            env[name] = EnvVar(value.text if value.is_scalar else None, value)
            continue
        env[name] = EnvVar(None, item)
        for ref, kind in (("configMapKeyRef", "ConfigMap"), ("secretKeyRef", "Secret")):
            target = item.path("valueFrom", ref)
            values = data.get((kind, space, _text(target.get("name")))) if target is not None else None
            if target is not None and values is not None and _text(target.get("key")) in values:
                env[name] = values[_text(target.get("key"))]
    return env, unresolved


def label(obj: Node) -> str:
    return f"{_text(obj.get('kind')) or '?'}/{_text(obj.path('metadata', 'name')) or '?'}"


def namespace(obj: Node) -> str:
    return _text(obj.path("metadata", "namespace")) or "default"


def string_map(node: Node | None) -> dict[str, str]:
    return {k: _text(v) for k, _, v in node.items()} if node is not None and node.is_map else {}


def pod_specs(obj: Node) -> Iterator[tuple[Node, dict[str, str]]]:
    """(pod spec, pod labels) for a Pod, a workload's template or a CronJob's job template."""
    candidates = (
        (("spec",), ("metadata", "labels")),
        (("spec", "template", "spec"), ("spec", "template", "metadata", "labels")),
        (
            ("spec", "jobTemplate", "spec", "template", "spec"),
            ("spec", "jobTemplate", "spec", "template", "metadata", "labels"),
        ),
    )
    for spec_path, labels_path in candidates:
        spec = obj.path(*spec_path)
        if spec is not None and spec.is_map and spec.get("containers") is not None:
            yield spec, string_map(obj.path(*labels_path))


class EnvVar(Record):
    __slots__ = ("node", "value")

    def __init__(self, value: str | None, node: Node) -> None:
        self.value = value
        self.node = node


class ContainerPort(Record):
    __slots__ = ("host_port", "name", "node", "number")

    def __init__(self, name: str, number: int, node: Node, host_port: Node | None) -> None:
        self.name = name
        self.number = number
        self.node = node
        self.host_port = host_port


class Container(Record):
    """A container of a workload, with what decides whether it is a reachable datastore."""

    __slots__ = (
        "env",
        "env_from",
        "image",
        "label",
        "name",
        "namespace",
        "node",
        "pod_labels",
        "ports",
        "spec",
        "store",
        "words",
    )

    def __init__(
        self,
        label: str,
        namespace: str,
        pod_labels: dict[str, str],
        spec: Node,
        node: Node,
        name: str,
        image: str,
        store: Datastore | None,
        env: dict[str, EnvVar],
        env_from: bool,
        words: list[str],
        ports: list[ContainerPort] | None = None,
    ) -> None:
        self.label = label
        self.namespace = namespace
        self.pod_labels = pod_labels
        self.spec = spec
        self.node = node
        self.name = name
        self.image = image
        self.store = store
        self.env = env
        self.env_from = env_from
        self.words = words
        self.ports: list[ContainerPort] = [] if ports is None else ports

    def word_nodes(self) -> list[Node]:
        """The nodes of ``words``, in order: where a finding about one of them points."""
        return [w for key in ("command", "args") for w in _elements(self.node.get(key))]

    def auth(self) -> AuthState:
        """The auth state; a container fed by an ``envFrom`` source not judged with it may get
        its credentials there."""
        assert self.store is not None
        state = auth_state(self.store, {k: v.value for k, v in self.env.items()}, self.words, self.image)
        if state.open and not state.explicit and self.env_from:
            return AuthState(False, "credentials may come from envFrom")
        return state

    def reachable_auth(self) -> AuthState:
        """The auth state as whoever reaches the port meets it: a guessable credential (ED002's
        judgement) lets them in like none, as compose's ED001 rates it."""
        state = self.auth()
        if state.open:
            return state
        assert self.store is not None
        weak = weak_credentials(self.store, {k: v.value for k, v in self.env.items()}, self.words)
        return AuthState(True, f"{weak[0].key} is {weak[0].description}") if weak else state


def _elements(node: Node | None) -> list[Node]:
    return list(node.elements()) if node is not None else []


def _port_number(node: Node | None) -> int | None:
    if node is None or not node.is_scalar:
        return None
    value = node.value
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    try:
        return int(node.text)
    except ValueError:
        return None


def containers(source: TreeDocument | Manifest, extra: Iterable[Datastore] = ()) -> list[Container]:
    extra = tuple(extra)
    manifest = source if isinstance(source, Manifest) else Manifest.of(source)
    data = config_data(manifest.objects)
    found: list[Container] = []
    for obj in manifest.objects:
        for spec, pod_labels in pod_specs(obj):
            for group in ("initContainers", "containers"):
                items = spec.get(group)
                for node in items.elements() if items is not None and items.is_seq else []:
                    if not node.is_map:
                        continue
                    image = _text(node.get("image"))
                    env, unresolved = _environment(node, namespace(obj), data)
                    words = [_text(w) for key in ("command", "args") for w in _elements(node.get(key))]
                    ports: list[ContainerPort] = []
                    ports_node = node.get("ports")
                    for port in ports_node.elements() if ports_node is not None and ports_node.is_seq else []:
                        number = _port_number(port.get("containerPort"))
                        if number is not None:
                            ports.append(ContainerPort(_text(port.get("name")), number, port, port.get("hostPort")))
                    store = find_datastore(image, extra, [p.number for p in ports]) if image else None
                    mounted = partial(_mounted_files, spec, node, obj, data)  # read only for a shell command
                    if store is not None and not runs_server(words, mounted, extra):
                        store = None  # the image as a toolbox: a client, not the datastore
                    found.append(
                        Container(
                            label(obj),
                            namespace(obj),
                            pod_labels,
                            spec,
                            node,
                            _text(node.get("name")),
                            image,
                            store,
                            env,
                            unresolved,
                            words,
                            ports,
                        )
                    )
    return found


def _mounted_files(
    spec: Node, container: Node, obj: Node, data: dict[tuple[str, str, str], dict[str, EnvVar]]
) -> dict[str, str]:
    """Path -> text of the ConfigMap and Secret keys a container mounts (``volumeMounts`` of
    ``configMap``/``secret`` volumes, all keys or one ``subPath``) that are judged with it."""
    sources: dict[str, tuple[str, str]] = {}
    volumes = spec.get("volumes")
    for volume in volumes.elements() if volumes is not None and volumes.is_seq else []:
        for key, kind, name_key in (("configMap", "ConfigMap", "name"), ("secret", "Secret", "secretName")):
            source = volume.get(key) if volume.is_map else None
            if source is not None and source.is_map:
                sources[_text(volume.get("name"))] = (kind, _text(source.get(name_key)))
    files: dict[str, str] = {}
    mounts = container.get("volumeMounts")
    for mount in mounts.elements() if mounts is not None and mounts.is_seq else []:
        source = sources.get(_text(mount.get("name"))) if mount.is_map else None
        values = data.get((source[0], namespace(obj), source[1])) if source is not None else None
        if values is None:
            continue
        path, sub_path = _text(mount.get("mountPath")).rstrip("/"), _text(mount.get("subPath"))
        for key, value in values.items():
            if value.value is not None and (not sub_path or sub_path == key):
                files[path if sub_path else f"{path}/{key}"] = value.value
    return files


def datastore_containers(source: TreeDocument | Manifest, extra: Iterable[Datastore] = ()) -> list[Container]:
    return [c for c in containers(source, extra) if c.store is not None]


class ServicePort(Record):
    __slots__ = ("node", "node_port", "port", "target")

    def __init__(self, node: Node, port: int, target: int | str, node_port: int | None) -> None:
        self.node = node
        self.port = port
        self.target = target
        self.node_port = node_port


class Service(Record):
    __slots__ = (
        "annotations",
        "external_ips",
        "load_balancer_class",
        "name",
        "namespace",
        "node",
        "ports",
        "selector",
        "source_ranges",
        "type",
    )

    def __init__(
        self,
        node: Node,
        name: str,
        namespace: str,
        type: str,
        selector: dict[str, str],
        ports: list[ServicePort],
        external_ips: list[str],
        source_ranges: list[str],
        annotations: dict[str, str],
        load_balancer_class: str = "",
    ) -> None:
        self.node = node
        self.name = name
        self.namespace = namespace
        self.type = type
        self.selector = selector
        self.ports = ports
        self.external_ips = external_ips
        self.source_ranges = source_ranges
        self.annotations = annotations
        self.load_balancer_class = load_balancer_class

    @property
    def private_reason(self) -> str | None:
        """Why a LoadBalancer stays on a private network (an internal annotation or class), or None."""
        return private_reason(self.annotations, self.load_balancer_class)


def services(source: TreeDocument | Manifest) -> list[Service]:
    found: list[Service] = []
    manifest = source if isinstance(source, Manifest) else Manifest.of(source)
    for obj in manifest.objects:
        if _text(obj.get("kind")) != "Service":
            continue
        spec = obj.get("spec")
        if spec is None or not spec.is_map:
            continue
        ports: list[ServicePort] = []
        ports_node = spec.get("ports")
        for item in ports_node.elements() if ports_node is not None and ports_node.is_seq else []:
            number = _port_number(item.get("port"))
            if number is None:
                continue
            target_node = item.get("targetPort")
            target: int | str = number
            if target_node is not None:
                target = _port_number(target_node) or _text(target_node)
            ports.append(ServicePort(item, number, target, _port_number(item.get("nodePort"))))
        external = spec.get("externalIPs")
        ranges = spec.get("loadBalancerSourceRanges")
        annotations = string_map(obj.path("metadata", "annotations"))
        source_ranges = [_text(n) for n in ranges.elements()] if ranges is not None and ranges.is_seq else []
        if not source_ranges and annotations.get(SOURCE_RANGES_ANNOTATION):
            source_ranges = [r.strip() for r in annotations[SOURCE_RANGES_ANNOTATION].split(",") if r.strip()]
        found.append(
            Service(
                obj,
                _text(obj.path("metadata", "name")),
                namespace(obj),
                _text(spec.get("type")) or "ClusterIP",
                string_map(spec.get("selector")),
                ports,
                [_text(n) for n in external.elements()] if external is not None and external.is_seq else [],
                source_ranges,
                annotations,
                _text(spec.get("loadBalancerClass")),
            )
        )
    return found


def selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    """A Service selector picks a pod when every selector label is on the pod (an empty one picks none)."""
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())
