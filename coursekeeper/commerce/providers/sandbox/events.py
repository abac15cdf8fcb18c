"""The test provider's events: its outbox, and their signed delivery to our webhook.

Design. Every state change of the provider writes a `SandboxEvent` row in the same transaction
(`emit_event`, the provider's outbox). A task enqueued on commit delivers it: it builds the JSON
body, signs it with the sandbox webhook secret and calls `webhooks.handle_webhook`, the very
function the webhook view calls, so the signature check, the deduplication and the dispatch are
the real ones.

What is atomic. Delivering one event is one transaction: the event row is locked, the webhook
handled in a savepoint, and the row marked delivered (or its attempt counted) before commit. Two
deliverers of one event therefore serialise on the row and the second finds it delivered; a
handler failure rolls back only the savepoint and leaves the event due, with one more attempt.
`manage.py commerce_sandbox_deliver` (every minute) delivers what a lost task left.
"""

from __future__ import annotations

import json
import logging
import secrets
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from coursekeeper.commerce import signatures
from coursekeeper.commerce.models import SandboxEvent

logger = logging.getLogger(__name__)

# The name the shop knows the test provider by (on its orders, subscriptions and webhook URL).
NAME = "test"
SIGNATURE_HEADER = "Coursekeeper-Signature"
# After this many failed deliveries an event is left alone (it stays visible in the admin);
# the shop re-checks the provider's state on the next event about the same object anyway.
MAX_DELIVERY_ATTEMPTS = 20


def webhook_secret() -> str:
    """Return the secret the test provider signs its webhooks with (read at call time)."""
    return getattr(
        settings, "COMMERCE_SANDBOX_WEBHOOK_SECRET", f"sandbox-webhooks:{settings.SECRET_KEY}"
    )


def emit_event(event_type: str, object_ref: str, *, event_id: str = "") -> SandboxEvent:
    """Record an event in the provider's outbox and deliver it after commit.

    The id is random unless `event_id` is given (a refund names its event after its
    idempotency key, so a retry finds it).
    """
    from coursekeeper.commerce.tasks import deliver_sandbox_event

    event = SandboxEvent.objects.create(
        event_id=event_id or f"evt_test_{secrets.token_hex(12)}",
        event_type=event_type,
        object_ref=object_ref,
    )
    transaction.on_commit(partial(deliver_sandbox_event.enqueue, event.pk))
    return event


def event_body(event: SandboxEvent) -> bytes:
    """Return the JSON body the test provider posts for `event`."""
    return json.dumps(
        {
            "id": event.event_id,
            "type": event.event_type,
            "created": int(event.created_at.timestamp()),
            "object": event.object_ref,
        },
        separators=(",", ":"),
    ).encode()


def signed_headers(body: bytes) -> dict[str, str]:
    return {
        SIGNATURE_HEADER: signatures.sign(secret=webhook_secret(), body=body),
        "Content-Type": "application/json",
    }


def deliver_sandbox_event(*, event_pk: int) -> str | None:
    """Deliver one event to our webhook handler; return its outcome, None if not delivered.

    Safe to call any number of times: a delivered event is not delivered again, and an event
    that failed MAX_DELIVERY_ATTEMPTS times is left alone.
    """
    from coursekeeper.commerce import webhooks

    with transaction.atomic():
        event = (
            SandboxEvent.objects.select_for_update()
            .filter(pk=event_pk, delivered_at__isnull=True, attempts__lt=MAX_DELIVERY_ATTEMPTS)
            .first()
        )
        if event is None:
            return None
        event.attempts += 1
        body = event_body(event)
        try:
            with transaction.atomic():
                outcome = webhooks.handle_webhook(
                    provider=NAME, body=body, headers=signed_headers(body)
                )
        except Exception as error:  # any failure is retried, as a provider does
            logger.warning(
                "test provider: delivering event %s failed (%s), attempt %s",
                event.pk,
                type(error).__name__,
                event.attempts,
            )
            event.save(update_fields=["attempts"])
            return None
        event.delivered_at = timezone.now()
        event.save(update_fields=["attempts", "delivered_at"])
        return outcome


def deliver_pending_sandbox_events(*, limit: int = 500) -> int:
    """Deliver the events a lost task left, oldest first; return how many were delivered."""
    pending = (
        SandboxEvent.objects.filter(delivered_at__isnull=True, attempts__lt=MAX_DELIVERY_ATTEMPTS)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    delivered = 0
    for pk in list(pending):
        if deliver_sandbox_event(event_pk=pk) is not None:
            delivered += 1
    return delivered
