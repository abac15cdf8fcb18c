"""A small limit on the public code check, per client address (R9).

Codes cannot be found by guessing (2**60 of them), so the limit only keeps a script from
hammering the page. It counts in the cache, whose keys are keyed hashes
(`privacy.cache.keyed_cache_key`): no address is stored in clear, and the counts expire within
the window.
"""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest

from coursekeeper.security.client_address import client_ip

CHECKS_PER_WINDOW = 30
WINDOW_SECONDS = 600


def allow_check(request: HttpRequest) -> bool:
    """Count one check from the request's address; return whether it is within the limit."""
    key = f"certificates:verify:{client_ip(request) or 'unknown'}"
    cache.add(key, 0, timeout=WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS)
        count = 1
    return count <= CHECKS_PER_WINDOW
