"""The built-in test provider: a payment provider that lives in our own database.

It stands in for Stripe so the demo and the tests buy offline through the same flow: our
checkout redirects the buyer to a hosted page (`/pay/test/<session_id>/`, served by this app
but owned by the "provider"), the buyer picks a card outcome (there is no card-number field),
and the provider tells us by a signed webhook. The `Sandbox*` rows are the provider's own
systems; the shop reads them only through the `PaymentProvider` methods below, exactly as it
reads Stripe.

Design. Every state change of the provider writes a `SandboxEvent` row in the same transaction
(the provider's outbox). A task enqueued on commit delivers it: it builds the JSON body, signs it
with the sandbox webhook secret and calls `webhooks.handle_webhook`, the very function the
webhook view calls, so the signature check, the deduplication and the dispatch are the real ones.

What is atomic. Delivering one event is one transaction: the event row is locked, the webhook
handled in a savepoint, and the row marked delivered (or its attempt counted) before commit. Two
deliverers of one event therefore serialise on the row and the second finds it delivered; a
handler failure rolls back only the savepoint and leaves the event due, with one more attempt.
`manage.py commerce_sandbox_deliver` (every minute) delivers what a lost task left and expires
abandoned checkouts; `manage.py commerce_sandbox_renew` charges, ends or declines subscriptions
whose period ended, which is how the demo's subscriptions renew offline.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import json
import logging
import secrets
import uuid
from dataclasses import dataclass
from functools import partial
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from coursekeeper.commerce import signatures
from coursekeeper.commerce.errors import CommerceError
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

logger = logging.getLogger(__name__)

NAME = "test"
SIGNATURE_HEADER = "Coursekeeper-Signature"
# After this many failed deliveries an event is left alone (it stays visible in the admin);
# the shop re-checks the provider's state on the next event about the same object anyway.
MAX_DELIVERY_ATTEMPTS = 20
# A subscription whose renewal was declined ends this long after its period did.
PAST_DUE_GRACE = dt.timedelta(days=14)

# The card outcomes the hosted page offers. The numbers are the well-known test cards' last
# digits; no card number is ever typed.
CARD_ACCEPTED = "accepted"
CARD_DECLINED = "declined"
CARD_EXPIRING = "expiring"
_CARD_LAST4 = {CARD_ACCEPTED: "4242", CARD_EXPIRING: "4444"}


def webhook_secret() -> str:
    """Return the secret the test provider signs its webhooks with (read at call time)."""
    return getattr(
        settings, "COMMERCE_SANDBOX_WEBHOOK_SECRET", f"sandbox-webhooks:{settings.SECRET_KEY}"
    )


def _header(headers: dict[str, str], name: str) -> str:
    wanted = name.lower()
    for key, value in (headers or {}).items():
        if key.lower() == wanted:
            return value
    return ""


def _with_session_id(url: str, session_id: str) -> str:
    """Put the session id where "{CHECKOUT_SESSION_ID}" stands, or add it as `session_id`."""
    if "{CHECKOUT_SESSION_ID}" in url:
        return url.replace("{CHECKOUT_SESSION_ID}", session_id)
    parts = urlsplit(url)
    query = [*parse_qsl(parts.query, keep_blank_values=True), ("session_id", session_id)]
    return urlunsplit(parts._replace(query=urlencode(query)))


def add_interval(moment: dt.datetime, interval: str) -> dt.datetime:
    """Return `moment` one billing interval on; the 31st of a month becomes its last day."""
    if interval == "year":
        year, month = moment.year + 1, moment.month
    else:
        year, month = moment.year + (moment.month // 12), moment.month % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def _card_expired(checkout: SandboxCheckout, at: dt.datetime) -> bool:
    """A card is valid to the end of its expiry month."""
    if not checkout.card_exp_year or not checkout.card_exp_month:
        return False
    return (at.year, at.month) > (checkout.card_exp_year, checkout.card_exp_month)


def _emit(event_type: str, object_ref: str) -> SandboxEvent:
    """Record an event in the provider's outbox and deliver it after commit."""
    from coursekeeper.commerce.tasks import deliver_sandbox_event

    event = SandboxEvent.objects.create(
        event_id=f"evt_test_{secrets.token_hex(12)}", event_type=event_type, object_ref=object_ref
    )
    transaction.on_commit(partial(deliver_sandbox_event.enqueue, event.pk))
    return event


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
                    _emit("subscription.updated", subscription_ref)
            else:
                subscription.status = "ended"
                subscription.current_period_end = min(
                    subscription.current_period_end, timezone.now()
                )
                subscription.save(update_fields=["status", "current_period_end"])
                _emit("subscription.deleted", subscription_ref)
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
            event = SandboxEvent.objects.create(
                event_id=f"evt_test_rf_{refund_ref}",
                event_type="charge.refunded",
                object_ref=payment_ref,
            )
            from coursekeeper.commerce.tasks import deliver_sandbox_event

            transaction.on_commit(partial(deliver_sandbox_event.enqueue, event.pk))
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


# --- The provider's own side: its hosted page, its clock, its webhook delivery --------------------


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
        _emit("checkout.completed", checkout.session_id)
        if checkout.subscription_ref:
            _emit("invoice.paid", checkout.subscription_ref)
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
            _emit("checkout.expired", checkout.session_id)
            expired += 1
    return expired


@dataclass
class RenewalCounts:
    renewed: int = 0
    ended: int = 0
    declined: int = 0


def renew_sandbox_subscriptions(*, now: dt.datetime | None = None) -> RenewalCounts:
    """Do what the provider's billing clock does to subscriptions whose period ended.

    - set to cancel at period end: the subscription ends ("subscription.deleted");
    - its card expired before the charge: the renewal is declined, the subscription is past
      due ("invoice.payment_failed"); past due for 14 days, it ends ("subscription.deleted");
    - otherwise it is charged: the period moves one interval on ("invoice.paid"), once for each
      period that ended while the demo was offline.
    Each subscription changes in its own transaction; a rerun finds nothing more to do.
    """
    now = now or timezone.now()
    counts = RenewalCounts()
    due = SandboxSubscription.objects.filter(
        status__in=["active", "past_due"], current_period_end__lte=now
    ).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            subscription = (
                SandboxSubscription.objects.select_for_update()
                .select_related("session")
                .filter(pk=pk, status__in=["active", "past_due"], current_period_end__lte=now)
                .first()
            )
            if subscription is None:
                continue
            ref = subscription.subscription_ref
            if subscription.cancel_at_period_end or (
                subscription.status == "past_due"
                and subscription.current_period_end + PAST_DUE_GRACE <= now
            ):
                subscription.status = "ended"
                subscription.save(update_fields=["status"])
                _emit("subscription.deleted", ref)
                counts.ended += 1
            elif subscription.status == "past_due":
                continue  # declined already; waits for the grace period to run out
            elif _card_expired(subscription.session, subscription.current_period_end):
                subscription.status = "past_due"
                subscription.save(update_fields=["status"])
                _emit("invoice.payment_failed", ref)
                counts.declined += 1
            else:
                while subscription.current_period_end <= now:
                    subscription.current_period_end = add_interval(
                        subscription.current_period_end, subscription.session.interval or "month"
                    )
                    _emit("invoice.paid", ref)
                    counts.renewed += 1
                subscription.save(update_fields=["current_period_end"])
    return counts


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
