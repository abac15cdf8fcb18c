"""The right of withdrawal (R15): its period, and what a withdrawal from an order would give back.

The withdrawal period is 14 days (CRD Art. 9(1)) counted as Regulation 1182/71 counts periods
(CRD recital 41): the day the contract is concluded (paid) does not count, and the period ends
at midnight at the end of the 14th day in the consumer's own time zone (their account's; a
guest's is the seller's country's), later when that day is a weekend day or a public holiday
of the consumer's country (`coursekeeper.privacy.rules.end_of_period_in_days`).

Nothing here writes: `refunds.withdraw_order` records a withdrawal this module allows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Sum
from django.utils import formats, timezone

from coursekeeper.commerce import pricing
from coursekeeper.commerce.errors import CommerceError, DetailedCommerceError
from coursekeeper.commerce.models import Order, Product, Refund, Subscription, WithdrawalWaiver
from coursekeeper.privacy.rules import (
    COUNTRY_RULES,
    PeriodEnd,
    end_of_period_in_days,
    time_zone_of,
)

WITHDRAWAL_DAYS = 14
REFUNDABLE = (Order.Status.PAID, Order.Status.PARTIALLY_REFUNDED)
COUNTED = (Refund.Status.PENDING, Refund.Status.SUCCEEDED)


def refunded_minor(order: Order) -> int:
    """Return what is refunded or being refunded on `order`."""
    total = order.refunds.filter(status__in=COUNTED).aggregate(total=Sum("amount_minor"))["total"]
    return total or 0


def refundable_minor(order: Order) -> int:
    """Return what is left to refund on `order`."""
    if order.status not in REFUNDABLE:
        return 0
    return max(order.total_minor - refunded_minor(order), 0)


@dataclass(frozen=True)
class WithdrawalAssessment:
    """What a withdrawal from `order` would do now: the amount back, or why it is refused."""

    amount_minor: int
    proportionate: bool
    deadline: dt.datetime | None  # the first moment after the period; within means before it
    refusal: CommerceError | None
    last_day: dt.date | None = None  # the period's last day, in the consumer's time zone

    @property
    def allowed(self) -> bool:
        return self.refusal is None


def _format_date(moment: dt.datetime | dt.date) -> str:
    if isinstance(moment, dt.datetime):
        moment = timezone.localtime(moment)
    return formats.date_format(moment, "DATE_FORMAT")


def withdrawal_period(order: Order) -> PeriodEnd | None:
    """Return where the order's withdrawal period ends (see the module docstring), if paid."""
    if order.paid_at is None:
        return None
    seller_country = pricing.seller_country()
    time_zone = getattr(order.buyer, "time_zone", "") or time_zone_of(seller_country)
    holidays_of = order.country if order.country in COUNTRY_RULES else seller_country
    return end_of_period_in_days(
        started_at=order.paid_at,
        days=WITHDRAWAL_DAYS,
        time_zone=time_zone,
        holidays_of=holidays_of,
    )


def _used_share(start: dt.datetime, end: dt.datetime, now: dt.datetime) -> tuple[int, int]:
    """Return (used, whole) seconds of the service period, `used` clamped to it."""
    whole = max(int((end - start).total_seconds()), 1)
    used = min(max(int((now - start).total_seconds()), 0), whole)
    return used, whole


def _minus_used(amount: int, used: int, whole: int) -> int:
    """Return what is left of `amount` after the used share (the used share rounded half up)."""
    owed = (amount * used * 2 + whole) // (2 * whole)
    return amount - owed


def assess_withdrawal(order: Order, *, now: dt.datetime | None = None) -> WithdrawalAssessment:
    """Decide a withdrawal from `order` (CRD Art. 9, 14(3), 16(a), 16(m)); change nothing.

    - Digital content (a course, a bundle): refused when the buyer asked for immediate access and
      acknowledged losing the right (a recorded digital waiver); otherwise everything back.
    - An event: everything back before it starts; once it has ended it is fully performed and
      the right is gone; in between, when the buyer asked to start early, the unused share.
    - A subscription: when the buyer asked to start at once, the share of the first period not
      yet used; otherwise everything back.
    Never more than what is left to refund.
    """
    now = now or timezone.now()
    period = withdrawal_period(order)
    deadline = period.ends_at if period else None
    last_day = period.last_day if period else None

    def refused(error: CommerceError) -> WithdrawalAssessment:
        return WithdrawalAssessment(0, False, deadline, error, last_day)

    if order.withdrawn_at is not None:
        return refused(CommerceError("already_withdrawn"))
    if order.status not in REFUNDABLE or period is None:
        return refused(CommerceError("withdrawal_not_paid"))
    assert order.paid_at is not None  # the withdrawal period runs from the payment
    if now >= period.ends_at:
        return refused(
            DetailedCommerceError("withdrawal_period_over", ends_on=_format_date(period.last_day))
        )
    waivers = {waiver.kind: waiver for waiver in order.waivers.order_by("given_at")}
    asked_early = (
        order.immediate_start_requested_at is not None or WithdrawalWaiver.Kind.SERVICE in waivers
    )
    total = 0
    proportionate = False
    for line in order.lines.select_related("product"):
        product = line.product
        amount = line.net_minor + line.vat_minor
        if product.kind in (Product.Kind.COURSE, Product.Kind.BUNDLE):
            waiver = waivers.get(WithdrawalWaiver.Kind.DIGITAL_CONTENT)
            if waiver is not None:
                return refused(
                    DetailedCommerceError(
                        "withdrawal_waived", given_on=_format_date(waiver.given_at)
                    )
                )
        elif product.kind == Product.Kind.EVENT:
            starts = product.event_starts_at
            ends = product.event_ends_at or starts
            if ends is not None and ends <= now:
                return refused(
                    DetailedCommerceError("withdrawal_event_over", event_on=_format_date(ends))
                )
            if starts is not None and ends is not None and starts <= now and asked_early:
                amount = _minus_used(amount, *_used_share(starts, ends, now))
                proportionate = True
        elif product.kind == Product.Kind.SUBSCRIPTION and asked_early:
            subscription = Subscription.objects.filter(order=order).first()
            period_end = (
                subscription.current_period_end
                if subscription is not None and subscription.current_period_end > order.paid_at
                else order.paid_at + dt.timedelta(days=30)
            )
            amount = _minus_used(amount, *_used_share(order.paid_at, period_end, now))
            proportionate = True
        total += amount
    left = refundable_minor(order)
    amount = left if not proportionate else min(total, left)
    return WithdrawalAssessment(amount, proportionate, deadline, None, last_day)
