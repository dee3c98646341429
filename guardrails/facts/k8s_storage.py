"""Kubernetes storage across the documents of a scan: which claims hold database data,
and what happens to their disks when the claim goes.

Facts (Kubernetes docs, LESSONS.md B4): a StorageClass without ``reclaimPolicy``
defaults to ``Delete``; a dynamically provisioned PersistentVolume inherits its
class's policy; a manually created one defaults to ``Retain``. A StatefulSet's
claims are named ``<template>-<statefulset>-<ordinal>``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from guardrails.documents import TreeDocument
from guardrails.embedded import pod_specs
from guardrails.facts.datastores import Datastore, find_datastore
from guardrails.model import Document, Node

DEFAULT_CLASS_ANNOTATIONS = (
    "storageclass.kubernetes.io/is-default-class",
    "storageclass.beta.kubernetes.io/is-default-class",
)


@dataclass(slots=True)
class K8sObject:
    doc: TreeDocument
    node: Node

    @property
    def kind(self) -> str:
        return text(self.node.get("kind"))

    @property
    def name(self) -> str:
        return text(self.node.path("metadata", "name"))

    @property
    def namespace(self) -> str:
        return text(self.node.path("metadata", "namespace"))

    @property
    def label(self) -> str:
        prefix = f"{self.namespace}/" if self.namespace else ""
        return f"{prefix}{self.kind}/{self.name}"

    def where(self) -> str:
        return f"{self.doc.path}:{self.node.span.line}"


@dataclass(slots=True)
class StorageClass:
    obj: K8sObject
    policy: str
    explicit: bool
    is_default: bool

    def describe(self) -> str:
        how = "reclaimPolicy: Delete" if self.explicit else "no reclaimPolicy, so Delete by default"
        return f"StorageClass '{self.obj.name}' ({self.obj.where()}, {how})"


@dataclass(slots=True)
class Storage:
    """The StorageClasses, database workloads and claims of one scan."""

    classes: dict[str, StorageClass] = field(default_factory=dict)
    databases: list[tuple[K8sObject, Node, Datastore]] = field(default_factory=list)
    claims: dict[str, K8sObject] = field(default_factory=dict)

    def default_class(self) -> StorageClass | None:
        """The default StorageClass when exactly one is marked as default, else None (unknown)."""
        defaults = [c for c in self.classes.values() if c.is_default]
        return defaults[0] if len(defaults) == 1 else None

    def database_claims(self) -> Iterator[tuple[str, str, K8sObject, Datastore]]:
        """(namespace, claim name or ``<template>-<sts>-`` prefix, workload, datastore) for database pods."""
        for workload, spec, store in self.databases:
            volumes = spec.get("volumes")
            for volume in volumes.elements() if volumes is not None else []:
                claim = text(volume.path("persistentVolumeClaim", "claimName"))
                if claim:
                    yield workload.namespace, claim, workload, store
            if workload.kind == "StatefulSet":
                templates = workload.node.path("spec", "volumeClaimTemplates")
                for template in templates.elements() if templates is not None else []:
                    name = text(template.path("metadata", "name"))
                    if name:
                        yield workload.namespace, f"{name}-{workload.name}-", workload, store


def objects(doc: Document) -> Iterator[K8sObject]:
    """Every object of a manifest, ``kind: List`` items included."""
    if not isinstance(doc, TreeDocument):
        return
    for root in doc.roots:
        if not root.is_map:
            continue
        items = root.get("items") if text(root.get("kind")) == "List" else None
        for node in items.elements() if items is not None else [root]:
            if node.is_map:
                yield K8sObject(doc, node)


def database_of(spec: Node) -> Datastore | None:
    """The datastore a pod spec runs, from its containers' images."""
    containers = spec.get("containers")
    for container in containers.elements() if containers is not None else []:
        store = find_datastore(text(container.get("image")))
        if store is not None:
            return store
    return None


def storage(docs: list[Document]) -> Storage:
    found = Storage()
    for doc in docs:
        for obj in objects(doc):
            if obj.kind == "StorageClass" and obj.name:
                policy_node = obj.node.get("reclaimPolicy")
                annotations = obj.node.path("metadata", "annotations")
                is_default = (
                    any(text(annotations.get(a)).lower() == "true" for a in DEFAULT_CLASS_ANNOTATIONS)
                    if (annotations is not None)
                    else False
                )
                policy = text(policy_node) or "Delete"
                found.classes[obj.name] = StorageClass(obj, policy, policy_node is not None, is_default)
            elif obj.kind == "PersistentVolumeClaim" and obj.name:
                found.claims[obj.name] = obj
            for _, spec in pod_specs(obj.node):
                store = database_of(spec)
                if store is not None:
                    found.databases.append((obj, spec, store))
    return found


def claim_matches(claim: str, pattern: str) -> bool:
    """``data-pg-0`` matches the StatefulSet prefix ``data-pg-``; plain names match exactly."""
    if pattern.endswith("-") and claim.startswith(pattern):
        return claim[len(pattern) :].isdigit()
    return claim == pattern


def text(node: Node | None) -> str:
    """A scalar's text, '' for anything else."""
    return node.text if node is not None and node.is_scalar else ""
