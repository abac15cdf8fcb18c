"""Stripe Checkout behind the shop's `PaymentProvider` interface (the official `stripe` library).

The buyer pays on Stripe's hosted page, so card numbers and security codes never reach us; what
we read back of a card is what Stripe shows anyone with the secret key: brand-less last 4
digits, expiry and issuing country. No `payment_method_types` is sent, so the methods switched
on in the Stripe dashboard (cards, MobilePay, ...) are offered.

Configuration comes from the environment through settings, read at call time:
`STRIPE_SECRET_KEY`, `STRIPE_WEBHOOK_SECRET`, and `STRIPE_API_BASE` (only to point the client at
a local fake server in tests). Every failure of the API -- unreachable, timed out, refused --
becomes a ProviderError, which the shop turns into "nothing was charged, try again".
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import stripe
from django.conf import settings
from django.utils import timezone

from coursekeeper.commerce import signatures
from coursekeeper.commerce.providers.base import (
    Card,
    CheckoutRequest,
    CheckoutSession,
    CheckoutState,
    ProviderError,
    ProviderEvent,
    RefundState,
    SubscriptionState,
    UnknownToProvider,
    WebhookRejected,
)

NAME = "stripe"
SIGNATURE_HEADER = "Stripe-Signature"
# Stripe accepts a checkout's `expires_at` between 30 minutes and 24 hours after creation.
_MIN_EXPIRY = dt.timedelta(minutes=31)
_MAX_EXPIRY = dt.timedelta(hours=23, minutes=59)
_LOCALES = {"da", "de", "en"}

# Stripe's event types, in the shop's words (see ProviderEvent).
_CHECKOUT_KINDS = {
    "checkout.session.completed": "checkout.completed",
    "checkout.session.async_payment_succeeded": "checkout.completed",
    "checkout.session.expired": "checkout.expired",
    "checkout.session.async_payment_failed": "checkout.failed",
}
_INVOICE_KINDS = {
    "invoice.paid": "invoice.paid",
    "invoice.payment_failed": "invoice.payment_failed",
}
_SUBSCRIPTION_KINDS = {
    "customer.subscription.updated": "subscription.updated",
    "customer.subscription.deleted": "subscription.deleted",
}


def _dig(data: Any, *path: str) -> Any:
    """Return data[path[0]][path[1]]...; None where a step is missing or not a mapping."""
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _ref(value: Any) -> str:
    """Return the id of an expandable field, whether Stripe sent the id or the object."""
    if isinstance(value, dict):
        return str(value.get("id") or "")
    return str(value or "")


def _card(details: Any) -> Card | None:
    if not isinstance(details, dict) or not details.get("last4"):
        return None
    return Card(
        last4=str(details["last4"]),
        exp_month=int(details.get("exp_month") or 0),
        exp_year=int(details.get("exp_year") or 0),
        country=str(details.get("country") or ""),
    )


def _timestamp(value: Any) -> dt.datetime:
    return dt.datetime.fromtimestamp(int(value or 0), tz=dt.UTC)


def _header(headers: dict[str, str], name: str) -> str:
    wanted = name.lower()
    for key, value in (headers or {}).items():
        if key.lower() == wanted:
            return value
    return ""


def _subscription_state(subscription: dict) -> SubscriptionState:
    status = subscription.get("status") or ""
    cancel_at_period_end = bool(subscription.get("cancel_at_period_end"))
    if status in ("active", "trialing"):
        status = "cancelled" if cancel_at_period_end else "active"
    elif status in ("past_due", "unpaid", "incomplete", "paused"):
        status = "past_due"
    else:  # "canceled", "incomplete_expired"
        status = "ended"
    # Since API version 2025-03-31 the period lives on the subscription's items.
    period_end = _dig(subscription, "items", "data")
    period_end = (
        period_end[0].get("current_period_end")
        if isinstance(period_end, list) and period_end
        else None
    ) or subscription.get("current_period_end")
    return SubscriptionState(
        subscription_ref=str(subscription.get("id") or ""),
        status=status,
        current_period_end=_timestamp(period_end),
        cancel_at_period_end=cancel_at_period_end,
        card=_card(_dig(subscription, "default_payment_method", "card")),
    )


def _first_invoice_payment_intent(invoice: Any) -> str:
    """Return the payment intent that paid a subscription's invoice (old and new API shapes)."""
    if not isinstance(invoice, dict):
        return ""
    payments = _dig(invoice, "payments", "data") or []
    for payment in payments:
        ref = _ref(_dig(payment, "payment", "payment_intent"))
        if ref:
            return ref
    return _ref(invoice.get("payment_intent"))


