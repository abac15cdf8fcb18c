"""R29: mail to an address no account uses -- never registered, or erased -- reaches it, and
then nothing in the database names the address: not the outbox, not the cache, not a log row.

Real requests, the outbox flushed by its own command to a local SMTP server over a real
conversation, and the erasure carried out by its job; then every column of every table (the
outbox's raw values included) and every decoded cache value is searched for the address, in
clear and as unkeyed digests. Transactional, so the flush and the erasure see real commits.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from coursekeeper.accounts.factories import UserFactory
from coursekeeper.jobs.models import JobStatus
from coursekeeper.jobs.testing import DATABASE_TASKS
from coursekeeper.messaging.models import OutboxMessage
from coursekeeper.privacy import jobs
from coursekeeper.privacy.trace import trace_person

pytestmark = pytest.mark.django_db(transaction=True)

UNKNOWN_ACCOUNT = "account/email/unknown_account"


@pytest.fixture(autouse=True)
def outbox_flushed_by_its_command(settings):
    """Requests only queue their mail, as in production; the test flushes the outbox."""
    settings.TASKS = DATABASE_TASKS


def ask_for_a_password_reset(address: str) -> None:
    response = Client().post(reverse("account_reset_password"), {"email": address})
    assert response.status_code == 302


def delivery_state(template: str) -> list[tuple]:
    return list(
        OutboxMessage.objects.filter(template=template).values_list(
            "status", "attempts", "email", "recipient", "subject", "body_text", "headers"
        )
    )


def test_r29_reset_mail_to_a_never_registered_address_arrives_and_leaves_no_trace(
    smtp_server, token
):
    address = f"nobody-{token}@example.org"

    ask_for_a_password_reset(f"Nobody-{token}@Example.org")
    call_command("outbox_flush", verbosity=0)

    (mail,) = smtp_server.wait_for(address)
    assert address in mail.text
    assert delivery_state(UNKNOWN_ACCOUNT) == [(JobStatus.DONE, 1, "", None, "", "", {})]
    assert trace_person([address, token]) == []


def test_r29_after_erasure_mail_to_the_erased_address_arrives_and_leaves_no_trace(
    smtp_server, token
):
    address = f"erased-{token}@example.org"
    person = UserFactory(email=address)
    # One reset mail went out before the erasure, another is still waiting in the outbox.
    ask_for_a_password_reset(address)
    call_command("outbox_flush", verbosity=0)
    smtp_server.wait_for(address)
    ask_for_a_password_reset(address)
    assert sorted(OutboxMessage.objects.filter(email=address).values_list("status", flat=True)) == [
        JobStatus.DONE,
        JobStatus.QUEUED,
    ]

    erasure = jobs.request_erasure(user=person)
    assert jobs.run_erasure_job(job_id=erasure.pk) is True

    # Both are gone with the person: the waiting one is never sent.
    assert OutboxMessage.objects.count() == 0
    ask_for_a_password_reset(address)
    call_command("outbox_flush", verbosity=0)
    first, second = smtp_server.wait_for(address, count=2)
    assert (first.text.count("/accounts/password/reset/key/"), address in second.text) == (1, True)
    assert len(smtp_server.to(address)) == 2
    assert delivery_state(UNKNOWN_ACCOUNT) == [(JobStatus.DONE, 1, "", None, "", "", {})]
    assert trace_person([address, token]) == []
