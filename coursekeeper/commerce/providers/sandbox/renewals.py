"""The test provider's billing clock: what happens to a subscription when its period ends.

The demo's subscriptions renew offline through `manage.py commerce_sandbox_renew`, which calls
`renew_sandbox_subscriptions`: each subscription changes in its own transaction and emits the
event Stripe would, so the shop learns of it through its webhook as it does from Stripe.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from coursekeeper.commerce.models import SandboxCheckout, SandboxSubscription
from coursekeeper.commerce.providers.sandbox.events import emit_event

# A subscription whose renewal was declined ends this long after its period did.
PAST_DUE_GRACE = dt.timedelta(days=14)


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
                emit_event("subscription.deleted", ref)
                counts.ended += 1
            elif subscription.status == "past_due":
                continue  # declined already; waits for the grace period to run out
            elif _card_expired(subscription.session, subscription.current_period_end):
                subscription.status = "past_due"
                subscription.save(update_fields=["status"])
                emit_event("invoice.payment_failed", ref)
                counts.declined += 1
            else:
                while subscription.current_period_end <= now:
                    subscription.current_period_end = add_interval(
                        subscription.current_period_end, subscription.session.interval or "month"
                    )
                    emit_event("invoice.paid", ref)
                    counts.renewed += 1
                subscription.save(update_fields=["current_period_end"])
    return counts
