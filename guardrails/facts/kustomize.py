"""Kustomize: the objects a kustomization deploys, resolved within the repository, each node
traceable to the file that wrote it.

What ``kustomize build`` does (sigs.k8s.io/kustomize, api/krusty; the reference is
kubectl.docs.kubernetes.io/references/kustomize/kustomization/), in its order: ``resources``
(files, and directories holding a kustomization, built first) and the older ``bases``;
``components`` applied to what was gathered; ``configMapGenerator``/``secretGenerator``
(``literals``, ``envs``, ``files``; ``behavior: merge|replace`` over a base's object);
``patchesStrategicMerge``, ``patchesJson6902`` and ``patches`` (a file ``path`` or an inline
``patch``, strategic merge or RFC 6902 by its shape, ``target`` selecting by kind, name regex,
namespace, group and version, and equality label selectors); then ``namespace``,
``namePrefix`` and ``nameSuffix``. A resource outside the repository (a URL, a git
reference) is unknown: recorded, never fetched.

Generated objects keep their names without kustomize's hash suffix, and names of ConfigMaps
and Secrets keep no prefix or suffix: kustomize rewrites the references in pods to match, so
leaving both unrenamed resolves the same way. A generated Secret's values are in
``stringData`` (kustomize writes them base64-encoded in ``data``: the same content).

A node a kustomization writes itself (a patch's, a generator's) is ``own`` to it; a node of a
plain manifest or of a base is not: the plain manifest, or the base's own build, reports it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath

from guardrails import deferred_re
from guardrails.detect import KUSTOMIZATION_FILES, is_kustomization
from guardrails.documents import TreeDocument
from guardrails.documents.dotenv import DotenvDocument
from guardrails.facts.kubernetes import Manifest, objects
from guardrails.model import Kind, Node, ParseError, Span
from guardrails.project import Project
from guardrails.records import Record
from guardrails.rule import Place

# Strategic merge keys of the lists a patch merges element by element (the Kubernetes API's
# ``patchMergeKey`` tags, k8s.io/api core/v1 types.go); every other list is replaced.
_MERGE_KEYS: dict[str, tuple[str, ...]] = {
    "containers": ("name",),
    "initContainers": ("name",),
    "ephemeralContainers": ("name",),
    "env": ("name",),
    "volumes": ("name",),
    "volumeMounts": ("mountPath",),
    "imagePullSecrets": ("name",),
    "ports": ("containerPort", "port"),
    "hostAliases": ("ip",),
}
# Objects kustomize's namespace transformer leaves alone (cluster-scoped kinds).
_CLUSTER_SCOPED = frozenset(
    {
        "Namespace",
        "ClusterRole",
        "ClusterRoleBinding",
        "CustomResourceDefinition",
        "PersistentVolume",
        "StorageClass",
        "PriorityClass",
        "ValidatingWebhookConfiguration",
        "MutatingWebhookConfiguration",
    }
)
_GENERATORS = (("configMapGenerator", "ConfigMap", "data"), ("secretGenerator", "Secret", "stringData"))
# Bases deeper than this are left out (a chain of bases is never this long by design).
_MAX_DEPTH = 16
_REMOTE = deferred_re.compile(
    r"^(?:[a-z][a-z0-9+.-]*://|git@|github\.com/|gitlab\.com/|bitbucket\.org/)", re.IGNORECASE
)


def is_component(doc: TreeDocument) -> bool:
    root = _root(doc)
    kind = root.get("kind") if root is not None else None
    return kind is not None and kind.text == "Component"


class Build(Record):
    """The objects one kustomization deploys; ``origins`` names the file of each node's span
    (by node identity; ``nodes`` keeps those nodes alive), ``own`` the nodes it wrote."""

    __slots__ = ("entries", "nodes", "objects", "origins", "own", "path", "remote", "sources")

    def __init__(
        self,
        path: str,
        objects: list[Node] | None = None,
        origins: dict[int, str] | None = None,
        own: set[int] | None = None,
        remote: list[str] | None = None,
        nodes: list[Node] | None = None,
        entries: dict[str, Node] | None = None,
        sources: list[tuple[Node, str]] | None = None,
    ) -> None:
        self.path = path
        self.objects: list[Node] = [] if objects is None else objects
        self.origins: dict[int, str] = {} if origins is None else origins
        self.own: set[int] = set() if own is None else own
        self.remote: list[str] = [] if remote is None else remote
        self.nodes: list[Node] = [] if nodes is None else nodes
        self.entries: dict[str, Node] = {} if entries is None else entries
        self.sources: list[tuple[Node, str]] = [] if sources is None else sources

    def place(self, node: Node) -> Place | None:
        """Where a finding on ``node`` goes: None unless this kustomization wrote the node."""
        if id(node) not in self.own:
            return None
        return Place(self.origins.get(id(node), self.path), node.span)

    def join(self, node: Node, within: Node) -> Place | None:
        """A finding on ``node`` of one resource file that holds only with ``within`` of another
        (a Secret's value read by another file's pod): on the ``resources`` entry that brings
        ``node``'s file in, when this kustomization lists that file itself."""
        origin = self.origin(node)
        entry = self.entries.get(origin or "")
        if entry is None or origin == self.origin(within):
            return None
        return Place(self.origins.get(id(entry), self.path), entry.span)

    def origin(self, node: Node) -> str | None:
        """The file ``node`` comes from: what a kustomization wrote is registered; a resource
        file's nodes are looked up in its objects (only here: most builds never ask)."""
        if id(node) in self.origins:
            return self.origins[id(node)]
        return next((path for obj, path in self.sources if any(n is node for n in obj.walk())), None)

    def record(self, node: Node, path: str) -> None:
        """Register ``node``'s tree as written by this kustomization in ``path`` (a node keeps
        the first file given)."""
        for item in node.walk():
            self.origins.setdefault(id(item), path)
            self.nodes.append(item)
            self.own.add(id(item))

    def adopt(self, other: Build) -> None:
        """Take a base's objects (not as own: the base's build reports what it wrote)."""
        self.objects.extend(other.objects)
        self.origins.update(other.origins)
        self.nodes.extend(other.nodes)
        self.sources.extend(other.sources)
        self.remote.extend(other.remote)


