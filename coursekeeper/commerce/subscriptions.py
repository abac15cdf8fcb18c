"""Subscriptions after the sale: granting, renewing, cancelling, card-expiry reminders (R13).

Design:
- The provider is the source of truth. A webhook only names a subscription; `sync_subscription`
  asks the provider for its state and applies it, so events may arrive late, twice or out of
  order: applying the same state twice changes nothing.
- Access follows paid time: every course of the product gets `Enrollment.access_until` = the
  end of the paid period. A renewal extends it; a cancellation keeps it to the period end;
  an ended subscription's access ends at its period end.
- A renewal is invoiced as its own Order row (status paid), copied from the first order, and
  keyed by (subscription, period end) in `provider_session_id` ("renewal-<pk>-<epoch>"), so a
  repeated sync issues one invoice per period. That key can never match a real checkout session.
- Provider calls happen outside the row lock; the lock is taken afterwards, and the state the
  provider returned is applied in one short transaction.
- A cancellation is confirmed by email (a durable medium, § 312k BGB) stating when access ends.
  The public page's cancellation by an emailed link is in `cancellation`; the shop's emails and
  their dates and amounts in `mailing`.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.contrib.admin.models import CHANGE
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from coursekeeper.commerce.errors import CommerceError
from coursekeeper.commerce.mailing import email_customer, format_moment, site_url
from coursekeeper.commerce.models import Order, Product, ShopSettings, Subscription
from coursekeeper.commerce.providers.base import (
    Card,
    ProviderError,
    SubscriptionState,
    get_provider,
)
from coursekeeper.privacy.access.roles import SELL, can
from coursekeeper.privacy.access.services import record_staff_change

logger = logging.getLogger(__name__)

Status = Subscription.Status
# A card-expiry reminder goes out this long before the charge at the latest (for a yearly plan,
# not eleven months ahead).
REMIND_WITHIN = dt.timedelta(days=30)


# --- Granting -----------------------------------------------------------------------------------


def _status_of(state: SubscriptionState) -> str:
    if state.status == "ended":
        return Status.ENDED
    if state.status == "cancelled" or state.cancel_at_period_end:
        return Status.CANCELLED
    if state.status == "past_due":
        return Status.PAST_DUE
    return Status.ACTIVE


def _subscription_product(order: Order) -> Product:
    line = (
        order.lines.select_related("product")
        .filter(product__kind=Product.Kind.SUBSCRIPTION)
        .first()
    )
    if line is None:
        raise CommerceError("product_not_found")
    return line.product


def _give_access(subscription: Subscription, until: dt.datetime) -> None:
    from coursekeeper.learning.services import enroll_learner

    for course in subscription.product.courses.filter(is_published=True):
        enroll_learner(learner=subscription.user, course=course, access_until=until)


def _end_access(subscription: Subscription, at: dt.datetime) -> None:
    from coursekeeper.learning.services import end_access

    for course in subscription.product.courses.all():
        end_access(learner=subscription.user, course=course, at=at)


def _card_fields(card: Card | None, order: Order | None) -> dict:
    if not ShopSettings.current().keep_card_details:
        return {"card_exp_month": None, "card_exp_year": None}
    if card is not None:
        return {"card_exp_month": card.exp_month, "card_exp_year": card.exp_year}
    if order is not None and order.card_exp_month and order.card_exp_year:
        return {"card_exp_month": order.card_exp_month, "card_exp_year": order.card_exp_year}
    return {}


@transaction.atomic
def grant_subscription(*, order: Order, state: SubscriptionState) -> Subscription:
    """Record the subscription an order started and give access to its courses until the
    period's end. Idempotent per provider reference: a second call returns the same row.

    Called by checkout's fulfilment inside its transaction (with the order locked). The card's
    expiry is copied only when the shop keeps card details.
    """
    existing = (
        Subscription.objects.select_for_update(of=("self",))
        .filter(provider=order.provider, provider_ref=state.subscription_ref)
        .first()
    )
    if existing is not None:
        return existing
    if order.buyer is None:
        raise CommerceError("order_not_found")
    subscription = Subscription.objects.create(
        user=order.buyer,
        order=order,
        product=_subscription_product(order),
        status=_status_of(state),
        provider=order.provider,
        provider_ref=state.subscription_ref,
        current_period_end=state.current_period_end,
        **_card_fields(state.card, order),
    )
    if subscription.status != Status.ENDED:
        _give_access(subscription, state.current_period_end)
    return subscription


# --- Keeping in step with the provider ----------------------------------------------------------


def renewal_key(subscription: Subscription, period_end: dt.datetime) -> str:
    """The key a renewal order is found by: one order per subscription and period end."""
    return f"renewal-{subscription.pk}-{int(period_end.timestamp())}"


def _invoice_renewal(subscription: Subscription, period_end: dt.datetime) -> Order | None:
    """Issue the invoice of a renewed period: a paid Order copied from the first order."""
    from coursekeeper.commerce import invoices
    from coursekeeper.commerce.checkout.fulfilment import paid_order_kept_until

    first = subscription.order
    if first is None:  # the first order was erased; nothing to copy the buyer's details from
        logger.warning("renewal of subscription %s not invoiced: no first order", subscription.pk)
        return None
    key = renewal_key(subscription, period_end)
    renewal = Order.objects.filter(provider_session_id=key).first()
    if renewal is None:
        now = timezone.now()
        lines = list(first.lines.all())
        renewal = Order.objects.get(pk=first.pk)
        renewal.pk = None
        renewal.id = None
        renewal._state.adding = True
        renewal.public_id = Order._meta.get_field("public_id").get_default()
        renewal.status = Order.Status.PAID
        renewal.provider_session_id = key
        renewal.provider_payment_ref = ""
        renewal.coupon = None
        renewal.created_at = now
        renewal.expires_at = now
        renewal.paid_at = now
        renewal.withdrawn_at = None
        renewal.immediate_start_requested_at = None
        renewal.keep_until = paid_order_kept_until(renewal, paid_at=now)
        renewal.save()
        for line in lines:
            line.pk = None
            line.id = None
            line._state.adding = True
            line.order = renewal
            line.save()
    invoices.issue_invoice(order=renewal)
    return renewal


def apply_subscription_state(
    *, subscription: Subscription, state: SubscriptionState
) -> Subscription:
    """Apply the provider's state to a locked subscription row (inside a transaction)."""
    now = timezone.now()
    changed: set[str] = set()
    status = _status_of(state)
    renewed = state.current_period_end > subscription.current_period_end
    if renewed and status != Status.ENDED:
        subscription.current_period_end = state.current_period_end
        changed.add("current_period_end")
        _invoice_renewal(subscription, state.current_period_end)
        _give_access(subscription, state.current_period_end)
    if state.card is not None and ShopSettings.current().keep_card_details:
        card = {"card_exp_month": state.card.exp_month, "card_exp_year": state.card.exp_year}
        for name, value in card.items():
            if getattr(subscription, name) != value:
                setattr(subscription, name, value)
                changed.add(name)
    if status == Status.CANCELLED and subscription.cancelled_at is None:
        _record_cancellation(subscription)  # saves the row, confirms by email
    if status != subscription.status:
        if status == Status.ENDED:
            withdrawn_at = subscription.order.withdrawn_at if subscription.order else None
            _end_access(subscription, withdrawn_at or min(state.current_period_end, now))
        subscription.status = status
        changed.add("status")
    if changed:
        subscription.save(update_fields=sorted(changed))
    return subscription


