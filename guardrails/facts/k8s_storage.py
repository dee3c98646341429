"""Kubernetes storage across the documents of a scan: which claims hold database data,
and what happens to their disks when the claim goes.

Facts (Kubernetes docs, LESSONS.md B4): a StorageClass without ``reclaimPolicy``
defaults to ``Delete``; a dynamically provisioned PersistentVolume inherits its
class's policy; a manually created one defaults to ``Retain``. A StatefulSet's
claims are named ``<template>-<statefulset>-<ordinal>``.

Each document is read once into a ``Summary`` of plain data (the per-document summary of
DO058 and DO059, which may be made in a worker process); ``storage`` joins them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import PurePosixPath

from guardrails.documents import TreeDocument
from guardrails.embedded import pod_specs
from guardrails.facts.datastores import find_datastore
from guardrails.model import Document, Node
from guardrails.project import Project
from guardrails.records import Frozen, Record
from guardrails.rule import Place

DEFAULT_CLASS_ANNOTATIONS = (
    "storageclass.kubernetes.io/is-default-class",
    "storageclass.beta.kubernetes.io/is-default-class",
)


class StorageClass(Frozen):
    name: str
    policy: str
    explicit: bool
    is_default: bool
    where: str
    path: str = ""

    def describe(self) -> str:
        how = "reclaimPolicy: Delete" if self.explicit else "no reclaimPolicy, so Delete by default"
        return f"StorageClass '{self.name}' ({self.where}, {how})"


class Claim(Frozen):
    """A PersistentVolumeClaim: its name, namespace, ``spec.volumeName`` and file."""

    name: str
    namespace: str
    volume: str
    path: str = ""


class ClaimTemplate(Frozen):
    """A StatefulSet's ``volumeClaimTemplates`` entry: its name (``label``: ``?`` when it has
    none) and ``storageClassName`` (None when absent), placed on the class name, else the name."""

    name: str
    label: str
    storage_class: str | None
    place: Place


class Database(Frozen):
    """A workload whose pod spec runs a known datastore image."""

    kind: str
    name: str
    namespace: str
    label: str
    where: str
    store: str
    claims: tuple[str, ...]
    templates: tuple[ClaimTemplate, ...]
    path: str = ""

    def claim_patterns(self) -> Iterator[str]:
        """Claim names its pods mount, and ``<template>-<sts>-`` prefixes for a StatefulSet."""
        yield from self.claims
        if self.kind == "StatefulSet":
            yield from (f"{t.name}-{self.name}-" for t in self.templates if t.name)


class DeletingVolume(Frozen):
    """A PersistentVolume with ``persistentVolumeReclaimPolicy: Delete`` (placed there) and its ``claimRef``."""

    name: str
    claim: str
    claim_namespace: str
    place: Place


class Summary(Record):
    """The storage objects of one manifest, in order."""

    __slots__ = ("claims", "classes", "databases", "named_volumes", "volumes")

    def __init__(
        self,
        classes: list[StorageClass] | None = None,
        claims: list[Claim] | None = None,
        databases: list[Database] | None = None,
        volumes: list[DeletingVolume] | None = None,
        named_volumes: list[tuple[str, str]] | None = None,
    ) -> None:
        self.classes: list[StorageClass] = [] if classes is None else classes
        self.claims: list[Claim] = [] if claims is None else claims
        self.databases: list[Database] = [] if databases is None else databases
        self.volumes: list[DeletingVolume] = [] if volumes is None else volumes
        # Every PersistentVolume, whatever its policy: (name, file).
        self.named_volumes: list[tuple[str, str]] = [] if named_volumes is None else named_volumes


class Storage(Record):
    """The StorageClasses, database workloads and claims of one scan."""

    __slots__ = ("all_claims", "all_classes", "claims", "classes", "databases", "volume_files", "volumes")

    def __init__(
        self,
        classes: dict[str, StorageClass] | None = None,
        databases: list[Database] | None = None,
        claims: dict[str, Claim] | None = None,
        volumes: list[DeletingVolume] | None = None,
    ) -> None:
        self.classes: dict[str, StorageClass] = {} if classes is None else classes
        self.databases: list[Database] = [] if databases is None else databases
        self.claims: dict[str, Claim] = {} if claims is None else claims
        self.volumes: list[DeletingVolume] = [] if volumes is None else volumes
        self.all_claims: list[Claim] = []
        self.all_classes: list[StorageClass] = []
        # PersistentVolume name -> the files that define one of that name.
        self.volume_files: dict[str, list[str]] = {}

    def named_class(self, name: str, near: str) -> StorageClass | None:
        """The StorageClass ``name`` nearest the file at ``near`` (see ``nearest``); None when
        none is scanned, or the nearest ones disagree on their policy (unknown)."""
        namesakes = [c for c in self.all_classes if c.name == name]
        closest = nearest(near, [c.path for c in namesakes])
        found = [c for c in namesakes if c.path in closest]
        return found[0] if found and len({c.policy for c in found}) == 1 else None

    def default_class(self) -> StorageClass | None:
        """The default StorageClass when exactly one is marked as default, else None (unknown)."""
        defaults = [c for c in self.classes.values() if c.is_default]
        return defaults[0] if len(defaults) == 1 else None

    def database_claims(self) -> Iterator[tuple[str, str, Database]]:
        """(namespace, claim name or ``<template>-<sts>-`` prefix, workload) for database pods."""
        for workload in self.databases:
            for pattern in workload.claim_patterns():
                yield workload.namespace, pattern, workload


def objects(doc: Document) -> Iterator[Node]:
    """Every object of a manifest, ``kind: List`` items included."""
    if not isinstance(doc, TreeDocument):
        return
    for root in doc.roots:
        if not root.is_map:
            continue
        items = root.get("items") if text(root.get("kind")) == "List" else None
        for node in items.elements() if items is not None else [root]:
            if node.is_map:
                yield node


def database_of(spec: Node) -> str | None:
    """The name of the datastore a pod spec runs, from its containers' images."""
    containers = spec.get("containers")
    for container in containers.elements() if containers is not None else []:
        store = find_datastore(text(container.get("image")))
        if store is not None:
            return store.name
    return None