def build(doc: TreeDocument, project: Project) -> Build | None:
    """What ``doc`` (a kustomization) deploys, or None for a component or a broken file."""
    if not is_kustomization(doc.path) or is_component(doc) or _root(doc) is None:
        return None
    return _build(doc, project, ())


def _build(doc: TreeDocument, project: Project, stack: tuple[str, ...]) -> Build:
    # Once per scan, not per directory group: overlays share their bases.
    return project.repository_fact(
        ("kustomize-build", doc.path), lambda: _Builder(doc, project, (*stack, doc.path)).run()
    )


def _root(doc: TreeDocument) -> Node | None:
    roots = [r for r in doc.roots if r.is_map]
    return roots[0] if len(roots) == 1 else None


def _text(node: Node | None) -> str:
    return node.text if node is not None and node.is_scalar else ""


def _scalar(value: str, span: Span) -> Node:
    return Node("scalar", value, span, raw=value)


def _map(pairs: list[tuple[Node, Node]], span: Span) -> Node:
    return Node("map", pairs, span)


def _strings(node: Node | None) -> list[Node]:
    return [n for n in node.elements() if n.is_scalar and n.text] if node is not None and node.is_seq else []


class _Builder:
    def __init__(self, doc: TreeDocument, project: Project, stack: tuple[str, ...]) -> None:
        self.doc = doc
        self.project = project
        self.stack = stack
        self.directory = PurePosixPath(doc.path).parent
        self.out = Build(doc.path)
        self.root = _root(doc)
        self.applied: set[str] = set()  # components, each applied once (kustomize refuses a repeat)

    def run(self) -> Build:
        if self.root is None:
            return self.out
        self.out.record(self.root, self.doc.path)
        self.apply(self.root, self.directory, self.doc.path)
        return self.out

    def apply(self, root: Node, directory: PurePosixPath, path: str) -> None:
        """One kustomization's (or component's) steps, over the objects gathered so far."""
        for key in ("resources", "bases"):
            for entry in _strings(root.get(key)):
                self.resource(entry, directory)
        for entry in _strings(root.get("components")):
            self.component(entry.text, directory)
        self.generate(root, directory, path)
        self.patch(root, directory, path)
        self.transform(root)

    # -- resources ------------------------------------------------------------------------

    def _path(self, directory: PurePosixPath, relative: str) -> Path:
        return self.project.cwd / directory / relative

    def _kustomization_in(self, directory: Path) -> TreeDocument | None:
        for name in KUSTOMIZATION_FILES:
            doc = self.project.document(directory / name)
            if doc is not None:
                return doc if isinstance(doc, TreeDocument) else None
        return None

    def resource(self, entry_node: Node, directory: PurePosixPath) -> None:
        entry = entry_node.text
        if _REMOTE.match(entry):
            self.out.remote.append(entry)
            return
        target = self._path(directory, entry)
        sub = self._kustomization_in(target)
        if sub is not None:
            if sub.path not in self.stack and len(self.stack) < _MAX_DEPTH and not is_component(sub):
                self.out.adopt(_build(sub, self.project, self.stack))
            return
        doc = self.project.document(target)
        if isinstance(doc, TreeDocument):
            self.out.entries[doc.path] = entry_node
            for obj in objects(doc):
                self.out.sources.append((obj, doc.path))
                self.out.objects.append(obj)

    def component(self, entry: str, directory: PurePosixPath) -> None:
        if _REMOTE.match(entry):
            self.out.remote.append(entry)
            return
        sub = self._kustomization_in(self._path(directory, entry))
        root = _root(sub) if sub is not None else None
        if sub is None or root is None or sub.path in self.stack or sub.path in self.applied:
            return
        self.applied.add(sub.path)
        self.out.record(root, sub.path)
        self.apply(root, PurePosixPath(sub.path).parent, sub.path)

    # -- generators -------------------------------------------------------------------------

    def generate(self, root: Node, directory: PurePosixPath, path: str) -> None:
        for key, kind, section in _GENERATORS:
            entries = root.get(key)
            for entry in entries.elements() if entries is not None and entries.is_seq else []:
                name = _text(entry.get("name"))
                if not name or not entry.is_map:
                    continue
                pairs = list(self.generated_pairs(entry, directory))
                data = _map(pairs, entry.span)
                self.out.record(data, path)
                behavior = _text(entry.get("behavior")) or "create"
                existing = self.find(kind, name, _text(entry.get("namespace")))
                if behavior in ("merge", "replace") and existing is not None:
                    index = self.out.objects.index(existing)
                    merged = _without(existing, ("data", "stringData", "binaryData")) if behavior == "replace" else None
                    base = merged if merged is not None else existing
                    self.out.objects[index] = self.set_key(base, section, self.merge_data(base.get(section), data))
                    continue
                metadata: list[tuple[Node, Node]] = [
                    (_scalar("name", entry.span), entry.get("name") or _scalar(name, entry.span))
                ]
                namespace = entry.get("namespace")
                if namespace is not None:
                    metadata.append((_scalar("namespace", entry.span), namespace))
                obj = _map(
                    [
                        (_scalar("apiVersion", entry.span), _scalar("v1", entry.span)),
                        (_scalar("kind", entry.span), _scalar(kind, entry.span)),
                        (_scalar("metadata", entry.span), _map(metadata, entry.span)),
                        (_scalar(section, entry.span), data),
                    ],
                    entry.span,
                )
                self.out.record(obj, path)
                self.out.objects.append(obj)

    def generated_pairs(self, entry: Node, directory: PurePosixPath) -> Iterator[tuple[Node, Node]]:
        """(key, value) of a generator: ``envs`` files, then ``files``, then ``literals``."""
        env_files = _strings(entry.get("envs")) + [n for n in [entry.get("env")] if n is not None and _text(n)]
        for item in env_files:
            env_doc = self.env_file(self._path(directory, item.text))
            if env_doc is None:
                continue
            for env_entry in env_doc.entries:
                value = _scalar(env_entry.value, env_entry.value_span)
                self.out.record(value, env_doc.path)
                yield _scalar(env_entry.key, env_entry.span), value
        for item in _strings(entry.get("files")):
            key, _, relative = item.text.partition("=")
            relative = relative or key
            file = self._path(directory, relative)
            data = self.project.read_bytes(file)
            if data is None:
                continue
            text = data.decode("utf-8", "replace")
            lines = text.splitlines() or [""]
            value = _scalar(text, Span(1, 1, len(lines), len(lines[-1]) + 1))
            self.out.record(value, self.project.display_of(file))
            yield _scalar(PurePosixPath(key).name if key == relative else key, item.span), value
        for item in _strings(entry.get("literals")):
            key, sep, value_text = item.text.partition("=")
            if sep:
                value = _scalar(_unquote(value_text), item.span)
                self.out.record(value, self.out.origins.get(id(item), self.doc.path))
                yield _scalar(key.strip(), item.span), value

    def env_file(self, path: Path) -> DotenvDocument | None:
        """An ``envs`` file read as kustomize reads it (``KEY=value`` lines), whatever its name."""
        from guardrails.parsers import dotenv

        doc = self.project.document(path)
        if isinstance(doc, DotenvDocument):
            return doc
        text = self.project.read_as(path, Kind.DOTENV)  # kustomize refuses one not UTF-8 (api/kv/kv.go)
        if text is None:
            return None
        try:
            parsed = dotenv.parse(self.project.display_of(path), text, Kind.KUBERNETES)
        except ParseError:
            return None
        return parsed

    def merge_data(self, base: Node | None, data: Node) -> Node:
        if base is None or not base.is_map:
            return data
        keys = {k for k, _, _ in data.items()}
        return _map([(k, v) for k, v in base.value if k.text not in keys] + list(data.value), base.span)

    # -- patches ----------------------------------------------------------------------------

    def patch(self, root: Node, directory: PurePosixPath, path: str) -> None:
        strategic = root.get("patchesStrategicMerge")
        for entry in strategic.elements() if strategic is not None else []:
            for patch in self.patch_documents(entry, None, directory, path, file_entry=True):
                self.strategic(patch, None)
        for key in ("patchesJson6902", "patches"):
            entries = root.get(key)
            for entry in entries.elements() if entries is not None and entries.is_seq else []:
                if not entry.is_map:
                    continue
                target = entry.get("target")
                for patch in self.patch_documents(entry.get("path"), entry.get("patch"), directory, path):
                    if patch.is_seq:
                        for obj in self.targets(target):
                            self.replace(obj, _json_patch(obj, patch))
                    elif patch.is_map:
                        self.strategic(patch, target)

    def patch_documents(
        self, path_node: Node | None, inline: Node | None, directory: PurePosixPath, path: str, file_entry: bool = False
    ) -> list[Node]:
        """The documents of a patch: a file relative to the kustomization, or an inline string
        (its nodes placed on the kustomization's lines)."""
        if path_node is not None and path_node.is_scalar:
            if file_entry and "\n" in path_node.text:
                return self.inline(path_node, path)
            doc = self.project.document(self._path(directory, path_node.text))
            if not isinstance(doc, TreeDocument):
                return []
            for root in doc.roots:
                self.out.record(root, doc.path)
            return list(doc.roots)
        if inline is not None and inline.is_scalar:
            return self.inline(inline, path)
        return []

    def inline(self, node: Node, path: str) -> list[Node]:
        from guardrails.parsers.yaml_tree import parse

        try:
            parsed = parse(path, node.text, Kind.KUBERNETES)
        except ParseError:
            return []
        host = self.project.document(self.project.cwd / path)
        lines = host.text.splitlines() if host is not None else []
        opening = lines[node.span.line - 1][node.span.column - 1 :] if 0 < node.span.line <= len(lines) else ""
        first = node.span.line + 1 if opening.startswith(("|", ">")) else node.span.line
        indent = len(lines[first - 1]) - len(lines[first - 1].lstrip()) if 0 < first <= len(lines) else 0
        for root in parsed.roots:
            for item in root.walk():
                item.span = Span(
                    item.span.line + first - 1,
                    item.span.column + indent,
                    item.span.end_line + first - 1,
                    item.span.end_column + indent,
                )
            self.out.record(root, path)
        return list(parsed.roots)

    def targets(self, target: Node | None) -> list[Node]:
        if target is None or not target.is_map:
            return []
        return [obj for obj in self.out.objects if _selected(obj, target)]

    def strategic(self, patch: Node, target: Node | None) -> None:
        if target is not None:
            chosen = self.targets(target)
        else:
            name = _text(patch.path("metadata", "name"))
            kind = _text(patch.get("kind"))
            found = self.find(kind, name, _text(patch.path("metadata", "namespace")))
            chosen = [found] if found is not None else []
        for obj in chosen:
            merged = _merge(obj, _patch_body(patch), "")
            if merged is None:
                self.out.objects.remove(obj)
            else:
                self.replace(obj, merged)

    # -- transformers -----------------------------------------------------------------------

    def transform(self, root: Node) -> None:
        namespace = root.get("namespace")
        prefix, suffix = _text(root.get("namePrefix")), _text(root.get("nameSuffix"))
        for index, obj in enumerate(list(self.out.objects)):
            kind = _text(obj.get("kind"))
            metadata = obj.get("metadata")
            if metadata is None or not metadata.is_map:
                continue
            if namespace is not None and namespace.is_scalar and namespace.text and kind not in _CLUSTER_SCOPED:
                metadata = self.set_key(metadata, "namespace", namespace)
            name = metadata.get("name")
            if (prefix or suffix) and name is not None and kind not in ("ConfigMap", "Secret"):
                renamed = _scalar(f"{prefix}{name.text}{suffix}", name.span)
                self.out.nodes.append(renamed)
                self.out.origins[id(renamed)] = self.out.origins.get(id(name), self.doc.path)
                metadata = self.set_key(metadata, "name", renamed)
            if metadata is not obj.get("metadata"):
                self.out.objects[index] = self.set_key(obj, "metadata", metadata)

    # -- helpers ------------------------------------------------------------------------------

    def find(self, kind: str, name: str, namespace: str) -> Node | None:
        for obj in self.out.objects:
            same = _text(obj.get("kind")) == kind and _text(obj.path("metadata", "name")) == name
            if same and (not namespace or _text(obj.path("metadata", "namespace")) in ("", namespace)):
                return obj
        return None

    def replace(self, old: Node, new: Node) -> None:
        self.out.objects[self.out.objects.index(old)] = new
        self.out.nodes.append(new)

    def set_key(self, node: Node, key: str, value: Node) -> Node:
        pairs = [(k, value if k.text == key else v) for k, v in node.value]
        if node.get(key) is None:
            pairs.append((_scalar(key, value.span), value))
        result = _map(pairs, node.span)
        self.out.nodes.append(result)
        return result


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    return text


