"""The addresses attendees can reach this machine at, for the join line a room prints.

Bound to all interfaces (``0.0.0.0`` or ``::``), the lab is reachable at each of the
machine's own addresses, never at loopback (that would be each attendee's own machine).
They are found without any tool or packet: the addresses the host name resolves to, and
the source address the kernel would choose for a route out (a UDP socket's ``connect``
sends nothing). Bound to one address, that address is the one to use.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
from collections.abc import Callable, Iterable

ALL_INTERFACES = ("0.0.0.0", "::", "")
# Documentation addresses (RFC 5737, RFC 3849): only used to ask the kernel for a route.
_ROUTE_PROBES = ((socket.AF_INET, "192.0.2.1"), (socket.AF_INET6, "2001:db8::1"))


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _usable(text: str) -> str | None:
    try:
        ip = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None
    if ip.is_loopback or ip.is_unspecified or ip.is_multicast or ip.is_link_local:
        return None
    return str(ip)


def _by_host_name() -> list[str]:
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, proto=socket.IPPROTO_TCP)
    except OSError:
        return []
    return [str(info[4][0]) for info in infos]


def _by_route() -> list[str]:
    found = []
    for family, probe in _ROUTE_PROBES:
        with contextlib.suppress(OSError), socket.socket(family, socket.SOCK_DGRAM) as s:
            s.connect((probe, 9))  # UDP: picks a route and a source address, sends nothing
            found.append(str(s.getsockname()[0]))
    return found


def machine_addresses(
    sources: Iterable[Callable[[], list[str]]] = (_by_route, _by_host_name),
) -> list[str]:
    """This machine's addresses others may reach, IPv4 first, without duplicates."""
    seen: dict[str, None] = {}
    for source in sources:
        for raw in source():
            ok = _usable(raw)
            if ok is not None:
                seen.setdefault(ok, None)
    return sorted(seen, key=lambda a: (":" in a, a))


def url_host(address: str) -> str:
    return f"[{address}]" if ":" in address else address


def reachable_hosts(bound: str, addresses: list[str] | None = None) -> list[str]:
    """The hosts to print for a lab bound to ``bound``. Loopback when bound to loopback
    (only this machine can join); the machine's addresses when bound to all interfaces
    (possibly none, if it has no network); else the bound address itself."""
    if bound in ALL_INTERFACES:
        found = machine_addresses() if addresses is None else addresses
        want_v6 = bound == "::"
        return [url_host(a) for a in found if want_v6 or ":" not in a]
    return [url_host(bound)]


def local_host(bound: str) -> str:
    """How a program on this machine reaches a lab bound to ``bound``."""
    if bound in ("0.0.0.0", ""):
        return "127.0.0.1"
    if bound == "::":
        return "[::1]"
    return url_host(bound)
