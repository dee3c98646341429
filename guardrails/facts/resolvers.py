"""Resolvers a host is told to use (resolv.conf, compose ``dns:``, pod dnsConfig): one, or all one provider's.

Kept apart from the zone and Terraform DNS facts so that checking a compose file does not load them.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from guardrails.model import Severity

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


def is_local_stub(address: str) -> bool:
    """A loopback resolver (systemd-resolved, dnsmasq, unbound) that forwards to its own upstreams."""
    try:
        return ipaddress.ip_address(address.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class ResolverVerdict:
    message: str
    severity: Severity


def judge_resolvers(addresses: list[str]) -> ResolverVerdict | None:
    """One resolver (high), or every resolver from one public DNS provider (low)."""
    distinct = list(dict.fromkeys(a.strip() for a in addresses if a.strip()))
    if not distinct or any(is_local_stub(a) for a in distinct):
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
