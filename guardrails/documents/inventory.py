"""Ansible INI inventories: groups, hosts and the variables they set, where each is written."""

from __future__ import annotations

from dataclasses import dataclass, field

from guardrails.model import Document, Span


@dataclass
class InventoryVar:
    """``key=value`` of a ``[group:vars]`` section (``host`` '') or of a host line; ``value`` as
    Ansible reads it (quotes removed), ``span`` where it is written."""

    group: str
    host: str
    key: str
    value: str
    span: Span


@dataclass
class InventoryDocument(Document):
    groups: list[str] = field(default_factory=list)  # section names in file order, with their kind
    hosts: list[tuple[str, str, Span]] = field(default_factory=list)  # (group, host pattern, span)
    variables: list[InventoryVar] = field(default_factory=list)
    sections: list[tuple[str, str, Span]] = field(default_factory=list)  # (group, hosts|vars|children, span)