def summary(doc: Document, project: Project) -> Summary:
    """``summarize`` of one manifest, done once for both rules (cached on the project)."""
    key = ("k8s-storage-of", doc.path)
    found = project.cache.get(key)
    if found is None:
        found = project.cache[key] = _summarize(doc)
    return found


def _summarize(doc: Document) -> Summary:
    found = Summary()
    for node in objects(doc):
        kind, name = text(node.get("kind")), text(node.path("metadata", "name"))
        namespace = text(node.path("metadata", "namespace"))
        where = f"{doc.path}:{node.span.line}"
        if kind == "StorageClass" and name:
            policy_node = node.get("reclaimPolicy")
            annotations = node.path("metadata", "annotations")
            is_default = (
                any(text(annotations.get(a)).lower() == "true" for a in DEFAULT_CLASS_ANNOTATIONS)
                if annotations is not None
                else False
            )
            policy = text(policy_node) or "Delete"
            found.classes.append(StorageClass(name, policy, policy_node is not None, is_default, where, doc.host.path))
        elif kind == "PersistentVolumeClaim" and name:
            found.claims.append(Claim(name, namespace, text(node.path("spec", "volumeName")), doc.host.path))
        elif kind == "PersistentVolume" and name:
            found.named_volumes.append((name, doc.host.path))
        policy = node.path("spec", "persistentVolumeReclaimPolicy")
        if kind == "PersistentVolume" and policy is not None and policy.text == "Delete":
            claim_ref = (text(node.path("spec", "claimRef", "name")), text(node.path("spec", "claimRef", "namespace")))
            found.volumes.append(DeletingVolume(name, *claim_ref, Place.of(doc, policy.span)))
        for _, spec in pod_specs(node):
            store = database_of(spec)
            if store is not None:
                label = f"{namespace}/{kind}/{name}" if namespace else f"{kind}/{name}"
                volumes = spec.get("volumes")
                mounted = volumes.elements() if volumes is not None else []
                claims = [text(v.path("persistentVolumeClaim", "claimName")) for v in mounted]
                templates = _templates(doc, node) if kind == "StatefulSet" else ()
                found.databases.append(
                    Database(
                        kind,
                        name,
                        namespace,
                        label,
                        where,
                        store,
                        tuple(c for c in claims if c),
                        templates,
                        doc.host.path,
                    )
                )
    return found


def _templates(doc: Document, workload: Node) -> tuple[ClaimTemplate, ...]:
    templates = workload.path("spec", "volumeClaimTemplates")
    found: list[ClaimTemplate] = []
    for template in templates.elements() if templates is not None else []:
        if not template.is_map:
            continue
        claim = template.path("metadata", "name")
        named = template.path("spec", "storageClassName")
        span = (named or claim or template).span
        label = claim.text if claim is not None else "?"
        found.append(ClaimTemplate(text(claim), label, named.text if named is not None else None, Place.of(doc, span)))
    return tuple(found)


def storage(summaries: list[Summary]) -> Storage:
    """The storage objects of every scanned manifest (a later name replaces an earlier one)."""
    found = Storage()
    for one in summaries:
        found.classes.update((c.name, c) for c in one.classes)
        found.all_classes.extend(one.classes)
        found.claims.update((c.name, c) for c in one.claims)
        found.all_claims.extend(one.claims)
        for name, path in one.named_volumes:
            found.volume_files.setdefault(name, []).append(path)
        found.databases.extend(one.databases)
        found.volumes.extend(one.volumes)
    return found


def nearest(path: str, candidates: Iterable[str]) -> set[str]:
    """The candidate files closest to ``path`` in the directory tree (fewest directories up and
    down between them): where a name defined by several unrelated applications of one repository
    (two samples' PersistentVolume ``fileserver``) resolves, as ``kubectl apply -f`` of one
    directory would."""
    here = PurePosixPath(path).parent.parts
    distances: dict[str, int] = {}
    for other in candidates:
        there = PurePosixPath(other).parent.parts
        shared = min(len(here), len(there))
        common = next((i for i, (a, b) in enumerate(zip(here, there, strict=False)) if a != b), shared)
        distances[other] = len(here) + len(there) - 2 * common
    closest = min(distances.values(), default=0)
    return {other for other, distance in distances.items() if distance == closest}


def claim_matches(claim: str, pattern: str) -> bool:
    """``data-pg-0`` matches the StatefulSet prefix ``data-pg-``; plain names match exactly."""
    if pattern.endswith("-") and claim.startswith(pattern):
        return claim[len(pattern) :].isdigit()
    return claim == pattern


def text(node: Node | None) -> str:
    """A scalar's text, '' for anything else."""
    return node.text if node is not None and node.is_scalar else ""
