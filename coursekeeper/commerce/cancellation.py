"""Cancelling a subscription by an emailed link: the public cancellation page (§ 312k BGB).

A visitor without an account cancels through the public page: the confirmation link goes only
to the address on record, and nothing is cancelled before the person posts from that link
(`confirm_cancellation`, which cancels as `subscriptions.cancel_subscription` does).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import formats

from coursekeeper.commerce.errors import CommerceError
from coursekeeper.commerce.mailing import email_customer, format_moment
from coursekeeper.commerce.models import Subscription
from coursekeeper.commerce.subscriptions import cancel_subscription

Status = Subscription.Status
# How long the link of a cancellation asked for on the public page works.
CANCEL_LINK_MAX_AGE = dt.timedelta(days=7)
CANCEL_LINK_SALT = "commerce.subscription-cancel"


@dataclass(frozen=True)
class CancellationRequest:
    name: str
    email: str
    contract: str
    wanted_on: dt.date | None = None


def cancellation_token(subscription: Subscription) -> str:
    """Return the signed token of a cancellation link (it names the subscription and its ref)."""
    return signing.dumps(
        {"s": subscription.pk, "r": subscription.provider_ref}, salt=CANCEL_LINK_SALT
    )


def subscription_for_token(token: str) -> Subscription:
    """Return the subscription a cancellation link names; refuse a bad or expired link."""
    try:
        data = signing.loads(token, salt=CANCEL_LINK_SALT, max_age=CANCEL_LINK_MAX_AGE)
    except signing.BadSignature as error:
        raise CommerceError("cancel_link_invalid") from error
    subscription = (
        Subscription.objects.select_related("user", "product")
        .filter(pk=data.get("s"), provider_ref=data.get("r"))
        .first()
    )
    if subscription is None:
        raise CommerceError("cancel_link_invalid")
    return subscription


@transaction.atomic
def request_cancellation(*, request: CancellationRequest, base_url: str) -> int:
    """The public cancellation form (§ 312k BGB): email the address on record a link for each
    of its active subscriptions. Return how many were found (the page never shows it: the
    answer is the same for every address). Nothing is cancelled until the link is confirmed.
    """
    from coursekeeper.accounts.models import normalize_email

    email = normalize_email(request.email)
    subscriptions = list(
        Subscription.objects.select_related("user", "product")
        .filter(
            user__email__iexact=email,
            user__is_active=True,
            status__in=[Status.ACTIVE, Status.PAST_DUE],
        )
        .order_by("pk")
    )
    if not subscriptions:
        return 0
    user = subscriptions[0].user
    links = [
        {
            "product": item.product.title,
            "paid_until": format_moment(item.current_period_end, user=user, language=user.language),
            "link": base_url.rstrip("/")
            + reverse("commerce_account:cancel_confirm", args=[cancellation_token(item)]),
        }
        for item in subscriptions
    ]
    email_customer(
        name="cancellation_request",
        to=user.email,
        language=user.language,
        recipient=user,
        context={
            "name": user.full_name,
            "given_name": request.name,
            "contract": request.contract,
            "wanted_on": (
                formats.date_format(request.wanted_on, "DATE_FORMAT") if request.wanted_on else ""
            ),
            "links": links,
            "days": CANCEL_LINK_MAX_AGE.days,
        },
    )
    return len(subscriptions)


def confirm_cancellation(*, token: str) -> Subscription:
    """Cancel the subscription a public cancellation link names (the POST from that link)."""
    subscription = subscription_for_token(token)
    # The link went only to the subscriber's address: following it acts as the subscriber.
    return cancel_subscription(subscription=subscription, acting_user=subscription.user)
