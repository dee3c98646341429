"""octoDNS repositories: the config (``providers:`` and ``zones:`` with their ``sources`` and
``targets``) and the zone files (YamlProvider: one YAML mapping of record names to records).

Detection reads content (``is_config``, ``is_zone``); the DNS rules read the zones a config
pushes to its targets (who operates each target, from its provider class) and the records of a
zone file with their TTLs. Sources: octoDNS README ("Providers" table, "Config"), and
octodns/provider/yaml.py (``default_ttl`` 3600, one file per zone named after it).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from guardrails.documents import TreeDocument
from guardrails.model import Node
from guardrails.project import Project
from guardrails.records import Frozen

# Record types octoDNS knows (octodns/record/__init__.py), upper case.
RECORD_TYPES = frozenset(
    {
        "A",
        "AAAA",
        "ALIAS",
        "CAA",
        "CNAME",
        "DNAME",
        "DS",
        "HTTPS",
        "LOC",
        "MX",
        "NAPTR",
        "NS",
        "PTR",
        "SPF",
        "SRV",
        "SSHFP",
        "SVCB",
        "TLSA",
        "TXT",
        "URLFWD",
    }
)
# YamlProvider's ``default_ttl`` (3600 unless its config entry sets it): the TTL of a record
# that sets none, in every zone the provider reads.
YAML_PROVIDERS = ("octodns.provider.yaml.YamlProvider", "octodns.provider.yaml.SplitYamlProvider")

# Provider class (module prefix) -> who answers for the zone once it is pushed there.
OPERATORS: dict[str, str] = {
    "octodns_route53": "Amazon Route 53",
    "octodns_cloudflare": "Cloudflare",
    "octodns_ns1": "NS1",
    "octodns_googlecloud": "Google Cloud DNS",
    "octodns_azure": "Azure DNS",
    "octodns_dyn": "Dyn",
    "octodns_digitalocean": "DigitalOcean",
    "octodns_dnsimple": "DNSimple",
    "octodns_dnsmadeeasy": "DNS Made Easy",
    "octodns_constellix": "Constellix",
    "octodns_easydns": "easyDNS",
    "octodns_edgedns": "Akamai Edge DNS",
    "octodns_gandi": "Gandi",
    "octodns_gcore": "G-Core Labs",
    "octodns_hetzner": "Hetzner",
    "octodns_mythicbeasts": "Mythic Beasts",
    "octodns_ovh": "OVHcloud",
    "octodns_selectel": "Selectel",
    "octodns_transip": "TransIP",
    "octodns_ultra": "UltraDNS",
    "octodns_fastly": "Fastly",
    "octodns_bunny": "Bunny DNS",
    "octodns_scaleway": "Scaleway",
    "octodns_linode": "Linode",
    "octodns_vercel": "Vercel",
    "octodns_rackspace": "Rackspace",
}
# Classes that write files or plans or only read: nothing answers DNS queries from them.
NOT_A_PROVIDER = (
    "octodns.provider.yaml.",
    "octodns.provider.plan.",
    "octodns.source.",
    "octodns_etchosts.",
    "octodns_spf.",
)
# Packages that push to the operator's own servers (BIND by RFC 2136 or zone files, PowerDNS):
# each such target is an operator of its own.
SELF_HOSTED = frozenset({"octodns_bind", "octodns_powerdns"})
# octoDNS before 1.0 shipped its providers in its own package, ``octodns.provider.<module>``
# (``octodns.provider.route53.Route53Provider``); they later moved to packages of their own,
# ``octodns_<module>``, and configs written then still name the old classes. Source: the
# octodns/octodns tree up to v0.9.21, ``octodns/provider/*.py``. The modules whose package took
# another name, mapped to it; every other ``octodns.provider.<m>`` is ``octodns_<m>``.
# ``octodns.provider.yaml`` and ``.plan`` stayed in octoDNS (NOT_A_PROVIDER).
RENAMED_PROVIDER_MODULES: dict[str, str] = {
    "azuredns": "octodns_azure",
    "fastdns": "octodns_edgedns",
    "etc_hosts": "octodns_etchosts",
    "nsone": "octodns_ns1",
}


# Providers that raise a record's TTL when they push it: class module -> (the floor when the
# provider entry sets no ``min_ttl``, the TTL of a record pushed as automatic). Source:
# octodns_cloudflare/__init__.py: ``min_ttl=120``, records go as ``max(self.min_ttl, record.ttl)``,
# and a record marked ``octodns.cloudflare.proxied`` or ``auto-ttl`` goes with ttl 1, Cloudflare's
# automatic TTL, which it serves as 300 s. The pre-1.0 in-tree provider (octodns/provider/cloudflare.py)
# sent ``max(MIN_TTL, record.ttl)`` with ``MIN_TTL = 120`` too, and Cloudflare serves its proxied
# records at the automatic TTL whatever they carry.
# Not here: octodns_dnsimple, which sends ``record.ttl`` unchanged (no ``min_ttl``). DNSimple's
# support article "What is Time-to-Live?" says it supports TTLs from 1 minute to 3 days; whether
# its API rejects or raises a shorter one is not documented, and either way a written TTL under
# 60 s stays at or below the 60 s band that is already reported one record at a time.
TTL_FLOORS: dict[str, tuple[int, int]] = {"octodns_cloudflare": (120, 300)}


class TtlFloor(Frozen):
    """What one target of a zone does to the TTLs it pushes: ``floor`` (0: none) and the TTL a
    record marked automatic gets (0: none); ``key`` names the provider's metadata key."""

    provider: str
    operator: str
    key: str
    floor: int
    automatic: int


