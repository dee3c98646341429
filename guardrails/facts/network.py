"""Network facts shared by the exposure rules: port specs, port ranges and CIDRs.

A port published by Docker, a security-group rule and a firewall rule all come down
to the same two questions: which ports, and reachable from where.
"""

from __future__ import annotations

import ipaddress

from guardrails.records import Frozen

ALL_PORTS = (0, 65535)
WORLD_PREFIXES = frozenset({"0.0.0.0/0", "::/0", "*", "internet", "any", "0.0.0.0", "::"})
_LOOPBACK_NAMES = {"localhost"}
#: Terraform types whose security groups guard no datastore, so that a group only they use
#: exposes none whatever its ingress: a load balancer answers on its listener ports only, and a
#: Lambda function accepts no inbound connection at all (AWS Lambda Developer Guide, "Giving
#: Lambda functions access to resources in an Amazon VPC": a function's security group rules
#: apply to its outbound traffic). CloudFormation and Pulumi map their types onto these.
NO_DATASTORE_BEHIND = frozenset({"aws_lb", "aws_elb", "aws_lambda_function"})


class PortSpec(Frozen):
    """``[HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL]`` as Docker reads it (``-p`` and compose)."""

    host_ip: str
    host_ports: tuple[int, int] | None
    container: tuple[int, int]
    protocol: str


def port_range(text: str) -> tuple[int, int] | None:
    """``"5432"`` -> (5432, 5432); ``"27000-28000"`` -> (27000, 28000); None when not numeric."""
    low, _, high = str(text).strip().partition("-")
    try:
        start = int(low)
        end = int(high) if high else start
    except ValueError:
        return None
    return (start, end) if 0 <= start <= end <= 65535 else None


def covers(span: tuple[int, int], port: int) -> bool:
    return span[0] <= port <= span[1]


def parse_port_spec(raw: str) -> PortSpec | None:
    """A Docker short-syntax port; IPv6 host IPs in brackets (``[::1]:6379:6379``)."""
    spec, _, protocol = raw.strip().partition("/")
    host_ip = ""
    if spec.startswith("["):
        close = spec.find("]")
        if close == -1:
            return None
        host_ip, spec = spec[1:close], spec[close + 2 :]
    parts = spec.split(":")
    if len(parts) > 3:  # an unbracketed IPv6 address
        host_ip, parts = ":".join(parts[:-2]), parts[-2:]
    if len(parts) == 3:
        host_ip, parts = parts[0], parts[1:]
    container = port_range(parts[-1])
    if container is None:
        return None
    host_ports = port_range(parts[0]) if len(parts) == 2 and parts[0] else None
    return PortSpec(host_ip, host_ports, container, (protocol or "tcp").lower())


def is_loopback(host_ip: str) -> bool:
    ip = host_ip.strip().strip("[]")
    if not ip:
        return False
    if ip in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(ip.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def is_all_interfaces(host_ip: str) -> bool:
    """An empty host IP (Docker's default), ``0.0.0.0`` or ``::``: every interface of the host."""
    return host_ip.strip().strip("[]") in ("", "0.0.0.0", "::")


def is_world(cidr: str) -> bool:
    """``0.0.0.0/0``, ``::/0`` (however written: ``0:0:0:0:0:0:0:0/0``) and the cloud words for
    "anywhere" (Azure ``*``/``Internet``)."""
    text = str(cidr).strip().lower()
    if text in WORLD_PREFIXES:
        return True
    if not text.endswith("/0"):
        return False
    try:
        return ipaddress.ip_network(text, strict=False).prefixlen == 0
    except ValueError:
        return False


_PRIVATE = tuple(
    ipaddress.ip_network(n)
    for n in (
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "fc00::/7",
        "fe80::/10",
        "::1/128",
    )
)


def is_private_cidr(cidr: str) -> bool:
    """Inside RFC 1918 / RFC 6598 / RFC 4193 / loopback / link-local: not routed on the internet."""
    try:
        network = ipaddress.ip_network(str(cidr).strip(), strict=False)
    except ValueError:
        return False
    return any(network.version == p.version and network.subnet_of(p) for p in _PRIVATE)  # type: ignore[arg-type]


def ipv4_range_size(start: str, end: str) -> int | None:
    """How many IPv4 addresses ``start``..``end`` holds (None when not two IPv4 addresses)."""
    try:
        low = int(ipaddress.IPv4Address(str(start).strip()))
        high = int(ipaddress.IPv4Address(str(end).strip()))
    except ValueError:
        return None
    return high - low + 1 if high >= low else None
