"""Subscriptions after the sale (R13): renewal, cancellation, the § 312k page, card reminders.

Every subscription here is bought through the real test provider and its signed webhook, and
every email is checked where it arrives: the local SMTP server, through the outbox.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from coursekeeper.accounts.choices import Role
from coursekeeper.accounts.factories import StaffFactory
from coursekeeper.commerce import subscriptions
from coursekeeper.commerce.models import Invoice, Order, SandboxSubscription, Subscription
from coursekeeper.commerce.providers.sandbox import (
    CARD_ACCEPTED,
    CARD_EXPIRING,
    renew_sandbox_subscriptions,
)
from coursekeeper.commerce.tests.aftersale_helpers import (
    enrolment_of,
    first_lesson,
    keep_card_details,
    paid_order,
    signed_in,
    subscription_of,
)
from coursekeeper.learning.errors import LearningError
from coursekeeper.learning.models import Enrollment
from coursekeeper.learning.services import open_lesson_for
from coursekeeper.privacy.testing import audit_trail

pytestmark = pytest.mark.django_db(transaction=True)


def period_has_passed(subscription: Subscription) -> dt.datetime:
    """Move the paid period's end a minute into the past, at the provider and here."""
    past = timezone.now() - dt.timedelta(minutes=1)
    SandboxSubscription.objects.filter(subscription_ref=subscription.provider_ref).update(
        current_period_end=past
    )
    Subscription.objects.filter(pk=subscription.pk).update(current_period_end=past)
    Enrollment.objects.filter(
        learner_id=subscription.user_id, course__products=subscription.product_id
    ).update(access_until=past)
    return past