def _without(node: Node, keys: tuple[str, ...]) -> Node | None:
    """A mapping without ``keys`` (None when nothing else is left)."""
    pairs = [(k, v) for k, v in node.value if k.text not in keys] if node.is_map else []
    return _map(pairs, node.span) if pairs else None


def _patch_body(patch: Node) -> Node:
    """What a strategic merge patch changes: not the identity of the object it patches."""
    pairs: list[tuple[Node, Node]] = []
    for k, v in patch.value:
        if k.text == "metadata" and v.is_map:
            v = _without(v, ("name", "namespace")) or _map([], v.span)
        if k.text not in ("apiVersion", "kind"):
            pairs.append((k, v))
    return _map(pairs, patch.span)


def _directive(node: Node) -> str:
    return _text(node.get("$patch")) if node.is_map else ""


def _merge(base: Node | None, patch: Node, key: str) -> Node | None:
    """Strategic merge of ``patch`` into ``base`` (None: the patch deletes it)."""
    if patch.is_map:
        directive = _directive(patch)
        if directive == "delete":
            return None
        if directive == "replace" or base is None or not base.is_map:
            return _without(patch, ("$patch",)) or _map([], patch.span)
        patched = {k.text: v for k, v in patch.value if not k.text.startswith("$")}
        pairs: list[tuple[Node, Node]] = []
        for k, v in base.value:
            if k.text not in patched:
                pairs.append((k, v))
                continue
            change = patched.pop(k.text)
            if change.is_scalar and change.value is None:
                continue
            merged = _merge(v, change, k.text)
            if merged is not None:
                pairs.append((k, merged))
        for k, v in patch.value:
            if k.text in patched and not (v.is_scalar and v.value is None):
                merged = _merge(None, v, k.text)
                if merged is not None:
                    pairs.append((k, merged))
        return _map(pairs, base.span)
    if patch.is_seq and base is not None and base.is_seq and key in _MERGE_KEYS:
        return _merge_list(base, patch, _MERGE_KEYS[key])
    return patch


