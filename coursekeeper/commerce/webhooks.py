"""Payment provider webhooks: verified, processed once per event id, never trusted beyond that.

Design. `handle_webhook` is the one entry for every provider event, whether it arrives over HTTP
(`POST /webhooks/<provider>/`) or from the built-in test provider's delivery task, which calls it
in-process with a real signature.

1. The provider's `parse_webhook` checks the HMAC-SHA256 signature over the raw body and the
   timestamp (5 minutes' tolerance); a forged or stale event raises WebhookRejected before
   anything is read from the database, so it changes nothing.
2. The event's `WebhookEvent` row (unique per provider and event id) is inserted and the handler
   run in ONE transaction. A replay finds the row and returns "duplicate"; two copies arriving
   at once serialise on the unique index, and the second sees the first's outcome. When the
   handler fails (the provider cannot be reached to re-check the state, or anything
   unexpected), the whole transaction rolls back, the row with it, and the error propagates: the
   view answers 503 and the provider's retry is processed as if it were the first delivery.
3. The handler uses only the event's id, type and object reference from the body. It asks the
   provider for the current state (`fulfil_checkout` and `fail_checkout` call
   `retrieve_checkout`, `sync_subscription` calls `retrieve_subscription`, `sync_refund` asks
   about the payment), so events can arrive in any order: "checkout.completed" after
   "checkout.expired" still fulfils a session that is paid, and "invoice.paid" before
   "checkout.completed" finds no subscription yet ("unknown_order") while the checkout creates
   it from the provider's state.
4. Any failure of the handler -- the provider unreachable, a refusal of ours such as a seller
   whose invoice details are incomplete -- rolls everything back and propagates, so the event
   is retried until it goes through (Stripe retries for three days, the test provider's
   deliverer up to 20 times); a payment is never acknowledged without its fulfilment.

Outcomes: "processed", "duplicate", "unknown_order", "ignored" (an event the shop does not act
on). Only ids, the type and the outcome are stored, never the body.
"""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction

from coursekeeper.commerce.models import Order, WebhookEvent
from coursekeeper.commerce.providers.base import ProviderEvent, get_provider

logger = logging.getLogger(__name__)

PROCESSED = "processed"
DUPLICATE = "duplicate"
UNKNOWN_ORDER = "unknown_order"
IGNORED = "ignored"

CHECKOUT_COMPLETED = "checkout.completed"
CHECKOUT_ENDED = ("checkout.expired", "checkout.failed")
SUBSCRIPTION_CHANGED = (
    "invoice.paid",
    "invoice.payment_failed",
    "subscription.updated",
    "subscription.deleted",
)
CHARGE_REFUNDED = "charge.refunded"


def known_provider(name: str) -> bool:
    """Return whether `name` is a payment provider the shop can take webhooks from."""
    try:
        get_provider(name)
    except LookupError:
        return False
    return True


def handle_webhook(*, provider: str, body: bytes, headers: dict) -> str:
    """Verify, record once and act on one provider event; return the outcome.

    Raises WebhookRejected for a bad or stale signature (nothing changed), LookupError for an
    unknown provider name, and ProviderError, CommerceError (or anything unexpected) when the
    event could not be processed now; then nothing was recorded and the provider should retry.
    """
    payment_provider = get_provider(provider)
    event = payment_provider.parse_webhook(body, headers)
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = WebhookEvent.objects.create(
                    provider=provider, event_id=event.event_id, event_type=event.kind[:64]
                )
        except IntegrityError:
            return DUPLICATE
        outcome = _dispatch(provider=provider, event=event)
        record.outcome = outcome
        record.save(update_fields=["outcome"])
    logger.info("webhook %s %s %s: %s", provider, event.kind, event.event_id, outcome)
    return outcome


def _dispatch(*, provider: str, event: ProviderEvent) -> str:
    if event.kind == CHECKOUT_COMPLETED:
        from coursekeeper.commerce.checkout.fulfilment import fulfil_checkout

        order = fulfil_checkout(provider=provider, session_id=event.object_ref)
        return PROCESSED if order is not None else UNKNOWN_ORDER
    if event.kind in CHECKOUT_ENDED:
        from coursekeeper.commerce.checkout.fulfilment import fail_checkout

        order = fail_checkout(provider=provider, session_id=event.object_ref)
        return PROCESSED if order is not None else UNKNOWN_ORDER
    if event.kind in SUBSCRIPTION_CHANGED:
        from coursekeeper.commerce.subscriptions import sync_subscription

        subscription = sync_subscription(provider=provider, subscription_ref=event.object_ref)
        return PROCESSED if subscription is not None else UNKNOWN_ORDER
    if event.kind == CHARGE_REFUNDED:
        if not event.object_ref or not (
            Order.objects.filter(provider=provider, provider_payment_ref=event.object_ref).exists()
        ):
            return UNKNOWN_ORDER
        from coursekeeper.commerce.refunds import sync_refund

        sync_refund(provider=provider, payment_ref=event.object_ref)
        return PROCESSED
    return IGNORED
