"""R29: staff discontinue the newsletter; every subscription ends with it, the sign-up closes,
and the retention sweep deletes the sign-ups that were waiting for a confirmation -- while a
sign-up made after the newsletter is opened again stays."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.admin.models import LogEntry
from django.test import Client
from django.urls import reverse

from coursekeeper.accounts.choices import Role
from coursekeeper.accounts.factories import UserFactory
from coursekeeper.messaging.models import OutboxMessage
from coursekeeper.newsletter import selectors, services
from coursekeeper.newsletter.dispatch import start_sending
from coursekeeper.newsletter.errors import NewsletterError
from coursekeeper.newsletter.factories import NewsletterDeliveryFactory, NewsletterFactory
from coursekeeper.newsletter.models import NewsletterDelivery, PendingSignup
from coursekeeper.newsletter.privacy import NEWSLETTER
from coursekeeper.newsletter.tests.conftest import CONFIRM_LINK, subscribe
from coursekeeper.privacy.gate import may_process
from coursekeeper.privacy.models import Consent, ServiceEnd
from coursekeeper.privacy.people import Person
from coursekeeper.privacy.sweep import run_sweep
from coursekeeper.privacy.tests.test_pages import staff_client

pytestmark = pytest.mark.django_db

DISCONTINUE = reverse("newsletter:staff_discontinue")
RESTART = reverse("newsletter:staff_restart")
SIGNUP = reverse("newsletter:signup")
MONDAY = dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.UTC)


def sign_up(address: str) -> str:
    """Sign `address` up through the public form; return its confirmation link's path."""
    answer = Client().post(
        SIGNUP, {"email": address, "language": "en", "country": "", "consent": "on"}
    )
    assert answer.status_code == 200
    body = OutboxMessage.objects.filter(email=address).latest("pk").body_text
    link = CONFIRM_LINK.search(body)
    assert link is not None
    return "/" + link.group(0).split("/", 3)[3]


def test_r29_support_discontinue_the_newsletter_and_the_waiting_sign_ups_go_with_the_sweep(
    token,
):
    subscriber = f"reader-{token}@example.org"
    waiting = f"waiting-{token}@example.org"
    consent = subscribe(subscriber, country="DK")
    delivery = NewsletterDeliveryFactory(email=subscriber, newsletter=NewsletterFactory())
    with time_machine.travel(MONDAY, tick=False):
        link = sign_up(waiting)
    support = staff_client(Role.SUPPORT)

    page = support.get(DISCONTINUE)
    assert page.status_code == 200
    assert "The subscription of 1 subscriber ends now" in page.content.decode()
    # Without the confirming tick, nothing happens.
    unconfirmed = support.post(DISCONTINUE, {})
    assert unconfirmed.status_code == 400
    assert "Tick the box to confirm, or go back." in unconfirmed.content.decode()
    assert ServiceEnd.objects.count() == 0
    assert may_process(Person.for_email(subscriber), NEWSLETTER).allowed

    with time_machine.travel(MONDAY + dt.timedelta(hours=2), tick=False):
        done = support.post(DISCONTINUE, {"confirm": "on"})

    assert done.status_code == 302
    end = ServiceEnd.objects.get()
    assert (end.purpose, end.ended_at) == ("newsletter", MONDAY + dt.timedelta(hours=2))
    assert LogEntry.objects.filter(object_id=str(end.pk), user=end.ended_by).count() == 1
    consent.refresh_from_db()
    assert consent.withdrawn_at == end.ended_at and consent.proof_release_at is not None
    assert not may_process(Person.for_email(subscriber), NEWSLETTER).allowed
    assert selectors.subscribers() == []
    listing = support.get(reverse("newsletter:staff_list")).content.decode()
    assert "The newsletter was discontinued on" in listing
    assert "Open the newsletter for sign-ups again" in listing
    # The sign-up is closed; the waiting link no longer subscribes anyone.
    closed = Client().get(SIGNUP, headers={"accept-language": "en"})
    assert "We have discontinued the newsletter" in closed.content.decode()
    assert (
        Client().post(SIGNUP, {"email": f"late-{token}@example.org", "consent": "on"}).status_code
        == 400
    )
    assert PendingSignup.objects.filter(email=f"late-{token}@example.org").count() == 0
    with time_machine.travel(MONDAY + dt.timedelta(hours=2, minutes=30), tick=False):
        opened = Client().get(link)
        refused = Client().post(link)
    assert opened.status_code == 400
    assert "The newsletter has been discontinued" in opened.content.decode()
    assert refused.status_code == 400
    assert "The newsletter has been discontinued" in refused.content.decode()
    assert Consent.objects.filter(email=waiting).count() == 0
    with pytest.raises(NewsletterError) as not_sent:
        start_sending(acting_user=end.ended_by, newsletter_id=NewsletterFactory().pk)
    assert not_sent.value.code == "discontinued_not_sent"

    report = run_sweep(as_of=MONDAY + dt.timedelta(hours=3))

    (outcome,) = [o for o in report.rules if o.rule.startswith("service ended")]
    assert (outcome.label, outcome.count) == ("newsletter.PendingSignup", 1)
    assert PendingSignup.objects.filter(email=waiting).count() == 0
    # Deliveries also serve offers to customers: their own 30 days take them, not the end.
    assert NewsletterDelivery.objects.filter(pk=delivery.pk).count() == 1
    # The proof of the consent is held for the limitation period.
    assert Consent.objects.filter(pk=consent.pk).count() == 1


def test_r29_opening_it_again_keeps_what_is_given_after_the_end(token):
    early = f"early-{token}@example.org"
    later = f"later-{token}@example.org"
    former = f"former-{token}@example.org"
    subscribe(former)
    with time_machine.travel(MONDAY, tick=False):
        sign_up(early)
    support = staff_client(Role.SUPPORT)
    with time_machine.travel(MONDAY + dt.timedelta(hours=1), tick=False):
        support.post(DISCONTINUE, {"confirm": "on"})
    with time_machine.travel(MONDAY + dt.timedelta(hours=2), tick=False):
        reopened = support.post(RESTART)
        later_link = sign_up(later)

    assert reopened.status_code == 302
    end = ServiceEnd.objects.get()
    assert end.restarted_at == MONDAY + dt.timedelta(hours=2)
    assert not services.is_discontinued()
    assert selectors.subscribers() == []  # the former subscriber must subscribe anew
    assert not may_process(Person.for_email(former), NEWSLETTER).allowed

    run_sweep(as_of=MONDAY + dt.timedelta(hours=3))

    assert list(PendingSignup.objects.values_list("email", flat=True)) == [later]
    with time_machine.travel(MONDAY + dt.timedelta(hours=4), tick=False):
        assert Client().post(later_link).status_code == 200
    assert may_process(Person.for_email(later), NEWSLETTER).allowed


def test_r29_a_learner_cannot_discontinue_and_nothing_changes(token):
    subscribe(f"reader-{token}@example.org")
    learner = UserFactory()
    client = Client()
    client.force_login(learner)

    assert client.get(DISCONTINUE).status_code == 403
    assert client.post(DISCONTINUE, {"confirm": "on"}).status_code == 403
    assert client.post(RESTART).status_code == 403
    with pytest.raises(NewsletterError) as refused:
        services.discontinue_newsletter(acting_user=learner)

    assert refused.value.code == "not_allowed"
    assert ServiceEnd.objects.count() == 0
    assert Consent.objects.get().withdrawn_at is None