def sync_subscription(*, provider: str, subscription_ref: str) -> Subscription | None:
    """Fetch the subscription's state from the provider and apply it; None for an unknown ref.

    A renewal extends the paid period and every course's access and invoices the new period
    once; past due keeps access to the paid period's end; cancelled keeps it to the period end;
    ended ends it. Raises ProviderError when the provider cannot be reached (the webhook is
    then answered with an error and delivered again).
    """
    if not Subscription.objects.filter(provider=provider, provider_ref=subscription_ref).exists():
        return None
    state = get_provider(provider).retrieve_subscription(subscription_ref)
    with transaction.atomic():
        subscription = (
            Subscription.objects.select_for_update(of=("self",))
            .select_related("order", "product", "user")
            .get(provider=provider, provider_ref=subscription_ref)
        )
        return apply_subscription_state(subscription=subscription, state=state)


# --- Reads for the pages ------------------------------------------------------------------------


def subscriptions_of(user) -> list[Subscription]:
    """Return the person's subscriptions, newest first (none for a visitor)."""
    if user is None or not user.is_authenticated:
        return []
    return list(
        Subscription.objects.filter(user=user).select_related("product").order_by("-created_at")
    )


def subscription_of(user, pk: int) -> Subscription:
    """Return the person's own subscription `pk`; refuse anyone else's."""
    subscription = (
        Subscription.objects.select_related("product", "user").filter(pk=pk, user=user).first()
        if user is not None and user.is_authenticated
        else None
    )
    if subscription is None:
        raise CommerceError("subscription_not_found")
    return subscription


# --- Cancelling ---------------------------------------------------------------------------------


def cancel_subscription(*, subscription: Subscription, acting_user) -> Subscription:
    """Cancel at the end of the paid period; access lasts until then. Idempotent.

    Asks the provider first (outside any lock), then records `cancelled_at` and queues the
    confirmation email stating the date access ends. A second call changes nothing and sends
    nothing. Only the subscriber and the shop's staff may cancel.
    """
    if acting_user is None or not (
        acting_user.pk == subscription.user_id or can(acting_user, SELL)
    ):
        raise CommerceError("not_allowed")
    if subscription.cancelled_at is not None or subscription.status in (
        Status.CANCELLED,
        Status.ENDED,
    ):
        return subscription
    asked_at = timezone.now()
    try:
        state = get_provider(subscription.provider).cancel_subscription(
            subscription.provider_ref, at_period_end=True
        )
    except ProviderError as error:
        raise CommerceError("provider_unavailable") from error
    with transaction.atomic():
        locked = (
            Subscription.objects.select_for_update(of=("self",))
            .select_related("user", "product", "order")
            .get(pk=subscription.pk)
        )
        if locked.cancelled_at is None and locked.status != Status.ENDED:
            if state.current_period_end and state.status != "ended":
                locked.current_period_end = max(locked.current_period_end, state.current_period_end)
            _record_cancellation(locked, ended=state.status == "ended")
        # Staff cancelling for the subscriber is audited once, whether this call or the
        # provider's event it caused (see `_record_cancellation`) recorded the cancellation.
        cancelled_at = locked.cancelled_at
        if acting_user.pk != locked.user_id and cancelled_at and cancelled_at >= asked_at:
            record_staff_change(
                acting_user=acting_user, obj=locked, action=CHANGE, message="subscription_cancelled"
            )
    return locked


