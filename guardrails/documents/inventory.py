"""Ansible INI inventories: groups, hosts and the variables they set, where each is written."""

from __future__ import annotations

from typing import Any

from guardrails.model import Document, Kind, Span
from guardrails.records import Record


class InventoryVar(Record):
    """``key=value`` of a ``[group:vars]`` section (``host`` '') or of a host line; ``value`` as
    Ansible reads it (quotes removed), ``span`` where it is written."""

    __slots__ = ("group", "host", "key", "span", "value")

    def __init__(self, group: str, host: str, key: str, value: str, span: Span) -> None:
        self.group = group
        self.host = host
        self.key = key
        self.value = value
        self.span = span


class InventoryDocument(Document):
    """``sections``: (group, ``hosts``/``vars``/``children``, span) in file order; ``hosts``:
    (group, host pattern, span); ``variables``: every variable set, in file order."""

    __slots__ = ("hosts", "sections", "variables")

    def __init__(self, path: str, kind: Kind, text: str, **base: Any) -> None:
        super().__init__(path, kind, text, **base)
        self.sections: list[tuple[str, str, Span]] = []
        self.hosts: list[tuple[str, str, Span]] = []
        self.variables: list[InventoryVar] = []
