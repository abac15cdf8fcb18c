"""Account emails (allauth's) go through the outbox, rendered in the recipient's language."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from coursekeeper.accounts.factories import UserFactory
from coursekeeper.jobs.models import JobStatus
from coursekeeper.messaging.models import OutboxMessage

pytestmark = pytest.mark.django_db(transaction=True)


def test_r1_signup_verification_email_is_an_outbox_row_delivered_with_its_message_id(
    client, smtp_server, token
):
    client.post(
        reverse("account_signup"),
        {
            "full_name": f"Signe {token}",
            "email": f"Signe-{token}@Example.org",
            "password1": "a quiet lake at dawn 42",
            "adult_confirmed": "on",
        },
    )

    (mail,) = smtp_server.wait_for(f"signe-{token}@example.org")
    (message,) = OutboxMessage.objects.all()
    assert message.email == f"signe-{token}@example.org"
    assert message.recipient is not None
    assert message.recipient.email == f"signe-{token}@example.org"
    assert message.template == "account/email/email_confirmation_signup"
    assert message.language == "en"
    assert (message.status, message.attempts) == (JobStatus.DONE, 1)
    assert mail.message["Message-ID"] == message.message_id
    assert mail.subject == message.subject
    assert "/accounts/confirm-email/" in message.body_text


def test_r2_password_reset_email_is_queued_in_the_persons_language(smtp_server):
    person = UserFactory(language="de")

    Client(HTTP_ACCEPT_LANGUAGE="en").post(
        reverse("account_reset_password"), {"email": person.email}
    )

    (mail,) = smtp_server.wait_for(person.email)
    (message,) = OutboxMessage.objects.filter(recipient=person)
    assert message.language == "de"
    assert message.template == "account/email/password_reset_key"
    assert mail.subject == message.subject
    assert message.status == JobStatus.DONE


def test_r29_email_to_an_address_without_account_forgets_the_address_once_sent(smtp_server, token):
    address = f"nobody-{token}@example.org"

    Client().post(reverse("account_reset_password"), {"email": address})

    (mail,) = smtp_server.wait_for(address)
    assert f"nobody-{token}" in mail.text
    (message,) = OutboxMessage.objects.all()
    assert message.template == "account/email/unknown_account"
    assert mail.message["Message-ID"] == message.message_id
    # Delivery state stays; the address and everything written to it are gone.
    assert (message.status, message.attempts, message.forget_after_sending) == (
        JobStatus.DONE,
        1,
        True,
    )
    assert message.sent_at is not None
    assert (
        message.email,
        message.recipient,
        message.subject,
        message.body_text,
        message.body_html,
        message.headers,
    ) == ("", None, "", "", "", {})