def _merge_key(item: Node, keys: tuple[str, ...]) -> tuple[str, str] | None:
    for name in keys:
        value = item.get(name)
        if value is not None and value.is_scalar:
            return name, value.text
    return None


def _replaces(item: Node) -> bool:
    """``- $patch: replace``: the patch's other elements replace the whole list."""
    return item.is_map and len(item.value) == 1 and _directive(item) == "replace"


def _merge_list(base: Node, patch: Node, keys: tuple[str, ...]) -> Node:
    if any(_replaces(item) for item in patch.elements()):
        return Node("seq", [item for item in patch.elements() if not _replaces(item)], patch.span)
    items = list(base.elements())
    for change in patch.elements():
        identity = _merge_key(change, keys) if change.is_map else None
        at = next((i for i, item in enumerate(items) if identity and _merge_key(item, keys) == identity), None)
        if at is None:
            if _directive(change) != "delete":
                items.append(_without(change, ("$patch",)) or change)
            continue
        merged = _merge(items[at], change, "")
        if merged is None:
            del items[at]
        else:
            items[at] = merged
    return Node("seq", items, base.span)


def _selected(obj: Node, target: Node) -> bool:
    """``target`` of a patch: kind, name (a regular expression), namespace, group, version,
    and a label selector of ``key=value`` terms."""
    api = _text(obj.get("apiVersion"))
    group, _, version = api.rpartition("/")
    checks: list[tuple[str, Callable[[str], bool]]] = [
        ("kind", lambda want: _text(obj.get("kind")) == want),
        ("name", lambda want: _matches(want, _text(obj.path("metadata", "name")))),
        ("namespace", lambda want: _matches(want, _text(obj.path("metadata", "namespace")) or "default")),
        ("group", lambda want: group == want),
        ("version", lambda want: version == want),
        ("labelSelector", lambda want: _labels_match(want, obj.path("metadata", "labels"))),
    ]
    for key, check in checks:
        wanted = _text(target.get(key))
        if wanted and not check(wanted):
            return False
    return True


