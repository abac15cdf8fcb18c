"""The built-in test provider: a payment provider that lives in our own database.

It stands in for Stripe so the demo and the tests buy offline through the same flow: our
checkout redirects the buyer to a hosted page (`/pay/test/<session_id>/`, served by this app
but owned by the "provider"), the buyer picks a card outcome (there is no card-number field),
and the provider tells us by a signed webhook. The `Sandbox*` rows are the provider's own
systems; the shop reads them only through the `PaymentProvider` methods, exactly as it reads
Stripe.

Where each part lives (the names other modules use are importable from here):
- `provider`: `SandboxProvider`, the shop's side (create and read checkouts and subscriptions,
  cancel, refund, parse a webhook);
- `hosted_page`: the provider's payment page (`pay_sandbox_checkout`, the card outcomes) and
  the expiry of abandoned checkouts;
- `renewals`: the provider's billing clock for subscriptions (`renew_sandbox_subscriptions`,
  run by `manage.py commerce_sandbox_renew`);
- `events`: the provider's outbox (`emit_event`, written in the transaction of every state
  change) and the signed delivery of its events to our webhook (`deliver_sandbox_event`, and
  `manage.py commerce_sandbox_deliver` for what a lost task left).
"""

from coursekeeper.commerce.providers.sandbox.events import (
    MAX_DELIVERY_ATTEMPTS,
    NAME,
    SIGNATURE_HEADER,
    deliver_pending_sandbox_events,
    deliver_sandbox_event,
    emit_event,
    event_body,
    signed_headers,
    webhook_secret,
)
from coursekeeper.commerce.providers.sandbox.hosted_page import (
    CARD_ACCEPTED,
    CARD_DECLINED,
    CARD_EXPIRING,
    PaymentResult,
    checkout_is_payable,
    expire_sandbox_checkouts,
    get_open_checkout,
    pay_sandbox_checkout,
)
from coursekeeper.commerce.providers.sandbox.provider import SandboxProvider
from coursekeeper.commerce.providers.sandbox.renewals import (
    PAST_DUE_GRACE,
    RenewalCounts,
    add_interval,
    renew_sandbox_subscriptions,
)

__all__ = [
    "CARD_ACCEPTED",
    "CARD_DECLINED",
    "CARD_EXPIRING",
    "MAX_DELIVERY_ATTEMPTS",
    "NAME",
    "PAST_DUE_GRACE",
    "SIGNATURE_HEADER",
    "PaymentResult",
    "RenewalCounts",
    "SandboxProvider",
    "add_interval",
    "checkout_is_payable",
    "deliver_pending_sandbox_events",
    "deliver_sandbox_event",
    "emit_event",
    "event_body",
    "expire_sandbox_checkouts",
    "get_open_checkout",
    "pay_sandbox_checkout",
    "renew_sandbox_subscriptions",
    "signed_headers",
    "webhook_secret",
]
