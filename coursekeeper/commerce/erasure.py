"""What the shop does before a person's data is erased: end their subscriptions (R29, R13).

A subscription is a contract that runs at the payment provider, which charges the card on its
own clock. Erasure deletes our `Subscription` row; left alone, the provider would go on
charging, and its renewal webhooks would find nothing here and be ignored. So the shop's
erasure participant (registered in `commerce/privacy/paths.py`) runs before any row goes: every
subscription of the person that has not ended is cancelled at its provider, at once rather than
at the period's end, since the account and its access end with the erasure.

For each subscription the provider is asked first, outside any lock (it is the source of truth,
as everywhere in the shop), and only one it still says is running is cancelled; its answer is
then applied to our row as a webhook's would be (`apply_subscription_state`), so the row is
`ended` and a rerun passes it over. A subscription the provider does not know, it cannot charge:
the walk erases it. A provider that cannot be reached raises ProviderError: the step fails,
nothing is erased, and the erasure job tries again later, from the subscriptions not yet ended.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.db import transaction

from coursekeeper.commerce.models import Subscription
from coursekeeper.commerce.providers.base import (
    UnknownToProvider,
    get_provider,
    test_payments_enabled,
)

if TYPE_CHECKING:
    from coursekeeper.privacy.participants import Erasing

logger = logging.getLogger(__name__)


def cancel_running_subscriptions(erasing: Erasing) -> None:
    """Cancel at its provider, at once, every subscription of the person that has not ended."""
    if erasing.person.user_id is None:
        return
    running = (
        Subscription.objects.filter(user_id=erasing.person.user_id)
        .exclude(status=Subscription.Status.ENDED)
        .order_by("pk")
    )
    for subscription in running:
        _end_at_provider(subscription)


def _end_at_provider(subscription: Subscription) -> None:
    from coursekeeper.commerce.providers.sandbox import NAME as TEST_PROVIDER
    from coursekeeper.commerce.subscriptions import apply_subscription_state

    if subscription.provider == TEST_PROVIDER and not test_payments_enabled():
        logger.warning("subscription %s: the test provider is off here", subscription.pk)
        return
    provider = get_provider(subscription.provider)
    try:
        state = provider.retrieve_subscription(subscription.provider_ref)
        if state.status != "ended":
            state = provider.cancel_subscription(subscription.provider_ref, at_period_end=False)
    except UnknownToProvider:
        logger.warning("subscription %s: unknown to its provider", subscription.pk)
        return
    with transaction.atomic():
        locked = (
            Subscription.objects.select_for_update(of=("self",))
            .select_related("order", "product", "user")
            .get(pk=subscription.pk)
        )
        apply_subscription_state(subscription=locked, state=state)
    logger.info("subscription %s ended at its provider before an erasure", subscription.pk)
