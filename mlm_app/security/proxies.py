"""Client address behind reverse proxies: believe X-Forwarded-For only from trusted proxies."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(cidrs: Iterable[str]) -> list[Network]:
    """Parse trusted-proxy CIDRs; a bad entry is a configuration error (raised at start)."""
    return [ipaddress.ip_network(c.strip(), strict=False) for c in cidrs if c.strip()]


def _valid(ip: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(ip.strip())
    except ValueError:
        return None


def _trusted(addr: ipaddress.IPv4Address | ipaddress.IPv6Address, nets: list[Network]) -> bool:
    return any(addr in net for net in nets)


def client_ip(peer: str | None, forwarded_for: str | None, trusted: list[Network]) -> str:
    """The first untrusted address walking X-Forwarded-For from the right, or the peer itself.

    A client can prepend anything to X-Forwarded-For, so only hops appended by our own proxies
    (the right-hand end) are believed; a malformed hop stops the walk at the last good address.
    """
    current = _valid(peer or "")
    if current is None:
        return "0.0.0.0"
    if not forwarded_for or not _trusted(current, trusted):
        return str(current)
    for hop in reversed(forwarded_for.split(",")[-20:]):
        addr = _valid(hop)
        if addr is None:
            break
        current = addr
        if not _trusted(addr, trusted):
            break
    return str(current)
