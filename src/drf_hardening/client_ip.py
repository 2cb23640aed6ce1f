"""Who is the client? The one answer used by the throttles, the guards and the security log.

``REMOTE_ADDR`` is the address of whoever opened the TCP connection, and it is
the only value a client cannot forge. ``X-Forwarded-For`` is read only when
``DRF_HARDENING["TRUSTED_PROXIES"]`` says proxies of your own append to it:

- an ``int`` *n*: *n* proxies stand in front of Django, each appending the
  address it received the connection from; the client is the *n*-th entry
  from the right (DRF's ``NUM_PROXIES``, without its ``None`` default that
  trusts the whole header). When ``TRUSTED_PROXIES`` is not set, an int
  ``REST_FRAMEWORK["NUM_PROXIES"]`` is this count, so the classes are a
  drop-in for DRF's;
- a list of addresses or CIDR blocks: the chain ``X-Forwarded-For +
  [REMOTE_ADDR]`` is walked from the right, skipping trusted proxies; the
  first address that is not one of them is the client.

Entries that are not IP addresses never become the identity: the walk stops
and keeps the last address it could trust. Only the right-hand part of the
header, written by your proxies, is ever used, so a client that writes its
own ``X-Forwarded-For`` gets no new identity (tests/test_client_ip.py tries
every mode).

``get_client_ip`` returns the full address (for logs). ``get_client_ident``
groups IPv6 clients by ``DRF_HARDENING["IPV6_PREFIX_LENGTH"]`` (a /64 by
default: one customer usually owns a whole /64, so counting single IPv6
addresses would give each of them 2**64 identities) and is what the throttles
key on.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.http import HttpRequest

from drf_hardening.conf import conf

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

#: Identity of a request whose ``REMOTE_ADDR`` is missing or not an address
#: (a Unix socket, a broken test client). Such requests share one bucket.
UNKNOWN = "unknown"


@lru_cache(maxsize=1024)  # bounded; entries are immutable addresses
def parse_ip(value: str) -> IPAddress | None:
    """``value`` as an address, or ``None`` when it is not one.

    Accepts the forms proxies write: ``1.2.3.4``, ``1.2.3.4:5678``,
    ``2001:db8::1``, ``[2001:db8::1]:443``. IPv4-mapped IPv6 addresses
    (``::ffff:1.2.3.4``, what a dual-stack socket reports) become IPv4, so one
    client has one identity. Zone ids (``fe80::1%eth0``) are refused.
    """
    text = value.strip()
    if "%" in text:  # a zone id names an interface of the sender, not a client
        return None
    if text.startswith("["):
        text, bracket, _port = text[1:].partition("]")
        if not bracket:
            return None
    elif text.count(":") == 1:  # IPv4 with a port; IPv6 has at least two colons
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


@lru_cache(maxsize=32)
def parse_networks(entries: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    """The trusted proxies as networks; raises ``ValueError`` on a bad entry.

    Cached: the setting is a handful of strings read on every request.
    """
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)


def trusted_proxies() -> int | tuple[IPNetwork, ...]:
    """``TRUSTED_PROXIES`` (or DRF's ``NUM_PROXIES``) as a count or as parsed networks.

    ``conf`` serves only valid values: a malformed one is a system-check error
    (``drf_hardening.E027``, ``E011``, ``E034``) and reads as ``0`` (trust no
    header), the one reading that cannot be spoofed.
    """
    value = conf.TRUSTED_PROXIES
    if isinstance(value, int):
        return value
    return parse_networks(tuple(value))


def _forwarded_chain(request: HttpRequest) -> list[str]:
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return [entry for entry in str(header).split(",") if entry.strip()]


def get_client_ip(request: HttpRequest) -> str:
    """The client's address as text (``"unknown"`` when there is none)."""
    remote = parse_ip(str(request.META.get("REMOTE_ADDR") or ""))
    if remote is None:
        return UNKNOWN
    client: IPAddress = remote
    proxies = trusted_proxies()
    if isinstance(proxies, int):
        # REMOTE_ADDR is our innermost proxy; each of the n proxies appended one
        # entry, so the client is n entries from the right. With fewer entries
        # than proxies the leftmost one is still written by a proxy of ours.
        for entry in reversed(_forwarded_chain(request)[-proxies:] if proxies else []):
            address = parse_ip(entry)
            if address is None:
                break  # nothing left of a malformed entry can be trusted
            client = address
    elif any(remote in network for network in proxies):
        for entry in reversed(_forwarded_chain(request)):
            address = parse_ip(entry)
            if address is None:
                break
            client = address
            if not any(address in network for network in proxies):
                break  # the first untrusted hop is the client
    return str(client)


def get_client_ident(request: HttpRequest) -> str:
    """What throttles count by: ``get_client_ip``, with IPv6 grouped by prefix.

    ``2001:db8:1:2:aaaa::1`` becomes ``2001:db8:1:2::/64`` with the default
    ``IPV6_PREFIX_LENGTH`` of 64; IPv4 addresses are kept whole.
    """
    text = get_client_ip(request)
    address = parse_ip(text)
    if isinstance(address, ipaddress.IPv6Address):
        # An int from 1 to 128: conf serves the default (64) for anything else (E028).
        prefix = conf.IPV6_PREFIX_LENGTH
        return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))
    return text
