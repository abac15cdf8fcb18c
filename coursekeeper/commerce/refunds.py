"""Refunds: by staff, by the buyer's withdrawal (R15), and those made at the provider.

Design — what is atomic and what a rerun does:
1. The Refund row is created first, status pending, in its own short transaction with the order
   locked, so the amount left to refund is computed once and a second request sees the first.
2. The provider is asked to refund with the Refund's idempotency key, outside any lock: a
   double click, a retry after a crash, or a second worker repeat the same key, and the provider
   refunds once.
3. The result is recorded in a second transaction: status, the provider's reference, the credit
   note, the order's status, the end of access for a full refund, the email to the buyer.
   Recording checks the status under the lock, so it happens once.
A staff form carries a `request_key` (the Refund's idempotency key) so its double click finds the
same Refund. A withdrawal is keyed by the order itself (`withdrawn_at`).

Call these outside an open transaction: step 1 must be committed before the provider is asked.

A refund made at the provider's own dashboard arrives as "charge.refunded": `sync_refund` asks the
provider how much of the payment is refunded (`CheckoutState.refunded_minor`) and records the
difference to what we know of as a Refund with reason "provider".

A provider's "pending" refund is recorded as succeeded: the provider accepted it, and Stripe
reports the rare later failure by another event (future work: "charge.refund.updated").

What a withdrawal gives back and until when is decided in `withdrawal` (`assess_withdrawal`);
the buyer's and staff's reads of orders are in `selectors`.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from decimal import Decimal

from django.contrib.admin.models import ADDITION
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from coursekeeper.commerce.errors import CommerceError
from coursekeeper.commerce.mailing import (
    email_customer,
    format_moment,
    format_money,
)
from coursekeeper.commerce.models import Order, Refund, Subscription
from coursekeeper.commerce.providers.base import ProviderError, RefundState, get_provider
from coursekeeper.commerce.withdrawal import (
    REFUNDABLE,
    assess_withdrawal,
    refundable_minor,
    refunded_minor,
)
from coursekeeper.privacy.access.roles import SELL, can
from coursekeeper.privacy.access.services import record_staff_change
from coursekeeper.security.services import pseudonym

logger = logging.getLogger(__name__)


# --- The three steps ----------------------------------------------------------------------------


def _start_refund(
    *,
    order: Order,
    amount_minor: int,
    reason: str,
    acting_user,
    note: str,
    request_key: uuid.UUID | None,
) -> Refund:
    """Step 1: the pending Refund row, in its own transaction with the order locked."""
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if request_key is not None:
            existing = Refund.objects.filter(idempotency_key=request_key, order=locked).first()
            if existing is not None:
                return existing
        if locked.status not in REFUNDABLE:
            raise CommerceError("order_not_refundable")
        if amount_minor <= 0:
            raise CommerceError("refund_amount_invalid")
        if amount_minor > refundable_minor(locked):
            raise CommerceError("refund_too_much")
        fields = {"idempotency_key": request_key} if request_key is not None else {}
        refund = Refund.objects.create(
            order=locked,
            amount_minor=amount_minor,
            reason=reason,
            note=note[:300],
            requested_by=acting_user if acting_user is not None and acting_user.pk else None,
            **fields,
        )
        _audit(acting_user, refund, "refund_issued")
        return refund


def _audit(acting_user, refund: Refund, change: str) -> None:
    """Write the staff audit row of `refund` (its amount, not whose it is)."""
    record_staff_change(
        acting_user=acting_user,
        obj=refund,
        action=ADDITION,
        message=change,
        amount=str(Decimal(refund.amount_minor) / 100),
        currency=refund.order.currency,
    )


def _ask_provider(refund: Refund) -> RefundState:
    """Step 2: the provider refunds, once per idempotency key; no lock is held."""
    order = refund.order
    try:
        return get_provider(order.provider).refund(
            order.provider_payment_ref,
            refund.amount_minor,
            idempotency_key=str(refund.idempotency_key),
        )
    except ProviderError as error:
        logger.warning("refund %s refused by the provider: %s", refund.pk, error)
        with transaction.atomic():
            Refund.objects.filter(pk=refund.pk, status=Refund.Status.PENDING).update(
                status=Refund.Status.FAILED
            )
        raise CommerceError("refund_failed") from error


def _order_courses(order: Order):
    from coursekeeper.learning.models import Course

    return Course.objects.filter(products__in=order.lines.values("product")).distinct()


def _end_order_access(order: Order, at: dt.datetime) -> None:
    from coursekeeper.learning.services import end_access

    if order.buyer_id is None:
        return
    for course in _order_courses(order):
        end_access(learner=order.buyer, course=course, at=at)


def _settle(order: Order) -> bool:
    """Set the order's status from its refunds (order locked); return whether fully refunded."""
    done = (
        order.refunds.filter(status=Refund.Status.SUCCEEDED).aggregate(total=Sum("amount_minor"))[
            "total"
        ]
        or 0
    )
    full = done >= order.total_minor
    status = Order.Status.REFUNDED if full else Order.Status.PARTIALLY_REFUNDED
    if done and order.status != status:
        order.status = status
        order.save(update_fields=["status"])
    return full