class Target(Frozen):
    """A zone's target: its name in ``providers:``, its operator ('' when not a DNS provider)."""

    name: str
    operator: str
    node: Node


class ConfigZone(Frozen):
    name: str
    targets_key: Node
    targets: tuple[Target, ...]


class Record(Frozen):
    """One record of a zone file: ``name`` relative to the zone ('' is the apex)."""

    name: str
    rtype: str
    ttl: int | None
    ttl_node: Node | None
    values: tuple[str, ...]
    node: Node
    dynamic: bool  # ``dynamic:`` pools or the older ``geo:``: a routing policy


def is_config(root: Node) -> bool:
    providers, zones = root.get("providers"), root.get("zones")
    if providers is None or zones is None or not providers.is_map or not zones.is_map:
        return False
    entries = [value for _, _, value in zones.items()]
    return bool(entries) and all(
        e.is_map and any(e.get(k) is not None for k in ("sources", "targets", "alias")) for e in entries
    )


def is_zone(root: Node) -> bool:
    """A mapping of record names to records (or lists of them), each with a known ``type`` and a
    ``value``/``values``."""
    if not root.is_map:
        return False
    records = [r for _, _, value in root.items() for r in (value.elements() if value.is_seq else [value])]
    return bool(records) and all(_is_record(r) for r in records)


def _is_record(node: Node) -> bool:
    if not node.is_map:
        return False
    rtype = node.get("type")
    has_value = node.get("value") is not None or node.get("values") is not None
    return rtype is not None and rtype.text.upper() in RECORD_TYPES and has_value


def operator(name: str, provider: Node | None) -> str | None:
    """Who operates the provider entry ``name`` ('' for one that is no DNS provider; None when
    its class is not in the tables above: a custom class may serve DNS or only write files)."""
    klass = provider.get("class") if provider is not None and provider.is_map else None
    if klass is None or not klass.is_scalar:
        return None
    text = klass.text
    module = package(text)
    if text.startswith(NOT_A_PROVIDER) or f"{module}.".startswith(NOT_A_PROVIDER):
        return ""
    if module in SELF_HOSTED:
        return f"self-hosted servers of {name}"
    return OPERATORS.get(module)


def package(klass: str) -> str:
    """The package a provider class is in: ``octodns_route53`` for ``octodns_route53.Route53Provider``
    and for the pre-1.0 ``octodns.provider.route53.Route53Provider`` alike."""
    parts = klass.split(".")
    if len(parts) > 3 and parts[:2] == ["octodns", "provider"]:
        return RENAMED_PROVIDER_MODULES.get(parts[2], f"octodns_{parts[2]}")
    return parts[0]


def default_ttls(root: Node) -> Iterator[tuple[str, int, Node]]:
    """(provider name, seconds, node) for each YAML provider whose ``default_ttl`` is set."""
    providers = root.get("providers")
    for name, _, entry in providers.items() if providers is not None else ():
        klass = entry.get("class") if entry.is_map else None
        ttl = entry.get("default_ttl") if entry.is_map else None
        if klass is not None and klass.text in YAML_PROVIDERS and ttl is not None and type(ttl.value) is int:
            yield name, ttl.value, ttl


def config_zones(root: Node) -> Iterator[ConfigZone]:
    """Each zone of a config with the DNS providers it is pushed to (aliases have none)."""
    providers = root.get("providers")
    zones = root.get("zones")
    for name, _, zone in zones.items() if zones is not None else ():
        targets, targets_key = zone.get("targets"), zone.key_node("targets")
        if targets is None or targets_key is None or not targets.is_seq:
            continue
        found: list[Target] = []
        for item in targets.elements():
            entry = providers.get(item.text) if providers is not None and item.is_scalar else None
            who = operator(item.text, entry)
            if who is None:
                break  # a target whose operator is unknown: the zone is left unjudged
            found.append(Target(item.text, who, item))
        else:
            yield ConfigZone(name, targets_key, tuple(found))


def zone_name(path: str, root: Node) -> str:
    """The zone a file holds: YamlProvider names the file after it (``config/example.com.yaml``).
    SplitYamlProvider keeps a zone in a directory, one file per record named after it and the
    apex in ``$<zone>.yaml``: the directory names the zone when it ends with its default ``.``
    extension; otherwise the zone is unknown ('')."""
    p = PurePosixPath(path)
    stem = p.name
    for suffix in (".yaml", ".yml"):
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
    if stem.startswith("$"):
        return stem[1:].rstrip(".").lower()
    keys = [key for key, _, _ in root.items()]
    if keys == [stem]:
        return p.parent.name[:-1].lower() if p.parent.name.endswith(".") else ""
    return stem.rstrip(".").lower() if "." in stem else ""


