"""Resolvers a host is told to use (resolv.conf, compose ``dns:``, pod dnsConfig, netplan, systemd-resolved,
CoreDNS, dnsmasq): one, or all one provider's.

Kept apart from the zone and Terraform DNS facts so that checking a compose file does not load them.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from pathlib import PurePosixPath

from guardrails.documents import ConfDocument, ConfEntry, TreeDocument
from guardrails.model import Document, Kind, Node, Severity, Span
from guardrails.project import Project
from guardrails.records import Frozen

_PUBLIC_RESOLVERS: dict[str, str] = {
    "8.8.8.8": "Google Public DNS",
    "8.8.4.4": "Google Public DNS",
    "2001:4860:4860::8888": "Google Public DNS",
    "2001:4860:4860::8844": "Google Public DNS",
    "1.1.1.1": "Cloudflare DNS",
    "1.0.0.1": "Cloudflare DNS",
    "2606:4700:4700::1111": "Cloudflare DNS",
    "2606:4700:4700::1001": "Cloudflare DNS",
    "9.9.9.9": "Quad9",
    "149.112.112.112": "Quad9",
    "2620:fe::fe": "Quad9",
    "2620:fe::9": "Quad9",
    "208.67.222.222": "OpenDNS",
    "208.67.220.220": "OpenDNS",
}


# Cloud platforms' resolvers at fixed addresses, answered on every host by the platform itself, not
# by one server; a second resolver beside them would not see the VPC's private zones. Sources: AWS
# "Amazon DNS server" (docs.aws.amazon.com/vpc/latest/userguide/AmazonDNS-concepts.html), Azure "What
# is IP address 168.63.129.16?" (learn.microsoft.com), Google Cloud "Internal DNS" (cloud.google.com/
# compute/docs/internal-dns).
_PLATFORM_RESOLVERS: dict[str, str] = {
    "169.254.169.253": "AWS Route 53 Resolver",
    "fd00:ec2::253": "AWS Route 53 Resolver",
    "168.63.129.16": "Azure DNS",
    "169.254.169.254": "Google Cloud metadata server",
}


def is_local_stub(address: str) -> bool:
    """A loopback resolver (systemd-resolved, dnsmasq, unbound) that forwards to its own upstreams."""
    try:
        return ipaddress.ip_address(address.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


class ResolverVerdict(Frozen):
    message: str
    severity: Severity


def judge_resolvers(addresses: list[str]) -> ResolverVerdict | None:
    """One resolver (high), or every resolver from one public DNS provider (low); nothing when a local
    stub or a cloud platform's own resolver is among them."""
    distinct = list(dict.fromkeys(a.strip() for a in addresses if a.strip()))
    if not distinct or any(is_local_stub(a) or a in _PLATFORM_RESOLVERS for a in distinct):
        return None
    if len(distinct) == 1:
        return ResolverVerdict(
            f"only one DNS resolver ({distinct[0]}): when it fails, every lookup fails", Severity.HIGH
        )
    providers = {_PUBLIC_RESOLVERS.get(a) for a in distinct}
    if len(providers) == 1 and None not in providers:
        provider = next(iter(providers))
        return ResolverVerdict(
            f"every DNS resolver ({', '.join(distinct)}) belongs to {provider}: one provider's outage stops "
            "every lookup",
            Severity.LOW,
        )
    return None


# --------------------------------------------------------------------------- resolver configuration files


class ResolverList(Frozen):
    """The complete list of upstream resolvers one configuration gives, where it is written, and
    the most its verdict can weigh (``at_most``: other sources may add servers at run time)."""

    addresses: list[str]
    span: Span
    where: str
    anchor: str
    at_most: Severity = Severity.CRITICAL