def _matches(pattern: str, text: str) -> bool:
    try:
        return re.fullmatch(pattern, text) is not None
    except re.error:
        return pattern == text


def _labels_match(selector: str, labels: Node | None) -> bool:
    have = {k: _text(v) for k, _, v in labels.items()} if labels is not None else {}
    for term in selector.split(","):
        key, sep, value = term.partition("=")
        if not sep or key.endswith("!"):
            return False  # set-based and inequality selectors: not modelled, so nothing is selected
        if have.get(key.strip()) != value.strip().lstrip("="):
            return False
    return True


def _pointer(path: str) -> list[str]:
    return [part.replace("~1", "/").replace("~0", "~") for part in path.split("/")[1:]]


def _json_patch(obj: Node, operations: Node) -> Node:
    """RFC 6902 ``add``, ``replace`` and ``remove`` on ``obj``; an operation whose path is
    missing fails in kustomize, and here leaves the object as it was; others are not modelled."""
    for operation in operations.elements():
        op, path, value = _text(operation.get("op")), operation.get("path"), operation.get("value")
        if op not in ("add", "replace", "remove") or path is None or (op != "remove" and value is None):
            continue
        tokens = _pointer(path.text)
        if not tokens:
            continue  # the whole document: not a patch of one of its parts
        changed = _apply(obj, tokens, op, None if op == "remove" else value)
        obj = changed if changed is not None else obj
    return obj


