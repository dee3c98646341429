"""The compose services that run a datastore with a configuration file of the repository.

A ``redis.conf`` that binds every interface with authentication off says how the server
listens inside its container. When the repository's compose files mount that file into a
datastore service, how far it reaches is the service's: a service that publishes no port on
the host's interfaces (``expose:`` only, or a loopback bind) is reachable from the stack's
own network, as ED001 and ED002 judge an unpublished compose datastore.

A file is mounted by a service when one of its ``volumes`` binds it (short syntax
``./config/redis.conf:/usr/local/etc/redis/redis.conf``, or ``type: bind`` with ``source``),
the source resolved from the compose file's directory as compose resolves it.
"""

from __future__ import annotations

import posixpath
from pathlib import PurePosixPath

from guardrails.documents import TreeDocument
from guardrails.model import Kind, Node
from guardrails.project import Project
from guardrails.records import Frozen

_YAML = (".yml", ".yaml")


class Mount(Frozen):
    """A datastore service that mounts the file, and whether it publishes a port on every interface."""

    service: str
    compose: str
    published: bool


def mounts(config: str, project: Project) -> list[Mount]:
    """The compose services of the repository that mount the file at ``config`` (a path
    relative to the project), each once, in a stable order."""
    return [mount for mounted, mount in _all_mounts(project) if mounted == config]


def _all_mounts(project: Project) -> list[tuple[str, Mount]]:
    """(mounted file, mount) for every bind mount of a datastore service; found once per scan."""
    return project.repository_fact(("config-mounts",), lambda: _build(project))


def _build(project: Project) -> list[tuple[str, Mount]]:
    from guardrails.facts.compose import compose_model, exposures, service_store

    found: list[tuple[str, Mount]] = []
    seen: set[tuple[str, str]] = set()
    for path in project.walk(_YAML):
        data = project.read_bytes(path)
        if data is None or b"services" not in data or b"volumes" not in data:
            continue  # no compose service mounts anything: not parsed
        doc = project.document(path)
        if not isinstance(doc, TreeDocument) or doc.kind is not Kind.COMPOSE:
            continue
        for name, model in compose_model(doc, project).items():
            store = service_store(model)
            if store is None:
                continue
            published = bool(exposures(model, store))
            for definition in model.definitions:
                volumes = definition.node.get("volumes")
                for item in volumes.elements() if volumes is not None and volumes.is_seq else []:
                    source = _bind_source(item)
                    if source is None:
                        continue
                    mounted = posixpath.normpath(str(definition.layer.directory / source))
                    if (mounted, name) not in seen:
                        seen.add((mounted, name))
                        found.append((mounted, Mount(name, definition.path, published)))
    return found


def _bind_source(item: Node) -> str | None:
    """The host path a volume entry binds, when it is a relative or absolute path (not a
    named volume, not interpolated)."""
    if item.is_map:
        kind, source = item.get("type"), item.get("source")
        if kind is None or not kind.is_scalar or kind.text != "bind" or source is None or not source.is_scalar:
            return None
        text = source.text
    elif item.is_scalar:
        text = item.text.split(":", 1)[0] if ":" in item.text else ""
    else:
        return None
    if "$" in text or not text.startswith((".", "/")):
        return None
    return str(PurePosixPath(text))