def resolver_lists(doc: Document, project: Project) -> Iterator[ResolverList]:
    """The resolver lists of a netplan file, resolved.conf (merged with its drop-ins), a dnsmasq
    option file or a Corefile. A list that something else completes (DHCP, /etc/resolv.conf, an
    included file, an address that is not one) is not given: its length is unknown."""
    if isinstance(doc, TreeDocument) and doc.kind is Kind.NETPLAN:
        yield from _netplan(doc)
    elif isinstance(doc, ConfDocument) and doc.kind is Kind.RESOLVED_CONF:
        yield from _resolved(doc, project)
    elif isinstance(doc, ConfDocument) and doc.kind is Kind.DNSMASQ_CONF:
        yield from _dnsmasq(doc)
    elif isinstance(doc, ConfDocument) and doc.kind is Kind.COREFILE:
        yield from _corefile(doc)
    elif doc.kind is Kind.NAMED_CONF:
        yield from _named(doc)


def _ip(text: str) -> str | None:
    """An IP address without brackets or IPv6 zone, or None for anything else (a name, a path)."""
    value = text.strip().strip("[]")
    try:
        ipaddress.ip_address(value.split("%", 1)[0])
    except ValueError:
        return None
    return value


def _host_port(text: str) -> str | None:
    """``1.1.1.1``, ``1.1.1.1:53``, ``[2606:4700::1111]:853`` or a bare IPv6 address -> the address."""
    if text.startswith("["):
        return _ip(text[1 : text.find("]")]) if "]" in text else None
    whole = _ip(text)
    if whole is not None or text.count(":") != 1:
        return whole
    return _ip(text.split(":", 1)[0])


_TRUE = ("true", "yes", "on", "y")
_NETPLAN_DEVICES = ("ethernets", "wifis", "bonds", "bridges", "vlans", "tunnels", "vrfs", "modems")


def _netplan(doc: TreeDocument) -> Iterator[ResolverList]:
    """``nameservers.addresses`` of every interface of the file together; an interface that takes
    DNS servers from DHCP (``dhcp4: true`` without ``dhcp4-overrides: {use-dns: false}``) adds an
    unknown number of them."""
    network = doc.roots[0].get("network") if doc.roots and doc.roots[0].is_map else None
    if network is None:
        return
    addresses: list[str] = []
    first: tuple[str, Node] | None = None
    for device_type in _NETPLAN_DEVICES:
        devices = network.get(device_type)
        for name, _, device in devices.items() if devices is not None else ():
            if not device.is_map:
                continue
            for dhcp in ("dhcp4", "dhcp6"):
                flag, overrides = device.get(dhcp), device.get(f"{dhcp}-overrides")
                use_dns = overrides.get("use-dns") if overrides is not None else None
                if flag is not None and flag.text.lower() in _TRUE and (use_dns is None or use_dns.text != "false"):
                    return
            servers = device.path("nameservers", "addresses")
            if servers is None:
                continue
            found = [_ip(item.text) for item in (servers.elements() if servers.is_seq else [servers])]
            if any(a is None for a in found):
                return
            addresses.extend(a for a in found if a is not None)
            key = device.get("nameservers")
            if first is None and key is not None:
                first = (name, key.key_node("addresses") or servers)
    if first is not None:
        name, node = first
        yield ResolverList(addresses, node.span, f"{doc.path} nameservers of {name}", f"netplan:{name}")


