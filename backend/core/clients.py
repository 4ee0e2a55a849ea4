"""The address of the client behind a request, believing `X-Forwarded-For` only from trusted proxies.

Behind a load balancer every connection comes from the balancer, so per-client limits need the address it
forwards; but the header is whatever the client sent unless a proxy we run wrote it. The header is read
from the right (each proxy appends the address it saw) while the hop it came from is one of
TRUSTED_PROXIES; the first address that is not a trusted proxy is the client.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from backend.core.config import get_settings

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(spec: str) -> tuple[_Network, ...]:
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in spec.split(",") if part.strip())


def _trusted(address: str, networks: tuple[_Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in network for network in networks)


def client_address(peer: str | None, forwarded_for: str | None = None) -> str:
    """The client's address: the connection's peer, or what trusted proxies forwarded ("unknown" if neither)."""
    peer = (peer or "").strip()
    networks = _networks(get_settings().trusted_proxies)
    if not peer or not networks or not _trusted(peer, networks):
        return peer or "unknown"
    hops = [part.strip() for part in (forwarded_for or "").split(",") if part.strip()]
    client = peer
    while hops and _trusted(client, networks):
        client = hops.pop()
    return client


__all__ = ["client_address"]
