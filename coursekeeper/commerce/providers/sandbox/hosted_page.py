"""The test provider's hosted payment page: paying a checkout, and expiring abandoned ones.

The page (`/pay/test/<session_id>/`, served by this app but owned by the "provider") offers
card outcomes instead of a card-number field. Paying or expiring a checkout changes the
provider's rows and emits the event Stripe would, in one transaction; the shop learns of it
only through its webhook. `manage.py commerce_sandbox_deliver` expires abandoned checkouts.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.db import transaction
from django.utils import timezone

from coursekeeper.commerce.errors import CommerceError
from coursekeeper.commerce.models import SandboxCheckout, SandboxSubscription
from coursekeeper.commerce.providers.sandbox.events import emit_event
from coursekeeper.commerce.providers.sandbox.renewals import add_interval

# The card outcomes the hosted page offers. The numbers are the well-known test cards' last
# digits; no card number is ever typed.
CARD_ACCEPTED = "accepted"
CARD_DECLINED = "declined"
CARD_EXPIRING = "expiring"
_CARD_LAST4 = {CARD_ACCEPTED: "4242", CARD_EXPIRING: "4444"}


def _with_session_id(url: str, session_id: str) -> str:
    """Put the session id where "{CHECKOUT_SESSION_ID}" stands, or add it as `session_id`."""
    if "{CHECKOUT_SESSION_ID}" in url:
        return url.replace("{CHECKOUT_SESSION_ID}", session_id)
    parts = urlsplit(url)
    query = [*parse_qsl(parts.query, keep_blank_values=True), ("session_id", session_id)]
    return urlunsplit(parts._replace(query=urlencode(query)))


def get_open_checkout(*, session_id: str) -> SandboxCheckout | None:
    """Return the checkout behind the hosted page, or None for an unknown session."""
    return SandboxCheckout.objects.filter(session_id=session_id).first()


def checkout_is_payable(checkout: SandboxCheckout) -> bool:
    return checkout.status == SandboxCheckout.Status.OPEN and checkout.expires_at > timezone.now()


@dataclass(frozen=True)
class PaymentResult:
    paid: bool
    redirect_url: str = ""


def pay_sandbox_checkout(*, session_id: str, card: str, card_country: str) -> PaymentResult:
    """Take the test payment for a checkout the way the buyer chose on the hosted page.

    An accepted card (or one that expires this month) pays the checkout, starts the
    subscription for a subscription checkout, emits "checkout.completed" (and "invoice.paid"
    for the subscription's first charge, as Stripe does) and returns the success URL with the
    session id. A declined card changes nothing, as on Stripe's page: the buyer can try again
    or cancel. A checkout that is paid, failed or expired raises CommerceError; nothing changes.
    """
    if card not in (CARD_ACCEPTED, CARD_DECLINED, CARD_EXPIRING):
        raise CommerceError("sandbox_unknown_card")
    with transaction.atomic():
        checkout = SandboxCheckout.objects.select_for_update().filter(session_id=session_id).first()
        if checkout is None:
            raise CommerceError("order_not_found")
        if checkout.status == SandboxCheckout.Status.PAID:
            raise CommerceError("sandbox_already_paid")
        if not checkout_is_payable(checkout):
            raise CommerceError("sandbox_expired")
        if card == CARD_DECLINED:
            return PaymentResult(paid=False)
        now = timezone.now()
        if card == CARD_EXPIRING:
            exp_month, exp_year = now.month, now.year
        else:
            exp_month, exp_year = 12, now.year + 3
        checkout.status = SandboxCheckout.Status.PAID
        checkout.payment_ref = f"pi_test_{secrets.token_hex(12)}"
        checkout.card_last4 = _CARD_LAST4[card]
        checkout.card_exp_month = exp_month
        checkout.card_exp_year = exp_year
        checkout.card_country = card_country[:2].upper()
        fields = ["status", "payment_ref", "card_last4", "card_exp_month", "card_exp_year"]
        if checkout.mode == "subscription":
            subscription = SandboxSubscription.objects.create(
                subscription_ref=f"sub_test_{secrets.token_hex(12)}",
                session=checkout,
                current_period_end=add_interval(now, checkout.interval or "month"),
            )
            checkout.subscription_ref = subscription.subscription_ref
            fields.append("subscription_ref")
        checkout.save(update_fields=[*fields, "card_country"])
        emit_event("checkout.completed", checkout.session_id)
        if checkout.subscription_ref:
            emit_event("invoice.paid", checkout.subscription_ref)
    return PaymentResult(paid=True, redirect_url=_with_session_id(checkout.success_url, session_id))


def expire_sandbox_checkouts(*, now: dt.datetime | None = None) -> int:
    """Expire open checkouts past their time and emit "checkout.expired"; return how many."""
    now = now or timezone.now()
    expired = 0
    candidates = SandboxCheckout.objects.filter(
        status=SandboxCheckout.Status.OPEN, expires_at__lte=now
    ).values_list("pk", flat=True)
    for pk in list(candidates):
        with transaction.atomic():
            checkout = (
                SandboxCheckout.objects.select_for_update()
                .filter(pk=pk, status=SandboxCheckout.Status.OPEN)
                .first()
            )
            if checkout is None:
                continue
            checkout.status = SandboxCheckout.Status.EXPIRED
            checkout.save(update_fields=["status"])
            emit_event("checkout.expired", checkout.session_id)
            expired += 1
    return expired
