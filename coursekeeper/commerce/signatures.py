"""Webhook signatures: HMAC-SHA256 over "timestamp.raw body", checked within 5 minutes.

Stripe signs its webhooks this way (header `t=<unix time>,v1=<hex>`); the built-in test provider
signs the same way, so one checked implementation serves both.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from coursekeeper.commerce.providers.base import WebhookRejected

TOLERANCE_SECONDS = 300


def sign(*, secret: str, body: bytes, timestamp: int | None = None) -> str:
    """Return a signature header for `body`, as the provider sends it."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(*, secret: str, body: bytes, header: str, now: float | None = None) -> int:
    """Check `header` against `body`; return its timestamp or raise WebhookRejected.

    Any `v1` entry may match (providers send several while a secret is being rolled); the
    timestamp must be within 5 minutes either way, so a captured request cannot be replayed
    later.
    """
    if not secret:
        raise WebhookRejected("no_secret_configured")
    timestamp = None
    candidates = []
    for part in (header or "").split(","):
        key, _sep, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1" and value:
            candidates.append(value)
    if timestamp is None or not candidates:
        raise WebhookRejected("malformed_signature")
    expected = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    if not any(hmac.compare_digest(expected, candidate) for candidate in candidates):
        raise WebhookRejected("bad_signature")
    now = time.time() if now is None else now
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        raise WebhookRejected("stale_timestamp")
    return timestamp