def without_csrf(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def test_r13_subscription_gives_access_until_the_paid_period_ends(token):
    order = paid_order(token, subscription=True)

    subscription = subscription_of(order)
    at_provider = SandboxSubscription.objects.get(subscription_ref=subscription.provider_ref)
    assert subscription.status == Subscription.Status.ACTIVE
    assert subscription.user == order.buyer
    assert subscription.current_period_end == at_provider.current_period_end
    assert enrolment_of(order).access_until == at_provider.current_period_end


def test_r13_renewal_via_sync_extends_access_and_invoices_the_new_period_once(token):
    order = paid_order(token, subscription=True)
    subscription = subscription_of(order)
    period_has_passed(subscription)

    counts = renew_sandbox_subscriptions()  # the provider charges; "invoice.paid" → sync

    assert counts.renewed == 1
    at_provider = SandboxSubscription.objects.get(subscription_ref=subscription.provider_ref)
    subscription.refresh_from_db()
    assert at_provider.current_period_end > timezone.now()
    assert subscription.current_period_end == at_provider.current_period_end
    assert enrolment_of(order).access_until == at_provider.current_period_end
    key = subscriptions.renewal_key(subscription, at_provider.current_period_end)
    renewal = Order.objects.get(provider_session_id=key)
    assert (renewal.status, renewal.total_minor, renewal.buyer) == (
        Order.Status.PAID,
        order.total_minor,
        order.buyer,
    )
    assert Invoice.objects.filter(order=renewal, kind=Invoice.Kind.INVOICE).count() == 1

    again = subscriptions.sync_subscription(
        provider="test", subscription_ref=subscription.provider_ref
    )

    assert again is not None
    assert again.current_period_end == at_provider.current_period_end
    assert Order.objects.filter(provider_session_id=key).count() == 1
    assert Invoice.objects.filter(buyer=order.buyer, kind=Invoice.Kind.INVOICE).count() == 2


def test_r13_sync_of_an_unknown_subscription_returns_none():
    assert subscriptions.sync_subscription(provider="test", subscription_ref="sub_nope") is None


def test_r13_cancellation_keeps_access_to_the_period_end_then_ends_it(token, smtp_server):
    order = paid_order(token, subscription=True)
    subscription = subscription_of(order)
    paid_until = subscription.current_period_end
    client = signed_in(order.buyer)
    url = reverse("commerce_account:cancel", args=[subscription.pk])

    assert client.get(url).status_code == 200
    response = client.post(url)
    client.post(url)  # a double click

    assert response.status_code == 302
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.CANCELLED
    assert subscription.cancelled_at is not None
    assert subscription.current_period_end == paid_until
    at_provider = SandboxSubscription.objects.get(subscription_ref=subscription.provider_ref)
    assert at_provider.cancel_at_period_end is True
    received = smtp_server.wait_for(order.buyer.email, count=2)
    mails = [m for m in received if "cancelled" in m.subject]
    assert len(mails) == 1, [m.subject for m in received]
    mail = mails[0]
    assert subscription.product.title in mail.text
    assert "You keep access until the end of the period you have paid for" in mail.text
    lesson = first_lesson(order)
    assert open_lesson_for(learner=order.buyer, lesson=lesson).pk == enrolment_of(order).pk

    period_has_passed(subscription)
    renew_sandbox_subscriptions()  # the provider ends it: "subscription.deleted" → sync

    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ENDED
    access_until = enrolment_of(order).access_until
    assert access_until is not None and access_until <= timezone.now()
    with pytest.raises(LearningError) as refused:
        open_lesson_for(learner=order.buyer, lesson=lesson)
    assert refused.value.code == "access_ended"
    assert client.get(reverse("learning:lesson", args=[lesson.pk])).status_code == 403
    cancellations = [m for m in smtp_server.to(order.buyer.email) if "cancelled" in m.subject]
    assert len(cancellations) == 1


def test_r13_someone_else_cannot_cancel_a_subscription(token):
    order = paid_order(token, subscription=True)
    subscription = subscription_of(order)
    stranger = paid_order(f"{token}x").buyer

    response = signed_in(stranger).post(reverse("commerce_account:cancel", args=[subscription.pk]))

    assert response.status_code == 404
    subscription.refresh_from_db()
    assert (subscription.status, subscription.cancelled_at) == (Subscription.Status.ACTIVE, None)


def test_r35_staff_cancelling_for_the_subscriber_is_audited_the_subscribers_own_is_not(token):
    own = subscription_of(paid_order(token, subscription=True))
    for_subscriber = subscription_of(paid_order(f"{token}b", subscription=True))
    support = StaffFactory(role=Role.SUPPORT)

    subscriptions.cancel_subscription(subscription=own, acting_user=own.user)
    subscriptions.cancel_subscription(subscription=for_subscriber, acting_user=support)
    subscriptions.cancel_subscription(subscription=for_subscriber, acting_user=support)  # again

    assert audit_trail() == [
        (
            support.pk,
            "subscription",
            str(for_subscriber.pk),
            "Subscription cancelled for the subscriber",
        )
    ]


# --- The public cancellation page (§ 312k BGB) --------------------------------------------------


def test_r13_public_cancellation_page_starts_with_the_button_and_is_linked_from_every_page(client):
    home = client.get("/")
    start = client.get(reverse("commerce_account:public_cancel"))
    form = client.get(reverse("commerce_account:public_cancel") + "?form=1")

    assert reverse("commerce_account:public_cancel") in home.content.decode()
    assert start.status_code == 200
    assert "Cancel contracts here" in start.content.decode()
    assert form.status_code == 200
    page = form.content.decode()
    for label in ("Your name", "Your email address", "Which contract", "Cancel on (optional)"):
        assert label in page
    assert "Cancel now" in page


def test_r13_public_cancellation_answers_the_same_for_unknown_addresses(client, token, smtp_server):
    order = paid_order(token, subscription=True)
    subscription = subscription_of(order)
    url = reverse("commerce_account:public_cancel")
    data = {"name": "Bo", "contract": "Club", "wanted_on": ""}

    known = client.post(url, {**data, "email": order.buyer.email.upper()})
    unknown = client.post(url, {**data, "email": f"nobody-{token}@example.org"})

    assert known.status_code == unknown.status_code == 200
    assert without_csrf(known) == without_csrf(unknown)
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ACTIVE  # nothing before the link
    (mail,) = [
        m for m in smtp_server.wait_for(order.buyer.email, count=2) if "Confirm" in m.subject
    ]
    assert smtp_server.to(f"nobody-{token}@example.org") == []
    link = next(line for line in mail.text.splitlines() if "/subscriptions/cancel/confirm/" in line)
    path = link[link.index("/subscriptions/") :].strip()

    assert client.get(path).status_code == 200
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ACTIVE  # a link scanner cancels nothing
    done = client.post(path)

    assert done.status_code == 200
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.CANCELLED
    assert [m.subject for m in smtp_server.wait_for(order.buyer.email, count=3)].count(
        f'Your subscription "{subscription.product.title}" is cancelled'
    ) == 1


def test_r13_a_forged_cancellation_link_cancels_nothing(client, token):
    order = paid_order(token, subscription=True)
    subscription = subscription_of(order)

    response = client.post(reverse("commerce_account:cancel_confirm", args=["forged-token"]))

    assert response.status_code == 400
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ACTIVE


# --- Card expiry reminders ----------------------------------------------------------------------


@pytest.mark.parametrize("keep", [True, False], ids=["card-kept", "card-asked-of-provider"])
def test_r13_reminder_is_sent_once_per_period_when_the_card_expires_first(keep, token, smtp_server):
    keep_card_details(keep)
    order = paid_order(token, subscription=True, card=CARD_EXPIRING)
    subscription = subscription_of(order)
    assert (subscription.card_exp_month is not None) is keep
    a_week_before = subscription.current_period_end - dt.timedelta(days=7)

    first = subscriptions.remind_expiring_cards(now=a_week_before)
    second = subscriptions.remind_expiring_cards(now=a_week_before)

    assert (first, second) == (1, 0)
    subscription.refresh_from_db()
    assert subscription.expiry_reminder_for == subscription.current_period_end
    reminders = [
        m
        for m in smtp_server.wait_for(order.buyer.email, count=2)
        if m.subject == "Your card expires before your next payment"
    ]
    assert len(reminders) == 1
    now = timezone.now()
    assert f"{now.month:02d}/{now.year}" in reminders[0].text
    assert "update your card with our payment provider" in reminders[0].text


@pytest.mark.parametrize("keep", [True, False], ids=["card-kept", "card-asked-of-provider"])
def test_r13_no_reminder_when_the_card_outlives_the_next_payment(keep, token, smtp_server):
    keep_card_details(keep)
    order = paid_order(token, subscription=True, card=CARD_ACCEPTED)
    subscription = subscription_of(order)

    sent = subscriptions.remind_expiring_cards(
        now=subscription.current_period_end - dt.timedelta(days=7)
    )

    assert sent == 0
    subscription.refresh_from_db()
    assert subscription.expiry_reminder_for is None
    smtp_server.wait_for(order.buyer.email, count=1)  # the receipt only
    assert [m.subject for m in smtp_server.to(order.buyer.email)].count(
        "Your card expires before your next payment"
    ) == 0


def test_r13_card_expiry_command_runs(token):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("commerce_card_expiry_reminders", stdout=out)

    assert out.getvalue().strip() == "card expiry reminders queued: 0"
