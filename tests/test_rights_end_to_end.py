"""R28, R29, R32 end to end: a learner erases their account from the privacy page.

Real commits (a transactional test), the erasure job run by the task backend after commit, the
answer delivered through a real SMTP conversation, and then the whole database searched for the
person: the answer itself forgets its address and text once the server has accepted it.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from coursekeeper.accounts.factories import PASSWORD, UserFactory
from coursekeeper.accounts.models import User
from coursekeeper.messaging.models import OutboxMessage
from coursekeeper.privacy.factories import ConsentFactory, DisclosureFactory, RecipientFactory
from coursekeeper.privacy.models import ErasureJob, RightsRequest
from coursekeeper.privacy.tests.shapes.factories import HeldRecordFactory
from coursekeeper.privacy.trace import trace_person

pytestmark = pytest.mark.django_db(transaction=True)


def test_r29_erasure_from_the_account_answers_with_what_went_what_stays_and_who_was_told(
    smtp_server, token
):
    learner = UserFactory(email=f"erase-{token}@example.org", full_name=f"Ea {token}")
    ConsentFactory(user=learner)
    HeldRecordFactory(buyer=learner, buyer_name=learner.full_name)
    RecipientFactory(name="Postbud Mail ApS", categories=["contact"])
    RecipientFactory(name="Unrelated Payroll A/S", categories=["payment_only_other"])
    DisclosureFactory(user=learner, reason="Court order 7/2026")
    client = Client()
    client.post(reverse("account_login"), {"login": learner.email, "password": PASSWORD})

    page = client.get(reverse("privacy:erase_account")).content.decode()
    assert "What a law makes us keep" in page
    response = client.post(reverse("privacy:erase_account"), {"password": PASSWORD})

    assert response.status_code == 200
    assert "Your account is closed" in response.content.decode()
    assert not User.objects.filter(pk=learner.pk).exists()
    job = ErasureJob.objects.get()
    assert (job.status, job.user_id) == ("done", None)

    (answer,) = [
        mail
        for mail in smtp_server.wait_for(learner.email, count=2)
        if "Answer to your request" in str(mail.message["Subject"])
    ]
    body = answer.message.get_payload(decode=True).decode()
    assert "Your account and your data are erased." in body
    assert "What a law makes us keep, and until when:" in body
    assert "bogføringsloven" in body
    assert "Postbud Mail ApS" in body
    assert "Unrelated Payroll" not in body
    assert "Court order" not in body  # the reason of a disclosure stays with staff

    # The answer forgot its address and text once the server accepted it.
    sent = OutboxMessage.objects.get(template="privacy/request_answered")
    assert (sent.status, sent.email, sent.body_text, sent.subject) == ("done", "", "", "")
    request = RightsRequest.objects.get()
    assert (request.status, request.email, request.user_id) == ("answered", "", None)
    assert request.events.filter(action="answered").exists()
    note = request.events.get(action="notify").note
    assert "Postbud Mail ApS" in note
    assert token not in note

    unheld = [t for t in trace_person([f"erase-{token}", token]) if not t.held]
    assert unheld == []
