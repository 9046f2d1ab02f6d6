"""The visitor's address behind reverse proxies.

X-Forwarded-For is only believed when the connection comes from a proxy listed in TRUSTED_PROXIES; then
the address is the rightmost one in the header that is not itself a trusted proxy (anything to its left
could be written by the visitor). Without this, every visitor behind nginx shares 127.0.0.1 and the
web form's rate limit would stop all of them at once. Hand-written rather than aiohttp-remotes: its strict
mode refuses direct connections, its relaxed mode trusts any peer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address

from aiohttp import hdrs, web

Network = IPv4Network | IPv6Network
UNKNOWN = "?"


def _parse(text: str) -> IPv4Address | IPv6Address | None:
    try:
        return ip_address(text.strip())
    except ValueError:
        return None


def _trusted(address: IPv4Address | IPv6Address, proxies: Iterable[Network]) -> bool:
    return any(address in network for network in proxies)


def client_address(request: web.Request, proxies: Sequence[Network]) -> str:
    peer = _parse(request.remote or "")
    if peer is None:
        return request.remote or UNKNOWN
    if not _trusted(peer, proxies):
        return str(peer)
    hops = [hop for header in request.headers.getall(hdrs.X_FORWARDED_FOR, []) for hop in header.split(",")]
    address = peer
    for hop in reversed(hops):
        forwarded = _parse(hop)
        if forwarded is None:  # a garbled entry: nothing to its left can be believed
            break
        address = forwarded
        if not _trusted(forwarded, proxies):
            break
    return str(address)