def _apply(node: Node, tokens: list[str], op: str, value: Node | None) -> Node | None:
    """``obj`` with one operation applied at the path ``tokens`` (None when the path is missing);
    ``value`` is None only for ``remove``."""
    head, rest = tokens[0], tokens[1:]
    inserted = [value] if value is not None else []
    if node.is_map:
        child = node.get(head)
        if not rest:
            if op == "remove" or (op == "replace" and child is None):
                return _map([(k, v) for k, v in node.value if k.text != head], node.span) if child else None
            assert value is not None
            pairs = [(k, value if k.text == head else v) for k, v in node.value]
            if child is None:
                pairs.append((_scalar(head, value.span), value))
            return _map(pairs, node.span)
        changed = _apply(child, rest, op, value) if child is not None else None
        return (
            None if changed is None else _map([(k, changed if k.text == head else v) for k, v in node.value], node.span)
        )
    if node.is_seq:
        items = node.elements()
        if head == "-" and not rest and op == "add":
            assert value is not None
            return Node("seq", [*items, value], node.span)
        if not head.isdigit() or int(head) > len(items) or (int(head) == len(items) and (rest or op != "add")):
            return None
        index = int(head)
        if not rest:
            if op == "add":
                return Node("seq", [*items[:index], *inserted, *items[index:]], node.span)
            return Node("seq", [*items[:index], *inserted, *items[index + 1 :]], node.span)
        changed = _apply(items[index], rest, op, value)
        return None if changed is None else Node("seq", [*items[:index], changed, *items[index + 1 :]], node.span)
    return None


def manifests(doc: TreeDocument, project: Project) -> list[Manifest]:
    """What a Kubernetes rule judges in ``doc``: a kustomization's build (findings only on what
    it wrote), a component nothing (its overlays judge it), any other file its own objects."""
    if not is_kustomization(doc.path):
        return [Manifest.of(doc)]
    found = build(doc, project)
    if found is None:
        return []
    return [
        Manifest(doc, found.objects, found.place, f" (kustomize build {PurePosixPath(doc.path).parent})", found.join)
    ]
