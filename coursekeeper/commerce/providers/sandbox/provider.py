"""The `PaymentProvider` of the built-in test provider: the shop's side of it.

The shop reads the `Sandbox*` rows only through these methods, exactly as it reads Stripe
through `StripeProvider`; a state change the provider makes here (a cancellation, a refund)
emits its event in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import uuid
from urllib.parse import urlsplit

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from coursekeeper.commerce import signatures
from coursekeeper.commerce.models import SandboxCheckout, SandboxEvent, SandboxSubscription
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
from coursekeeper.commerce.providers.sandbox.events import (
    NAME,
    SIGNATURE_HEADER,
    emit_event,
    webhook_secret,
)


def _header(headers: dict[str, str], name: str) -> str:
    wanted = name.lower()
    for key, value in (headers or {}).items():
        if key.lower() == wanted:
            return value
    return ""


def _default_card_country(order_ref: str) -> str:
    """Return the billing country our order gave, to preselect as the test card's country."""
    from coursekeeper.commerce.models import Order

    country = (
        Order.objects.filter(public_id=order_ref).values_list("country", flat=True).first()
        if _looks_like_uuid(order_ref)
        else None
    )
    return (country or "")[:2]


def _looks_like_uuid(value: str) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def _card_of(checkout: SandboxCheckout) -> Card | None:
    if not checkout.card_last4:
        return None
    return Card(
        last4=checkout.card_last4,
        exp_month=checkout.card_exp_month or 0,
        exp_year=checkout.card_exp_year or 0,
        country=checkout.card_country,
    )


def _subscription_state(subscription: SandboxSubscription) -> SubscriptionState:
    status = subscription.status
    if status == "active" and subscription.cancel_at_period_end:
        status = "cancelled"  # still paid until current_period_end, then it ends
    return SubscriptionState(
        subscription_ref=subscription.subscription_ref,
        status=status,
        current_period_end=subscription.current_period_end,
        cancel_at_period_end=subscription.cancel_at_period_end,
        card=_card_of(subscription.session),
    )


def _refund_ref(idempotency_key: str) -> str:
    return hashlib.sha256(f"sandbox-refund:{idempotency_key}".encode()).hexdigest()[:24]


class SandboxProvider:
    """The `PaymentProvider` of the built-in test provider (no real money moves)."""

    name = NAME

    def create_checkout(self, request: CheckoutRequest) -> CheckoutSession:
        parts = urlsplit(request.success_url)
        if not parts.scheme or not parts.netloc:
            raise ProviderError("success_url must be absolute")
        description = "; ".join(
            line.description if line.quantity == 1 else f"{line.quantity} x {line.description}"
            for line in request.lines
        )[:300]
        checkout = SandboxCheckout.objects.create(
            session_id=f"cs_test_{secrets.token_urlsafe(24)}",
            mode=request.mode,
            order_ref=request.order_ref,
            amount_minor=request.total_minor,
            currency=request.currency.upper(),
            description=description,
            customer_email=request.customer_email,
            interval=request.interval,
            success_url=request.success_url,
            cancel_url=request.cancel_url,
            card_country=_default_card_country(request.order_ref),
            expires_at=request.expires_at,
        )
        path = reverse("commerce_sandbox:pay", args=[checkout.session_id])
        return CheckoutSession(
            session_id=checkout.session_id, url=f"{parts.scheme}://{parts.netloc}{path}"
        )

    def retrieve_checkout(self, session_id: str) -> CheckoutState:
        checkout = SandboxCheckout.objects.filter(session_id=session_id).first()
        if checkout is None:
            raise ProviderError("no_such_checkout")
        status = checkout.status
        if status == SandboxCheckout.Status.OPEN and checkout.expires_at <= timezone.now():
            status = SandboxCheckout.Status.EXPIRED
        paid = status == SandboxCheckout.Status.PAID
        return CheckoutState(
            session_id=checkout.session_id,
            order_ref=checkout.order_ref,
            status=status,
            amount_minor=checkout.amount_minor,
            currency=checkout.currency,
            payment_ref=checkout.payment_ref if paid else "",
            subscription_ref=checkout.subscription_ref if paid else "",
            card=_card_of(checkout) if paid else None,
            refunded_minor=checkout.refunded_minor,
        )

    def retrieve_subscription(self, subscription_ref: str) -> SubscriptionState:
        subscription = (
            SandboxSubscription.objects.select_related("session")
            .filter(subscription_ref=subscription_ref)
            .first()
        )
        if subscription is None:
            raise UnknownToProvider("no_such_subscription")
        return _subscription_state(subscription)

    def cancel_subscription(
        self, subscription_ref: str, *, at_period_end: bool = True
    ) -> SubscriptionState:
        with transaction.atomic():
            subscription = (
                SandboxSubscription.objects.select_for_update()
                .select_related("session")
                .filter(subscription_ref=subscription_ref)
                .first()
            )
            if subscription is None:
                raise UnknownToProvider("no_such_subscription")
            if subscription.status == "ended":
                return _subscription_state(subscription)
            if at_period_end:
                if not subscription.cancel_at_period_end:
                    subscription.cancel_at_period_end = True
                    subscription.save(update_fields=["cancel_at_period_end"])
                    emit_event("subscription.updated", subscription_ref)
            else:
                subscription.status = "ended"
                subscription.current_period_end = min(
                    subscription.current_period_end, timezone.now()
                )
                subscription.save(update_fields=["status", "current_period_end"])
                emit_event("subscription.deleted", subscription_ref)
            return _subscription_state(subscription)

    def refund(self, payment_ref: str, amount_minor: int, *, idempotency_key: str) -> RefundState:
        """Refund part or all of a payment, once per idempotency key (as Stripe does).

        The key is remembered as the id of the "charge.refunded" event the refund emits, so a
        retry with the same key finds it and refunds nothing more.
        """
        refund_ref = _refund_ref(idempotency_key)
        with transaction.atomic():
            checkout = (
                SandboxCheckout.objects.select_for_update()
                .filter(payment_ref=payment_ref, status=SandboxCheckout.Status.PAID)
                .exclude(payment_ref="")
                .first()
            )
            if checkout is None:
                raise ProviderError("no_such_payment")
            if SandboxEvent.objects.filter(event_id=f"evt_test_rf_{refund_ref}").exists():
                return RefundState(f"re_test_{refund_ref}", "succeeded", amount_minor)
            if amount_minor <= 0 or checkout.refunded_minor + amount_minor > checkout.amount_minor:
                raise ProviderError("refund_exceeds_payment")
            checkout.refunded_minor += amount_minor
            checkout.save(update_fields=["refunded_minor"])
            emit_event("charge.refunded", payment_ref, event_id=f"evt_test_rf_{refund_ref}")
        return RefundState(f"re_test_{refund_ref}", "succeeded", amount_minor)

    def parse_webhook(self, body: bytes, headers: dict[str, str]) -> ProviderEvent:
        signatures.verify(
            secret=webhook_secret(), body=body, header=_header(headers, SIGNATURE_HEADER)
        )
        try:
            payload = json.loads(body)
            return ProviderEvent(
                event_id=str(payload["id"]),
                kind=str(payload["type"]),
                object_ref=str(payload["object"]),
                created_at=dt.datetime.fromtimestamp(int(payload["created"]), tz=dt.UTC),
                raw_type=str(payload["type"]),
            )
        except (ValueError, KeyError, TypeError) as error:
            raise WebhookRejected("malformed_body") from error