def _record_cancellation(subscription: Subscription, *, ended: bool = False) -> None:
    """Record a cancellation on a locked row and confirm it by email (once: `cancelled_at`).

    Whichever learns of the cancellation first records it: our own cancel, or the provider's
    "subscription.updated" event (which can arrive before our cancel call has returned, or come
    from a cancellation at the provider's dashboard).
    """
    subscription.cancelled_at = timezone.now()
    subscription.status = Status.ENDED if ended else Status.CANCELLED
    subscription.save(update_fields=["cancelled_at", "status", "current_period_end"])
    if ended:
        _end_access(subscription, min(subscription.current_period_end, subscription.cancelled_at))
    user = subscription.user
    email_customer(
        name="cancellation",
        to=user.email,
        language=user.language,
        recipient=user,
        context={
            "name": user.full_name,
            "product": subscription.product.title,
            "access_ends": format_moment(
                subscription.current_period_end, user=user, language=user.language
            ),
            "cancelled_on": format_moment(
                subscription.cancelled_at, user=user, language=user.language
            ),
            "orders_url": site_url() + reverse("commerce_account:orders"),
        },
    )


# --- Card expiry reminders (R13) ----------------------------------------------------------------


def card_expires_at(exp_month: int, exp_year: int) -> dt.datetime:
    """Return the first moment a card no longer works: the start of the month after expiry."""
    year, month = (exp_year + 1, 1) if exp_month == 12 else (exp_year, exp_month + 1)
    return dt.datetime(year, month, 1, tzinfo=dt.UTC)


def _card_expiry(subscription: Subscription, keep: bool) -> tuple[int, int] | None:
    if keep and subscription.card_exp_month and subscription.card_exp_year:
        return subscription.card_exp_month, subscription.card_exp_year
    try:
        card = (
            get_provider(subscription.provider)
            .retrieve_subscription(subscription.provider_ref)
            .card
        )
    except ProviderError:
        logger.warning("card of subscription %s: provider unreachable", subscription.pk)
        return None
    if card is None:
        return None
    return card.exp_month, card.exp_year


def remind_expiring_cards(*, now: dt.datetime | None = None) -> int:
    """Email each subscriber whose card expires before the next charge, once per period.

    Looks at active subscriptions charged within `REMIND_WITHIN` and not reminded for this
    period yet. The card's expiry comes from the subscription when the shop keeps card details,
    otherwise from the provider (outside any lock). Return how many reminders were queued; a
    rerun queues none again. A subscriber whose processing is restricted gets none: the period
    counts as reminded all the same, so lifting the restriction later sends no stale reminder.
    """
    now = now or timezone.now()
    keep = ShopSettings.current().keep_card_details
    candidates = (
        Subscription.objects.filter(
            status=Status.ACTIVE,
            current_period_end__gt=now,
            current_period_end__lte=now + REMIND_WITHIN,
        )
        .exclude(expiry_reminder_for=F("current_period_end"))
        .select_related("user", "product")
        .order_by("pk")
    )
    sent = 0
    for subscription in candidates.iterator():
        expiry = _card_expiry(subscription, keep)
        if expiry is None:
            continue
        if card_expires_at(*expiry) > subscription.current_period_end:
            continue
        with transaction.atomic():
            locked = (
                Subscription.objects.select_for_update(of=("self",))
                .select_related("user", "product")
                .get(pk=subscription.pk)
            )
            if (
                locked.status != Status.ACTIVE
                or locked.expiry_reminder_for == locked.current_period_end
            ):
                continue
            user = locked.user
            reminder = email_customer(
                name="card_expiry",
                to=user.email,
                language=user.language,
                recipient=user,
                context={
                    "name": user.full_name,
                    "product": locked.product.title,
                    "expiry": f"{expiry[0]:02d}/{expiry[1]}",
                    "charge_on": format_moment(
                        locked.current_period_end, user=user, language=user.language
                    ),
                    "provider": locked.provider,
                    "orders_url": site_url() + reverse("commerce_account:orders"),
                },
            )
            locked.expiry_reminder_for = locked.current_period_end
            locked.save(update_fields=["expiry_reminder_for"])
            sent += reminder is not None
    return sent