def _resolved(doc: ConfDocument, project: Project) -> Iterator[ResolverList]:
    """``DNS=`` in ``[Resolve]``: assignments add to the list, an empty one empties it; drop-ins in
    ``resolved.conf.d/`` are read after the main file. Reported where the list's last assignment
    is; at most medium, since the per-link servers networkd or NetworkManager learn are asked too.
    ``FallbackDNS=`` is only used when no other server is known and is not judged."""
    path = PurePosixPath(doc.path)
    base = path.parent.parent if path.parent.name == "resolved.conf.d" else path.parent
    files: list[Document | None] = [project.document(project.cwd / base / "resolved.conf")]
    files += project.directory_documents(project.cwd / base / "resolved.conf.d", (".conf",))
    if not any(other is not None and other.path == doc.path for other in files):
        files.append(doc)  # a scan of one drop-in given by its path
    entries: list[tuple[Document, ConfEntry]] = []
    for other in files:
        if isinstance(other, ConfDocument) and other.kind is Kind.RESOLVED_CONF:
            entries += [(other, e) for e in other.entries if e.section == "Resolve" and e.key == "DNS"]
    addresses: list[str] = []
    for _, entry in entries:
        words = entry.values[0].split()
        if not words:
            addresses = []
        for word in words:
            address = _host_port(word.split("#", 1)[0])
            if address is None:
                return
            addresses.append(address)
    if addresses and entries[-1][0].path == doc.path:
        span = entries[-1][1].span
        yield ResolverList(addresses, span, f"{doc.path} DNS=", "resolved:DNS", at_most=Severity.MEDIUM)


def _dnsmasq(doc: ConfDocument) -> Iterator[ResolverList]:
    """``server=`` lines for every domain (not ``server=/domain/ip``) of a file that sets
    ``no-resolv`` and includes nothing: without ``no-resolv`` dnsmasq also asks the servers of
    /etc/resolv.conf."""
    if not doc.all("no-resolv") or any(doc.all(k) for k in ("conf-file", "conf-dir", "servers-file", "resolv-file")):
        return
    servers = [e for e in doc.all("server") if e.values and not e.values[0].startswith("/")]
    addresses: list[str] = []
    for entry in servers:
        address = _host_port(entry.values[0].split("@", 1)[0].split("#", 1)[0])
        if address is None:
            return
        addresses.append(address)
    if servers:
        yield ResolverList(addresses, servers[0].span, f"{doc.path} server=", "dnsmasq:server")


_SCHEMES = ("dns://", "tls://", "https://", "grpc://")


def _corefile(doc: ConfDocument) -> Iterator[ResolverList]:
    """``forward . TO...`` in a server block for the root zone: the upstreams every name that no
    other block answers goes to. A ``TO`` that is a file (``/etc/resolv.conf``) or not an address
    leaves the count unknown."""
    for entry in doc.all("forward"):
        zones = {_zone(key) for key in entry.section.split()}
        if "." not in zones or not entry.values or entry.values[0] != ".":
            continue
        addresses: list[str] = []
        for upstream in entry.values[1:]:
            for scheme in _SCHEMES:
                upstream = upstream.removeprefix(scheme)
            address = _host_port(upstream)
            if address is None:
                break
            addresses.append(address)
        else:
            yield ResolverList(addresses, entry.span, f"{doc.path} forward .", f"corefile:{entry.section}")


def _named(doc: Document) -> Iterator[ResolverList]:
    """BIND's ``options { forward only; forwarders { ...; }; }``: with ``forward only`` every
    name it does not serve is asked of the forwarders alone. With ``forward first`` (the default)
    BIND resolves from the root itself when they fail: no single point of failure. A forwarder
    that is not an address (a ``remote-servers`` list name) leaves the count unknown."""
    from guardrails.documents import NamedConfDocument

    if not isinstance(doc, NamedConfDocument):
        return
    for options in doc.top("options"):
        forward, forwarders = options.value("forward"), options.first("forwarders")
        if forward is None or forward.text.lower() != "only" or forwarders is None:
            continue
        addresses = [_ip(element.keyword) for element in forwarders.block or ()]
        if addresses and None not in addresses:
            found = [a for a in addresses if a is not None]
            yield ResolverList(found, forwarders.span, f"{doc.path} forwarders", "named:forwarders")


def _zone(key: str) -> str:
    """``dns://.:53`` -> ``.``; ``example.org:1053`` -> ``example.org``."""
    for scheme in _SCHEMES:
        key = key.removeprefix(scheme)
    return key.rsplit(":", 1)[0] if ":" in key else key