def _record(refund: Refund, state: RefundState | None, *, email: str | None) -> Refund:
    """Step 3: record what the provider did, once. `email` names the buyer's email, if any."""
    from coursekeeper.commerce import invoices

    with transaction.atomic():
        order = (
            Order.objects.select_for_update(of=("self",))
            .select_related("buyer")
            .get(pk=refund.order_id)
        )
        locked = Refund.objects.select_for_update().get(pk=refund.pk)
        if locked.status != Refund.Status.PENDING:
            return locked
        if state is not None and state.status == "failed":
            locked.status = Refund.Status.FAILED
            locked.provider_ref = state.refund_ref
            locked.save(update_fields=["status", "provider_ref"])
            return locked
        locked.status = Refund.Status.SUCCEEDED
        locked.provider_ref = state.refund_ref if state is not None else ""
        locked.save(update_fields=["status", "provider_ref"])
        if locked.amount_minor > 0:
            invoices.issue_credit_note(refund=locked)
        full = _settle(order)
        if full:
            _end_order_access(order, timezone.now())
        if email is not None:
            _email_buyer(order, locked, name=email)
        logger.info(
            "refund recorded refund=%s order=%s reason=%s full=%s by=%s",
            locked.pk,
            order.pk,
            locked.reason,
            full,
            pseudonym(locked.requested_by_id),
        )
        return Refund.objects.get(pk=locked.pk)


def _email_buyer(order: Order, refund: Refund, *, name: str) -> None:
    user = order.buyer
    language = user.language if user is not None else order.language
    email_customer(
        name=name,
        to=user.email if user is not None else order.email,
        language=language,
        recipient=user,
        context={
            "name": user.full_name if user is not None else order.full_name,
            "order": order,
            "amount": format_money(refund.amount_minor, order.currency, language),
            "withdrawn_on": (
                format_moment(order.withdrawn_at, user=user, language=language)
                if order.withdrawn_at
                else ""
            ),
            "fully": order.status == Order.Status.REFUNDED,
            "proportionate": refund.amount_minor < order.total_minor,
            "credit_note": refund.credit_note.number if refund.credit_note else "",
        },
    )


def _run(refund: Refund, *, email: str | None) -> Refund:
    if refund.status != Refund.Status.PENDING:
        return refund
    state = _ask_provider(refund) if refund.amount_minor > 0 else None
    return _record(refund, state, email=email)


# --- Services -----------------------------------------------------------------------------------


def refund_order(
    *,
    order: Order,
    amount_minor: int,
    reason: str,
    acting_user,
    note: str = "",
    request_key: uuid.UUID | None = None,
) -> Refund:
    """Refund `amount_minor` of a paid order through its provider (owner or support staff only).

    Never more than what is left. Issues the credit note, marks the order refunded or partly
    refunded, ends access to its courses when everything is refunded (and a subscription it
    started, at once), and emails the buyer. `request_key` (the staff form's hidden key) makes
    a repeated submission return the same Refund; the provider refunds once either way.
    """
    if not can(acting_user, SELL):
        raise CommerceError("not_allowed")
    if reason not in Refund.Reason.values:
        reason = Refund.Reason.STAFF
    refund = _start_refund(
        order=order,
        amount_minor=amount_minor,
        reason=reason,
        acting_user=acting_user,
        note=note,
        request_key=request_key,
    )
    refund = _run(refund, email="refund")
    if refund.order.status == Order.Status.REFUNDED:
        _end_subscription_now(refund.order)
    return refund


