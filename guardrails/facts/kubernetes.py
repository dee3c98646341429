"""Kubernetes facts: objects (``List`` items flattened), workloads with their pod
template labels and containers, Services, and selector matching.

A Service reaches the pods whose labels include every selector label (``spec.selector``
is a plain map: matchLabels semantics) in the same namespace.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from guardrails.documents import TreeDocument
from guardrails.facts.datastores import AuthState, Datastore, auth_state, find_datastore
from guardrails.facts.load_balancers import SOURCE_RANGES_ANNOTATION, private_reason
from guardrails.model import Node


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


@dataclass(slots=True)
class EnvVar:
    value: str | None
    node: Node


@dataclass(slots=True)
class ContainerPort:
    name: str
    number: int
    node: Node
    host_port: Node | None


@dataclass(slots=True)
class Container:
    """A container of a workload, with what decides whether it is a reachable datastore."""

    label: str
    namespace: str
    pod_labels: dict[str, str]
    spec: Node
    node: Node
    name: str
    image: str
    store: Datastore | None
    env: dict[str, EnvVar]
    env_from: bool
    words: list[str]
    ports: list[ContainerPort] = field(default_factory=list)

    def auth(self) -> AuthState:
        """The auth state; a container fed by ``envFrom`` may get its credentials there."""
        assert self.store is not None
        state = auth_state(self.store, {k: v.value for k, v in self.env.items()}, self.words, self.image)
        if state.open and not state.explicit and self.env_from:
            return AuthState(False, "credentials may come from envFrom")
        return state


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


def containers(doc: TreeDocument, extra: Iterable[Datastore] = ()) -> list[Container]:
    extra = tuple(extra)
    found: list[Container] = []
    for obj in objects(doc):
        for spec, pod_labels in pod_specs(obj):
            for group in ("initContainers", "containers"):
                items = spec.get(group)
                for node in items.elements() if items is not None and items.is_seq else []:
                    if not node.is_map:
                        continue
                    image = _text(node.get("image"))
                    env: dict[str, EnvVar] = {}
                    env_node = node.get("env")
                    for item in env_node.elements() if env_node is not None and env_node.is_seq else []:
                        name = _text(item.get("name"))
                        value = item.get("value")
                        if name:
                            text = value.text if value is not None and value.is_scalar else None
                            env[name] = EnvVar(text, value if value is not None else item)
                    words = [
                        _text(w)
                        for key in ("command", "args")
                        for w in (node.get(key).elements() if node.get(key) is not None else [])  # type: ignore[union-attr]
                    ]
                    ports: list[ContainerPort] = []
                    ports_node = node.get("ports")
                    for port in ports_node.elements() if ports_node is not None and ports_node.is_seq else []:
                        number = _port_number(port.get("containerPort"))
                        if number is not None:
                            ports.append(ContainerPort(_text(port.get("name")), number, port, port.get("hostPort")))
                    found.append(
                        Container(
                            label(obj),
                            namespace(obj),
                            pod_labels,
                            spec,
                            node,
                            _text(node.get("name")),
                            image,
                            find_datastore(image, extra, [p.number for p in ports]) if image else None,
                            env,
                            node.get("envFrom") is not None,
                            words,
                            ports,
                        )
                    )
    return found


def datastore_containers(doc: TreeDocument, extra: Iterable[Datastore] = ()) -> list[Container]:
    return [c for c in containers(doc, extra) if c.store is not None]


@dataclass(slots=True)
class ServicePort:
    node: Node
    port: int
    target: int | str
    node_port: int | None


@dataclass(slots=True)
class Service:
    node: Node
    name: str
    namespace: str
    type: str
    selector: dict[str, str]
    ports: list[ServicePort]
    external_ips: list[str]
    source_ranges: list[str]
    annotations: dict[str, str]
    load_balancer_class: str = ""

    @property
    def private_reason(self) -> str | None:
        """Why a LoadBalancer stays on a private network (an internal annotation or class), or None."""
        return private_reason(self.annotations, self.load_balancer_class)


def services(doc: TreeDocument) -> list[Service]:
    found: list[Service] = []
    for obj in objects(doc):
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