class StripeProvider:
    """The `PaymentProvider` for Stripe Checkout."""

    name = NAME

    def _client(self) -> stripe.StripeClient:
        api_key = getattr(settings, "STRIPE_SECRET_KEY", "")
        if not api_key:
            raise ProviderError("stripe_not_configured")
        base = getattr(settings, "STRIPE_API_BASE", "")
        return stripe.StripeClient(
            api_key,
            base_addresses={"api": base} if base else None,
            http_client=stripe.RequestsClient(
                timeout=float(getattr(settings, "STRIPE_TIMEOUT_SECONDS", 20))
            ),
            max_network_retries=1,
        )

    def _call(self, function, *args, **kwargs) -> dict:
        """Call the Stripe API; return the answer as plain data or raise ProviderError.

        Stripe's 404 ("No such subscription") is UnknownToProvider.
        """
        try:
            return function(*args, **kwargs).to_dict()
        except stripe.StripeError as error:
            failure = UnknownToProvider if error.http_status == 404 else ProviderError
            raise failure(f"stripe: {type(error).__name__}") from error

    def create_checkout(self, request: CheckoutRequest) -> CheckoutSession:
        currency = request.currency.lower()
        recurring = {"interval": request.interval} if request.mode == "subscription" else None

        def line_item(name: str, unit_amount: int, quantity: int) -> dict:
            price_data: dict[str, Any] = {
                "currency": currency,
                "unit_amount": unit_amount,
                "product_data": {"name": name[:250]},
            }
            if recurring:
                price_data["recurring"] = recurring
            return {"price_data": price_data, "quantity": quantity}

        lines = [
            line_item(line.description, line.unit_amount_minor, line.quantity)
            for line in request.lines
        ]
        if sum(line.unit_amount_minor * line.quantity for line in request.lines) != (
            request.total_minor
        ):
            # A discount or a rounding the lines do not show: charge the order's total as one
            # line, so the buyer pays exactly what the order and its invoice say.
            lines = [
                line_item(
                    "; ".join(line.description for line in request.lines), request.total_minor, 1
                )
            ]
        now = timezone.now()
        expires_at = min(max(request.expires_at, now + _MIN_EXPIRY), now + _MAX_EXPIRY)
        params: dict[str, Any] = {
            "mode": request.mode,
            "line_items": lines,
            "customer_email": request.customer_email,
            "client_reference_id": request.order_ref,
            "metadata": {"order_ref": request.order_ref},
            "success_url": request.success_url,
            "cancel_url": request.cancel_url,
            "expires_at": int(expires_at.timestamp()),
            "locale": request.locale if request.locale in _LOCALES else "auto",
        }
        session = self._call(self._client().v1.checkout.sessions.create, params)
        if not session.get("id") or not session.get("url"):
            raise ProviderError("stripe: no checkout url")
        return CheckoutSession(session_id=session["id"], url=session["url"])

    def retrieve_checkout(self, session_id: str) -> CheckoutState:
        session = self._call(
            self._client().v1.checkout.sessions.retrieve,
            session_id,
            {
                "expand": [
                    "payment_intent.latest_charge",
                    "subscription.default_payment_method",
                    "subscription.latest_invoice.payments",
                ]
            },
        )
        payment_intent = session.get("payment_intent")
        subscription = session.get("subscription")
        status = session.get("status")
        payment_status = session.get("payment_status")
        if status == "complete" and payment_status in ("paid", "no_payment_required"):
            state = "paid"
        elif status == "expired":
            state = "expired"
        elif status == "complete" and _dig(payment_intent, "status") in (
            "requires_payment_method",
            "canceled",
        ):
            state = "failed"  # a delayed method (a bank debit) that did not go through
        else:
            state = "open"  # still at the page, or a delayed payment still processing
        paid = state == "paid"
        card = None
        payment_ref = ""
        if paid:
            card = _card(
                _dig(payment_intent, "latest_charge", "payment_method_details", "card")
            ) or _card(_dig(subscription, "default_payment_method", "card"))
            payment_ref = _ref(payment_intent) or _first_invoice_payment_intent(
                _dig(subscription, "latest_invoice")
            )
        return CheckoutState(
            session_id=str(session.get("id") or session_id),
            order_ref=str(
                session.get("client_reference_id") or _dig(session, "metadata", "order_ref") or ""
            ),
            status=state,
            amount_minor=int(session.get("amount_total") or 0),
            currency=str(session.get("currency") or "").upper(),
            payment_ref=payment_ref,
            subscription_ref=_ref(subscription) if paid else "",
            card=card,
            refunded_minor=int(_dig(payment_intent, "latest_charge", "amount_refunded") or 0),
        )

    def retrieve_subscription(self, subscription_ref: str) -> SubscriptionState:
        subscription = self._call(
            self._client().v1.subscriptions.retrieve,
            subscription_ref,
            {"expand": ["default_payment_method"]},
        )
        return _subscription_state(subscription)

    def cancel_subscription(
        self, subscription_ref: str, *, at_period_end: bool = True
    ) -> SubscriptionState:
        client = self._client()
        if at_period_end:
            subscription = self._call(
                client.v1.subscriptions.update,
                subscription_ref,
                {"cancel_at_period_end": True, "expand": ["default_payment_method"]},
            )
        else:
            subscription = self._call(
                client.v1.subscriptions.cancel,
                subscription_ref,
                {"expand": ["default_payment_method"]},
            )
        return _subscription_state(subscription)

    def refund(self, payment_ref: str, amount_minor: int, *, idempotency_key: str) -> RefundState:
        if amount_minor <= 0:
            raise ProviderError("refund_amount_not_positive")
        refund = self._call(
            self._client().v1.refunds.create,
            {"payment_intent": payment_ref, "amount": amount_minor},
            {"idempotency_key": str(idempotency_key)},
        )
        status = refund.get("status")
        if status not in ("succeeded", "pending", "failed"):
            status = "failed" if status == "canceled" else "pending"  # "requires_action"
        return RefundState(
            refund_ref=str(refund.get("id") or ""),
            status=status,
            amount_minor=int(refund.get("amount") or 0),
        )

    def parse_webhook(self, body: bytes, headers: dict[str, str]) -> ProviderEvent:
        signatures.verify(
            secret=getattr(settings, "STRIPE_WEBHOOK_SECRET", ""),
            body=body,
            header=_header(headers, SIGNATURE_HEADER),
        )
        try:
            payload = json.loads(body)
            event_id = str(payload["id"])
            raw_type = str(payload["type"])
            created_at = _timestamp(payload.get("created"))
            data_object = _dig(payload, "data", "object")
            if not isinstance(data_object, dict):
                raise KeyError("data.object")
        except (ValueError, KeyError, TypeError) as error:
            raise WebhookRejected("malformed_body") from error
        kind, object_ref = "other", ""
        if raw_type in _CHECKOUT_KINDS:
            kind, object_ref = _CHECKOUT_KINDS[raw_type], _ref(data_object.get("id"))
        elif raw_type in _INVOICE_KINDS:
            object_ref = _ref(
                _dig(data_object, "parent", "subscription_details", "subscription")
                or data_object.get("subscription")
            )
            if object_ref:  # an invoice not from a subscription is not ours to act on
                kind = _INVOICE_KINDS[raw_type]
        elif raw_type in _SUBSCRIPTION_KINDS:
            kind, object_ref = _SUBSCRIPTION_KINDS[raw_type], _ref(data_object.get("id"))
        elif raw_type == "charge.refunded":
            object_ref = _ref(data_object.get("payment_intent"))
            if object_ref:
                kind = "charge.refunded"
        return ProviderEvent(
            event_id=event_id,
            kind=kind,
            object_ref=object_ref,
            created_at=created_at,
            raw_type=raw_type,
        )
