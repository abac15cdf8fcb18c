"""R17, R18: unsubscribing is one step and needs no sign-in (RFC 8058 one-click included); forged
links are refused and used ones change nothing."""

from __future__ import annotations

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from coursekeeper.accounts.factories import UserFactory
from coursekeeper.newsletter import services
from coursekeeper.newsletter.models import NewsletterDelivery
from coursekeeper.newsletter.privacy import CUSTOMER_OFFERS, NEWSLETTER
from coursekeeper.newsletter.selectors import Recipient
from coursekeeper.newsletter.tests.conftest import subscribe
from coursekeeper.privacy.gate import may_process
from coursekeeper.privacy.models import Consent, Objection
from coursekeeper.privacy.people import Person

pytestmark = pytest.mark.django_db(transaction=True)

ONE_CLICK = "List-Unsubscribe=One-Click"


def link_for(consent: Consent) -> str:
    recipient = Recipient(
        email=consent.email,
        language=consent.language,
        basis=NewsletterDelivery.Basis.CONSENT,
        consent_id=consent.pk,
    )
    return reverse("newsletter:unsubscribe", args=[services.unsubscribe_token(recipient)])


def one_click(url: str):
    """POST as a mail provider does for RFC 8058: no session, no CSRF token."""
    return Client(enforce_csrf_checks=True).post(
        url, ONE_CLICK, content_type="application/x-www-form-urlencoded"
    )


def test_r17_one_click_post_unsubscribes_without_sign_in_or_csrf_token(token):
    consent = subscribe(f"reader-{token}@example.org")
    person = Person.for_email(consent.email)

    answer = one_click(link_for(consent))

    assert answer.status_code == 200
    assert "You are unsubscribed" in answer.content.decode()
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert consent.proof_release_at is not None  # the proof is kept, with its end date
    assert not may_process(person, NEWSLETTER)


def test_r17_the_link_asks_for_one_click_and_a_get_changes_nothing(token):
    consent = subscribe(f"reader-{token}@example.org")

    page = Client().get(link_for(consent))

    assert page.status_code == 200
    assert '<button type="submit">Unsubscribe</button>' in page.content.decode()
    consent.refresh_from_db()
    assert consent.withdrawn_at is None


def test_r17_a_used_unsubscribe_link_says_so_and_changes_nothing(token):
    consent = subscribe(f"reader-{token}@example.org")
    url = link_for(consent)
    one_click(url)
    consent.refresh_from_db()
    withdrawn_at = consent.withdrawn_at

    again = one_click(url)
    page = Client().get(url)

    assert (again.status_code, page.status_code) == (200, 200)
    assert "Already unsubscribed" in again.content.decode()
    assert "Already unsubscribed" in page.content.decode()
    consent.refresh_from_db()
    assert consent.withdrawn_at == withdrawn_at
    assert Consent.objects.count() == 1


def test_r17_an_old_link_also_ends_a_later_subscription_of_the_same_person(token):
    address = f"reader-{token}@example.org"
    first = subscribe(address)
    one_click(link_for(first))
    subscribe(address)  # subscribed again later; the old newsletter's link still works

    answer = one_click(link_for(first))

    assert "You are unsubscribed" in answer.content.decode()
    assert not Consent.objects.filter(email=address, withdrawn_at__isnull=True).exists()


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(
            lambda valid: valid[:-2] + ("AA" if valid[-2:] != "AA" else "BB"), id="tampered"
        ),
        pytest.param(
            lambda valid: signing.dumps({"c": 1}, salt="another.salt", compress=True),
            id="other-salt",
        ),
        pytest.param(
            lambda valid: signing.dumps({"c": 1}, key="x" * 50, salt=services.UNSUBSCRIBE_SALT),
            id="other-key",
        ),
        pytest.param(
            lambda valid: signing.dumps({"email": "a@b.c"}, salt=services.UNSUBSCRIBE_SALT),
            id="wrong-shape",
        ),
        pytest.param(lambda valid: "eyJjIjoxfQ", id="unsigned"),
    ],
)
def test_r17_a_forged_unsubscribe_link_is_refused_and_changes_nothing(forge, token):
    consent = subscribe(f"reader-{token}@example.org")
    valid = link_for(consent).rstrip("/").rsplit("/", 1)[1]
    url = reverse("newsletter:unsubscribe", args=[forge(valid)])

    page = Client().get(url)
    answer = one_click(url)

    assert (page.status_code, answer.status_code) == (400, 400)
    assert "This unsubscribe link is not valid. Nothing was changed." in answer.content.decode()
    consent.refresh_from_db()
    assert consent.withdrawn_at is None


def test_r18_a_customer_link_records_an_objection_to_offers_in_one_step():
    customer = UserFactory(country="DK")
    recipient = Recipient(
        email=customer.email,
        language="en",
        basis=NewsletterDelivery.Basis.CUSTOMER,
        user_id=customer.pk,
        country="DK",
    )
    url = reverse("newsletter:unsubscribe", args=[services.unsubscribe_token(recipient)])
    page = Client().get(url)
    assert "Send me no more offers" in page.content.decode()

    answer = one_click(url)
    again = one_click(url)

    assert "You are unsubscribed" in answer.content.decode()
    assert "Already unsubscribed" in again.content.decode()
    objection = Objection.objects.get()
    assert (objection.user_id, objection.email, objection.purpose) == (
        customer.pk,
        customer.email,
        "customer_offers",
    )
    assert not may_process(Person.for_user(customer), CUSTOMER_OFFERS)
