"""The address guard: marsad fetches only public http(s) addresses unless told otherwise.

A URL from a feed or a redirect could name ``http://169.254.169.254/`` (a cloud metadata
service), ``http://localhost:6379/`` or a host whose DNS answer is a private address. The
guard runs where the connection is made (``GuardedBackend.connect_tcp``): the host is
resolved, every address it resolves to is checked, and the socket is opened to one of the
checked addresses, never to a second resolution, so a DNS answer that changes between check
and connect (rebinding) cannot slip through. Every redirect hop opens its own connection and
is checked again. Hosts the user names (``allow_hosts``) are exempt, by name.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Iterable
from urllib.parse import urlsplit

import httpcore

from marsad.errors import AddressRefused

SCHEMES = ("http", "https")

# Addresses outside every public range that Python's ``is_global`` does not already exclude.
_EXTRA_BLOCKED = [ipaddress.ip_network(n) for n in (
    "100.64.0.0/10",     # carrier-grade NAT (shared address space)
    "192.0.0.0/24",      # IETF protocol assignments
    "198.18.0.0/15",     # benchmarking
    "fd00:ec2::254/128",  # the IPv6 metadata address of one cloud
)]


def normalize_hosts(hosts: Iterable[str]) -> frozenset[str]:
    """Host names as the guard compares them: lower case, no brackets, no port."""
    out = set()
    for h in hosts:
        h = h.strip().lower()
        if h.startswith("["):
            h = h[1:].split("]", 1)[0]
        elif h.count(":") == 1:
            h = h.split(":", 1)[0]
        if h:
            out.add(h)
    return frozenset(out)


def is_public(address: str) -> bool:
    """Whether an IP address is a public unicast address (not loopback, private, link-local,
    metadata, multicast, reserved or unspecified)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if not ip.is_global or ip.is_multicast:
        return False
    return not any(ip in net for net in _EXTRA_BLOCKED)


def check_url(url: str) -> str:
    """The URL's host when its scheme is http or https and it names a host; otherwise
    ``AddressRefused``. (Addresses are checked when connecting, see ``resolve``.)"""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 -- raises ValueError on a malformed port
    except ValueError as exc:
        raise AddressRefused(url, f"not a valid URL ({exc})") from None
    if parts.scheme.lower() not in SCHEMES:
        raise AddressRefused(url, f"only http and https URLs are fetched, not {parts.scheme or 'no scheme'!r}")
    if not host:
        raise AddressRefused(url, "the URL names no host")
    return host.lower()


def resolve(host: str, port: int, allow_hosts: frozenset[str] = frozenset()) -> list[str]:
    """The addresses ``host`` resolves to, every one checked; ``AddressRefused`` when any is
    not public (a host with one private address among public ones is refused too) and the
    host is not allowed by name."""
    name = host.lower().strip("[]")
    try:
        infos = socket.getaddrinfo(name, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise AddressRefused(f"{host}:{port}", f"the host name does not resolve ({exc})") from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise AddressRefused(f"{host}:{port}", "the host name resolves to no address")
    if name not in allow_hosts:
        for a in addresses:
            if not is_public(a):
                raise AddressRefused(f"{host}:{port}", f"resolves to {a}, a loopback, private, "
                                     "link-local or otherwise non-public address (allow it "
                                     f"explicitly with --allow-host {name})")
    return addresses


class GuardedBackend(httpcore.SyncBackend):
    """httpcore's network backend with the address guard in ``connect_tcp``."""

    def __init__(self, allow_hosts: frozenset[str] = frozenset()):
        self.allow_hosts = allow_hosts

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        addresses = resolve(host, port, self.allow_hosts)
        last: Exception | None = None
        for address in addresses:
            try:
                return super().connect_tcp(address, port, timeout=timeout, local_address=local_address,
                                           socket_options=socket_options)
            except httpcore.ConnectError as exc:
                last = exc
        assert last is not None
        raise last