def _end_subscription_now(order: Order) -> None:
    """Cancel the subscription `order` started at once (not at period end) and end its access."""
    subscription = Subscription.objects.filter(order=order).first()
    if subscription is None or subscription.status == Subscription.Status.ENDED:
        return
    try:
        state = get_provider(subscription.provider).cancel_subscription(
            subscription.provider_ref, at_period_end=False
        )
    except ProviderError as error:
        raise CommerceError("provider_unavailable") from error
    now = timezone.now()
    with transaction.atomic():
        locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
        if locked.status == Subscription.Status.ENDED:
            return
        locked.status = Subscription.Status.ENDED
        locked.cancelled_at = locked.cancelled_at or now
        locked.current_period_end = min(state.current_period_end, now)
        locked.save(update_fields=["status", "cancelled_at", "current_period_end"])
        _end_order_access(order, now)


def withdraw_order(*, order: Order, acting_user) -> Refund:
    """The buyer withdraws from the contract (CRD Art. 9, 11a): the withdrawal function.

    Within the 14-day period counted from payment (see the module docstring). Refused, with
    the reason, for digital content whose immediate access the buyer asked for and waived the
    right for, and for an event that has ended.
    Otherwise refunds everything, or for a service started early on the buyer's request the
    unused share; a subscription is cancelled at the provider at once; access ends now; the
    withdrawal is recorded on the order and confirmed by email. A repeated call (a double
    click) returns the same Refund and refunds once.
    """
    if acting_user is None or not (acting_user.pk == order.buyer_id or can(acting_user, SELL)):
        raise CommerceError("not_allowed")
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        existing = (
            locked.refunds.filter(reason=Refund.Reason.WITHDRAWAL).order_by("-pk").first()
            if locked.withdrawn_at is not None
            else None
        )
        if existing is None:
            assessment = assess_withdrawal(locked)
            if assessment.refusal is not None:
                raise assessment.refusal
            now = timezone.now()
            locked.withdrawn_at = now
            locked.save(update_fields=["withdrawn_at"])
            existing = Refund.objects.create(
                order=locked,
                amount_minor=assessment.amount_minor,
                reason=Refund.Reason.WITHDRAWAL,
                requested_by=acting_user,
                note="proportionate" if assessment.proportionate else "",
            )
            if acting_user.pk != locked.buyer_id:  # staff recording the buyer's withdrawal
                _audit(acting_user, existing, "withdrawal_recorded")
    _end_subscription_now(order)
    refund = _run(existing, email="withdrawal")
    if refund.status == Refund.Status.SUCCEEDED:
        with transaction.atomic():
            _end_order_access(refund.order, refund.order.withdrawn_at or timezone.now())
    return refund


def sync_refund(*, provider: str, payment_ref: str) -> list[Refund]:
    """Record a refund made at the provider's own dashboard ("charge.refunded").

    Asks the provider how much of the payment is refunded and records the difference to what we
    know of as one Refund (reason "provider") with its credit note. Nothing to do, or an unknown
    payment, returns an empty list; a repeated event records nothing more.
    """
    from coursekeeper.commerce import invoices

    order = (
        Order.objects.filter(provider=provider, provider_payment_ref=payment_ref)
        .exclude(Q(provider_payment_ref="") | Q(provider_session_id=""))
        .first()
    )
    if order is None:
        return []
    state = get_provider(provider).retrieve_checkout(order.provider_session_id)
    at_provider = state.refunded_minor
    with transaction.atomic():
        locked = (
            Order.objects.select_for_update(of=("self",)).select_related("buyer").get(pk=order.pk)
        )
        difference = min(at_provider - refunded_minor(locked), refundable_minor(locked))
        if difference <= 0:
            return []
        refund = Refund.objects.create(
            order=locked,
            amount_minor=difference,
            reason=Refund.Reason.PROVIDER,
            status=Refund.Status.SUCCEEDED,
            note="refunded at the payment provider",
        )
        invoices.issue_credit_note(refund=refund)
        if _settle(locked):
            _end_order_access(locked, timezone.now())
        refund.refresh_from_db()
        _email_buyer(locked, refund, name="refund")
    return [refund]
