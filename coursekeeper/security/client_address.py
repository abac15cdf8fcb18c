"""Which address a request came from: the one rule every part of the platform uses.

Behind a reverse proxy every request connects from the proxy, so `REMOTE_ADDR` names the proxy
and the visitor's address is in `X-Forwarded-For`. That header is a list anyone can start: each
proxy appends the address that connected to it, so only the entries added by proxies we trust
mean anything, and they are at the right-hand end. The rule, read at call time from settings:

- `TRUSTED_PROXIES` (networks): walk from `REMOTE_ADDR` leftwards through the header while the
  address in hand is one of ours; the first address that is not is the visitor.
- otherwise `TRUSTED_PROXY_COUNT` (a number N): the N-th entry from the right of the header is
  the visitor (with one proxy, the last entry: the one the proxy itself appended).
- otherwise, the default: no proxy is trusted, the header is ignored and `REMOTE_ADDR` counts.

A header that is too short for the configured depth, or an entry that is not an address, means
the request did not come the way the configuration says; then `REMOTE_ADDR`, which the client
cannot forge, counts. Sign-in throttling (django-axes, through `AXES_CLIENT_IP_CALLABLE`),
allauth's own rate limits and sessions (the account adapter) and the security log all ask here.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _parse(value: str) -> str | None:
    """Return `value` as a normalised address, or None when it is not one."""
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def _trusted_networks() -> list[Network]:
    return [ipaddress.ip_network(network, strict=False) for network in settings.TRUSTED_PROXIES]


def _is_trusted(address: str, networks: list[Network]) -> bool:
    parsed = ipaddress.ip_address(address)
    return any(parsed in network for network in networks)


def client_ip(request: HttpRequest) -> str | None:
    """Return the address of the visitor who sent `request` (None only without REMOTE_ADDR)."""
    remote = _parse(request.META.get("REMOTE_ADDR", ""))
    if remote is None:
        return None
    forwarded = [
        entry for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()
    ]
    networks = _trusted_networks()
    if networks:
        address = remote
        for entry in reversed(forwarded):
            if not _is_trusted(address, networks):
                break
            parsed = _parse(entry)
            if parsed is None:
                return remote
            address = parsed
        return address
    proxy_count = settings.TRUSTED_PROXY_COUNT
    if proxy_count > 0:
        if len(forwarded) < proxy_count:
            return remote
        return _parse(forwarded[-proxy_count]) or remote
    return remote
