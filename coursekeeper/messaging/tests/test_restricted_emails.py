"""R30, R18: while a person's processing is restricted, only the emails with an exception of
Art. 18(2) go out -- a security notice does, a reminder about their subscription does not."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coursekeeper.accounts.factories import UserFactory
from coursekeeper.commerce import subscriptions
from coursekeeper.commerce.factories import SubscriptionFactory
from coursekeeper.commerce.models import ShopSettings
from coursekeeper.messaging.models import OutboxMessage
from coursekeeper.messaging.services import queue_email
from coursekeeper.privacy.factories import RestrictionFactory

pytestmark = pytest.mark.django_db(transaction=True)


def subscription_whose_card_expires_first(user):
    shop = ShopSettings.current()
    shop.keep_card_details = True
    shop.save()
    now = timezone.now()
    return SubscriptionFactory(
        user=user,
        card_exp_month=now.month,
        card_exp_year=now.year,
        current_period_end=now + dt.timedelta(days=70),
    )


def test_r30_a_restricted_person_gets_a_security_notice_but_no_card_reminder(smtp_server):
    person = UserFactory()
    subscription = subscription_whose_card_expires_first(person)
    RestrictionFactory(user=person, email=person.email)

    Client().post(reverse("account_reset_password"), {"email": person.email})
    reminded = subscriptions.remind_expiring_cards(
        now=subscription.current_period_end - dt.timedelta(days=7)
    )

    (mail,) = smtp_server.wait_for(person.email)
    assert OutboxMessage.objects.get(email=person.email).template == (
        "account/email/password_reset_key"
    )
    assert mail.subject == OutboxMessage.objects.get(email=person.email).subject
    assert reminded == 0
    subscription.refresh_from_db()
    assert subscription.expiry_reminder_for == subscription.current_period_end


def test_r18_the_same_reminder_goes_out_when_nothing_is_restricted(smtp_server):
    person = UserFactory()
    subscription = subscription_whose_card_expires_first(person)

    reminded = subscriptions.remind_expiring_cards(
        now=subscription.current_period_end - dt.timedelta(days=7)
    )

    assert reminded == 1
    (message,) = OutboxMessage.objects.filter(email=person.email)
    assert message.template == "commerce/card_expiry"


def test_r30_an_email_of_a_cause_nobody_registered_is_refused_and_writes_nothing(token):
    with pytest.raises(LookupError), transaction.atomic():
        queue_email(
            to=f"someone-{token}@example.org",
            subject="Hello",
            body_text="Hello.",
            language="en",
            template="tests/never_registered",
        )

    assert OutboxMessage.objects.count() == 0
