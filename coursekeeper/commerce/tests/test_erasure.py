"""R29, R13: erasure ends a person's subscriptions at the payment provider before their rows go.

A subscription runs at the provider, which charges the card on its own clock, while erasure
deletes our row: so the shop's erasure participant cancels it at the provider first. Here through
the test provider, whose billing clock and webhooks are real; through Stripe against its local
fake server in test_stripe_provider.py.
"""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse

from coursekeeper.accounts.factories import PASSWORD
from coursekeeper.accounts.models import User
from coursekeeper.commerce.models import (
    Invoice,
    Order,
    SandboxEvent,
    SandboxSubscription,
    Subscription,
)
from coursekeeper.commerce.providers import sandbox
from coursekeeper.commerce.tests.providers_helpers import (
    complete_seller,
    pending_order,
    post_event,
    sandbox_event,
)
from coursekeeper.learning.models import Enrollment
from coursekeeper.privacy.models import ErasureJob


@pytest.mark.django_db(transaction=True)
def test_r29_erasure_cancels_the_subscription_at_the_test_provider_and_a_renewal_charges_nothing(
    token,
):
    complete_seller()
    order, checkout = pending_order(token, subscription=True)
    sandbox.pay_sandbox_checkout(session_id=checkout.session_id, card="accepted", card_country="DK")
    ours = Subscription.objects.get(order=order)
    buyer = order.buyer
    assert buyer is not None
    assert Enrollment.objects.filter(learner=buyer).count() == 1
    # The subscriber has moved to a new address since: the provider's record, which no erasure
    # of ours reaches (a real provider's never is), still names the old one.
    moved = f"moved-{token}@example.org"
    User.objects.filter(pk=buyer.pk).update(email=moved)
    EmailAddress.objects.filter(user=buyer).update(email=moved)
    client = Client()
    client.force_login(buyer)

    page = client.get(reverse("privacy:erase_account")).content.decode()
    response = client.post(reverse("privacy:erase_account"), {"password": PASSWORD})

    assert "any running subscription is cancelled at the payment provider" in page
    assert response.status_code == 200
    job = ErasureJob.objects.get()
    assert (job.status, "commerce.cancel_subscriptions" in job.steps_done) == ("done", True)
    assert User.objects.filter(pk=buyer.pk).count() == 0
    assert Subscription.objects.count() == 0
    # At the provider: ended at once, and it told the shop so (before the row went).
    at_provider = SandboxSubscription.objects.get(subscription_ref=ours.provider_ref)
    assert at_provider.status == "ended"
    events = SandboxEvent.objects.filter(object_ref=ours.provider_ref).order_by("pk")
    assert list(events.values_list("event_type", flat=True)) == [
        "invoice.paid",
        "subscription.deleted",
    ]
    assert events.filter(delivered_at__isnull=True).count() == 0
    orders, invoices = Order.objects.count(), Invoice.objects.count()

    # The provider's billing clock at the end of the paid period charges nothing.
    renewals = sandbox.renew_sandbox_subscriptions(now=ours.current_period_end)
    # A renewal webhook arriving all the same (a replay, a late one) creates nothing.
    body, headers = sandbox_event("invoice.paid", ours.provider_ref)
    webhook = post_event(Client(), body, headers)

    assert (renewals.renewed, renewals.ended, renewals.declined) == (0, 0, 0)
    assert SandboxEvent.objects.filter(object_ref=ours.provider_ref).count() == 2
    assert (webhook.status_code, webhook.content) == (200, b"unknown_order")
    assert (Order.objects.count(), Invoice.objects.count()) == (orders, invoices)
    assert (Subscription.objects.count(), Enrollment.objects.count()) == (0, 0)
