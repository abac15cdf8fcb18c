"""R17: the newsletter's own sign-up, with an unticked box, confirmed by double opt-in over SMTP;
the consent ledger keeps when, which words and how."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from coursekeeper.accounts.factories import UserFactory
from coursekeeper.messaging.models import OutboxMessage
from coursekeeper.newsletter.models import PendingSignup
from coursekeeper.newsletter.privacy import NEWSLETTER
from coursekeeper.newsletter.tests.conftest import confirm_link, subscribe
from coursekeeper.newsletter.wording import CURRENT_VERSION, WORDINGS
from coursekeeper.privacy.gate import may_process
from coursekeeper.privacy.models import Consent, ConsentText
from coursekeeper.privacy.people import Person

pytestmark = pytest.mark.django_db(transaction=True)

SIGNUP = reverse("newsletter:signup")


def form(email: str, **overrides) -> dict[str, str]:
    return {"email": email, "language": "en", "country": "", "consent": "on", **overrides}


def test_r17_double_opt_in_over_smtp_records_the_consent_with_wording_language_and_method(
    smtp_server, token
):
    address = f"reader-{token}@example.org"

    answer = Client().post(SIGNUP, form(address.upper(), language="de", country="DE"))

    assert answer.status_code == 200
    assert "Check your email" in answer.content.decode()
    assert Consent.objects.count() == 0  # nothing until the person confirms
    (mail,) = smtp_server.wait_for(address)
    link = confirm_link(mail.text)
    confirm_token = link.rstrip("/").rsplit("/", 1)[1]
    (pending,) = PendingSignup.objects.all()
    assert (pending.email, pending.language, pending.country) == (address, "de", "DE")
    assert pending.token_digest == hashlib.sha256(confirm_token.encode()).hexdigest()
    assert OutboxMessage.objects.get(email=address).language == "de"

    page = Client().get(link)  # a link scanner opening the link confirms nothing
    assert page.status_code == 200
    assert WORDINGS[CURRENT_VERSION]["de"] in page.content.decode()
    assert Consent.objects.count() == 0

    confirmed = Client().post(link)

    assert confirmed.status_code == 200
    assert "You are subscribed" in confirmed.content.decode()
    consent = Consent.objects.get()
    assert (
        consent.purpose,
        consent.email,
        consent.wording_version,
        consent.language,
        consent.method,
        consent.country,
        consent.withdrawn_at,
    ) == ("newsletter", address, CURRENT_VERSION, "de", "double opt-in", "DE", None)
    # The words the proof points at are the words the person saw.
    assert (
        ConsentText.objects.get(purpose="newsletter", version=CURRENT_VERSION, language="de").text
        == WORDINGS[CURRENT_VERSION]["de"]
    )
    assert PendingSignup.objects.count() == 0
    assert may_process(Person.for_email(address), NEWSLETTER)

    # The link is used up: a second confirmation is refused clearly and changes nothing.
    again = Client().post(link)
    assert again.status_code == 400
    assert "expired or was already used" in again.content.decode()
    assert list(Consent.objects.values_list("pk", flat=True)) == [consent.pk]


def test_r17_a_sign_up_of_an_account_holder_names_the_account_in_the_consent(smtp_server):
    learner = UserFactory(country="DK", language="da")

    Client().post(SIGNUP, form(learner.email, language="da"))
    (mail,) = smtp_server.wait_for(learner.email)
    Client().post(confirm_link(mail.text))

    consent = Consent.objects.get()
    assert (consent.user_id, consent.email, consent.country) == (learner.pk, learner.email, "DK")


def test_r17_the_sign_up_form_has_its_own_unticked_box_and_the_privacy_notice():
    page = Client().get(SIGNUP).content.decode()

    checkbox = re.search(r'<input type="checkbox"[^>]*name="consent"[^>]*>', page)
    assert checkbox is not None
    assert "checked" not in checkbox.group(0)
    assert WORDINGS[CURRENT_VERSION]["en"] in page
    assert "How we use what you enter here" in page
    assert "Consent (GDPR Art. 6(1)(a))" in page


def test_r17_a_sign_up_without_ticking_the_box_is_refused_and_stores_and_sends_nothing(
    smtp_server, token
):
    fields = form(f"reader-{token}@example.org")
    del fields["consent"]

    answer = Client().post(SIGNUP, fields)

    assert answer.status_code == 400
    assert "Tick the box if you want the newsletter." in answer.content.decode()
    assert PendingSignup.objects.count() == 0
    assert OutboxMessage.objects.count() == 0
    assert Consent.objects.count() == 0
    assert smtp_server.messages == []


def _without_csrf(content: bytes) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", content.decode())


def test_r17_known_and_unknown_addresses_are_answered_identically(smtp_server, token):
    subscribed = f"subscribed-{token}@example.org"
    subscribe(subscribed)
    holder = UserFactory()
    unknown = f"unknown-{token}@example.org"

    answers = [
        _without_csrf(Client().post(SIGNUP, form(address)).content)
        for address in (subscribed, holder.email, unknown)
    ]

    assert answers[0] == answers[1] == answers[2]
    smtp_server.wait_for(unknown)
    smtp_server.wait_for(holder.email)
    # Someone already subscribed gets no second link; the others each get one.
    assert sorted(r for mail in smtp_server.messages for r in mail.recipients) == sorted(
        [holder.email, unknown]
    )
    assert PendingSignup.objects.filter(email=subscribed).count() == 0


def test_r17_an_expired_confirmation_link_is_refused_and_changes_nothing(smtp_server, token):
    address = f"late-{token}@example.org"
    Client().post(SIGNUP, form(address))
    (mail,) = smtp_server.wait_for(address)
    link = confirm_link(mail.text)

    with time_machine.travel(dt.timedelta(days=3, minutes=1)):
        page = Client().get(link)
        answer = Client().post(link)

    assert (page.status_code, answer.status_code) == (400, 400)
    assert "expired or was already used" in answer.content.decode()
    assert Consent.objects.count() == 0
    assert PendingSignup.objects.filter(email=address).count() == 1  # the sweep takes it


@pytest.mark.parametrize("forged", ["forged-token", "a" * 43])
def test_r17_a_forged_confirmation_link_is_refused_and_changes_nothing(forged):
    answer = Client().post(reverse("newsletter:confirm", args=[forged]))

    assert answer.status_code == 400
    assert "expired or was already used" in answer.content.decode()
    assert Consent.objects.count() == 0


def test_r17_one_address_gets_at_most_three_links_an_hour(smtp_server, token):
    address = f"flooded-{token}@example.org"

    answers = {Client().post(SIGNUP, form(address)).status_code for _ in range(5)}

    assert answers == {200}
    smtp_server.wait_for(address, count=3)
    assert PendingSignup.objects.filter(email=address).count() == 3
    assert OutboxMessage.objects.filter(email=address).count() == 3