def records(root: Node) -> Iterator[Record]:
    for name, _, value in root.items():
        for item in value.elements() if value.is_seq else [value]:
            if not _is_record(item):
                continue
            ttl_node = item.get("ttl")
            ttl = ttl_node.value if ttl_node is not None and type(ttl_node.value) is int else None
            values_node = item.get("values") or item.get("value")
            items = values_node.elements() if values_node is not None and values_node.is_seq else [values_node]
            values = tuple(v.text for v in items if v is not None and v.is_scalar)
            dynamic = item.get("dynamic") is not None or item.get("geo") is not None
            yield Record(name, item.get("type").text.upper(), ttl, ttl_node, values, item, dynamic)  # type: ignore[union-attr]


def served_ttl(record: Record, floors: list[TtlFloor]) -> tuple[int, TtlFloor | None] | None:
    """The shortest TTL the zone's targets serve ``record`` with, and the target that sets it
    when that is not the written ``ttl:`` (a floor or an automatic TTL). None without a ttl."""
    if record.ttl is None:
        return None
    shortest: tuple[int, TtlFloor | None] | None = None
    for target in floors or [TtlFloor(provider="", operator="", key="", floor=0, automatic=0)]:
        meta = record.node.get("octodns")
        options = meta.get(target.key) if meta is not None and meta.is_map and target.key else None
        automatic = (
            options is not None
            and options.is_map
            and any((flag := options.get(k)) is not None and flag.value is True for k in ("proxied", "auto-ttl"))
        )
        seconds = target.automatic if automatic and target.automatic else max(target.floor, record.ttl)
        if shortest is None or seconds < shortest[0]:
            shortest = (seconds, target if seconds != record.ttl else None)
    return shortest


def ttl_floors(project: Project, zone: str, path: str) -> list[TtlFloor]:
    """The targets the repository's octoDNS configs push ``zone`` to from the zone file at
    ``path``, with what each does to TTLs. A config counts when one of the zone's ``sources`` is
    a YAML provider whose ``directory`` is the file's directory, read from the repository root
    or from the config's own directory (octoDNS reads it from where it runs). Empty when no
    config does, or a floor is not known (then the written TTLs stand)."""
    floors = project.repository_fact(("octodns-ttl-floors",), lambda: _floors_by_zone(project))
    return floors.get((zone, os.path.normpath(project.cwd / PurePosixPath(path).parent)), [])


def _floors_by_zone(project: Project) -> dict[tuple[str, str], list[TtlFloor]]:
    found: dict[tuple[str, str], list[TtlFloor]] = {}
    unknown: set[tuple[str, str]] = set()
    for path in project.walk((".yaml", ".yml")):
        doc = project.document(Path(path))
        if not isinstance(doc, TreeDocument) or not doc.roots or not is_config(doc.roots[0]):
            continue
        providers, zones = doc.roots[0].get("providers"), doc.roots[0].get("zones")
        here = (project.cwd / doc.path).parent
        for zone in config_zones(doc.roots[0]):
            entry = zones.get(zone.name) if zones is not None else None
            for directory in _yaml_directories(entry.get("sources") if entry is not None else None, providers):
                for base in (project.root, here):
                    key = (zone.name.rstrip(".").lower(), os.path.normpath(base / directory))
                    _add_floors(key, zone, providers, found, unknown)
    return {key: floors for key, floors in found.items() if key not in unknown}


def _yaml_directories(sources: Node | None, providers: Node | None) -> list[str]:
    """The ``directory`` of each YAML provider among a zone's ``sources``."""
    found: list[str] = []
    for item in sources.elements() if sources is not None and sources.is_seq else ():
        entry = providers.get(item.text) if providers is not None and item.is_scalar else None
        klass = entry.get("class") if entry is not None and entry.is_map else None
        directory = entry.get("directory") if entry is not None and entry.is_map else None
        if klass is not None and klass.text in YAML_PROVIDERS and directory is not None and directory.is_scalar:
            found.append(directory.text)
    return found


def _add_floors(
    key: tuple[str, str],
    zone: ConfigZone,
    providers: Node | None,
    found: dict[tuple[str, str], list[TtlFloor]],
    unknown: set[tuple[str, str]],
) -> None:
    for target in zone.targets:
        if not target.operator:
            continue  # a file or a plan: nothing is served from it
        entry = providers.get(target.name) if providers is not None else None
        klass = entry.get("class") if entry is not None and entry.is_map else None
        module = package(klass.text) if klass is not None and klass.is_scalar else ""
        floor, automatic = TTL_FLOORS.get(module, (0, 0))
        written = entry.get("min_ttl") if module in TTL_FLOORS and entry is not None else None
        if written is not None and type(written.value) is not int:
            unknown.add(key)  # from the environment: the floor is not known here
            continue
        if written is not None:
            floor = written.value
        meta = module.removeprefix("octodns_")
        found.setdefault(key, []).append(TtlFloor(target.name, target.operator, meta, floor, automatic))
