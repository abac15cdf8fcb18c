"""The one interface every payment provider implements (Stripe, the built-in test provider).

The shop never trusts what a redirect or a webhook says: it asks the provider again
(`retrieve_checkout`, `retrieve_subscription`) and acts on the answer. Card numbers and
security codes never pass through here; the buyer types them on the provider's own page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Protocol

from django.conf import settings


class ProviderError(Exception):
    """The provider could not be reached or refused; nothing was charged or changed."""


class UnknownToProvider(ProviderError):
    """The provider answered that it has no such object (a subscription, a checkout).

    A definite answer, unlike an unreachable provider: what it does not know, it cannot charge.
    """


class WebhookRejected(Exception):
    """A webhook whose signature is wrong or too old; it changes nothing."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class CheckoutLine:
    description: str
    quantity: int
    unit_amount_minor: int  # with VAT, what the buyer pays per unit


@dataclass(frozen=True)
class CheckoutRequest:
    order_ref: str  # our order's public id
    mode: str  # "payment" | "subscription"
    currency: str
    lines: tuple[CheckoutLine, ...]
    total_minor: int
    customer_email: str
    success_url: str  # the provider appends the session id where "{CHECKOUT_SESSION_ID}" stands
    cancel_url: str
    expires_at: dt.datetime
    interval: str = ""  # "month" | "year" for subscriptions
    locale: str = "en"


@dataclass(frozen=True)
class CheckoutSession:
    session_id: str
    url: str


@dataclass(frozen=True)
class Card:
    last4: str
    exp_month: int
    exp_year: int
    country: str = ""


@dataclass(frozen=True)
class CheckoutState:
    session_id: str
    order_ref: str
    status: str  # "open" | "paid" | "failed" | "expired"
    amount_minor: int
    currency: str
    payment_ref: str = ""
    subscription_ref: str = ""
    card: Card | None = None
    # How much of the payment the provider has refunded so far (refunds made at its dashboard
    # included); `refunds.sync_refund` records the difference to what the shop knows of.
    refunded_minor: int = 0


@dataclass(frozen=True)
class SubscriptionState:
    subscription_ref: str
    status: str  # "active" | "past_due" | "cancelled" | "ended"
    current_period_end: dt.datetime
    cancel_at_period_end: bool = False
    card: Card | None = None


@dataclass(frozen=True)
class RefundState:
    refund_ref: str
    status: str  # "succeeded" | "pending" | "failed"
    amount_minor: int


@dataclass(frozen=True)
class ProviderEvent:
    """A verified webhook event, named in the shop's own words whatever the provider calls it.

    `kind` is one of: "checkout.completed", "checkout.expired", "checkout.failed",
    "invoice.paid", "invoice.payment_failed", "subscription.updated", "subscription.deleted",
    "charge.refunded", or "other" (acknowledged and ignored). `object_ref` is the id of the
    thing it is about (checkout session, subscription, payment); the handler fetches its state.
    """

    event_id: str
    kind: str
    object_ref: str
    created_at: dt.datetime
    raw_type: str = ""
    extra: dict = field(default_factory=dict)


class PaymentProvider(Protocol):
    name: str

    def create_checkout(self, request: CheckoutRequest) -> CheckoutSession: ...

    def retrieve_checkout(self, session_id: str) -> CheckoutState: ...

    def retrieve_subscription(self, subscription_ref: str) -> SubscriptionState: ...

    def cancel_subscription(
        self, subscription_ref: str, *, at_period_end: bool = True
    ) -> SubscriptionState: ...

    def refund(
        self, payment_ref: str, amount_minor: int, *, idempotency_key: str
    ) -> RefundState: ...

    def parse_webhook(self, body: bytes, headers: dict[str, str]) -> ProviderEvent:
        """Verify the signature over the raw body and return the event; raise WebhookRejected."""
        ...


def test_payments_enabled() -> bool:
    """Return whether the built-in test provider exists here (`COMMERCE_TEST_PAYMENTS`).

    On in development and the tests; in production only when explicitly asked for, because its
    page marks orders paid without any money moving.
    """
    return bool(settings.COMMERCE_TEST_PAYMENTS)


def get_provider(name: str | None = None) -> PaymentProvider:
    """Return the provider called `name`, or the one the shop's settings choose.

    Raises LookupError for a name no provider has here, the test provider's included where
    test payments are off.
    """
    from coursekeeper.commerce.models import ShopSettings

    name = name or ShopSettings.current().payment_provider
    if name == "stripe":
        from coursekeeper.commerce.providers.stripe import StripeProvider

        return StripeProvider()
    if name == "test" and test_payments_enabled():
        from coursekeeper.commerce.providers.sandbox.provider import SandboxProvider

        return SandboxProvider()
    raise LookupError(f"No payment provider is called {name!r} here.")
