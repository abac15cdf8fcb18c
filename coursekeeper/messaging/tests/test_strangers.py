"""R29: mail to someone the platform holds nothing else about forgets the address once it is sent
or given up on, in the transaction that records it; a retry still needs the address and keeps it.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from coursekeeper.jobs.leases import LEASE_EXPIRED_TOO_OFTEN
from coursekeeper.jobs.models import JobStatus
from coursekeeper.messaging.factories import OutboxMessageFactory
from coursekeeper.messaging.models import OutboxMessage
from coursekeeper.messaging.services import deliver_due_messages, queue_email

UNKNOWN_ACCOUNT = "account/email/unknown_account"


def contents(message: OutboxMessage) -> tuple:
    message.refresh_from_db()
    return (
        message.email,
        message.recipient_id,
        message.subject,
        message.body_text,
        message.body_html,
        message.headers,
    )


FORGOTTEN: tuple[str, None, str, str, str, dict[str, str]] = ("", None, "", "", "", {})


@pytest.mark.django_db
def test_r29_a_template_to_strangers_marks_its_mail_to_be_forgotten_and_others_do_not(token):
    with transaction.atomic():
        stranger = queue_email(
            to=f"nobody-{token}@example.org",
            subject="Password reset",
            body_text=f"No account uses nobody-{token}@example.org.",
            language="en",
            template=UNKNOWN_ACCOUNT,
        )
        learner = queue_email(
            to=f"learner-{token}@example.org",
            subject="Welcome",
            body_text="Hello",
            language="en",
            template="tests/welcome",
        )

    assert stranger is not None and learner is not None
    assert (stranger.forget_after_sending, learner.forget_after_sending) == (True, False)


@pytest.mark.django_db
def test_r29_mail_to_a_stranger_sent_keeps_only_its_delivery_state(smtp_server):
    message = OutboxMessageFactory(template=UNKNOWN_ACCOUNT, forget_after_sending=True)
    address = message.email

    assert deliver_due_messages().sent == 1

    (mail,) = smtp_server.wait_for(address)
    assert mail.message["Message-ID"] == message.message_id
    assert contents(message) == FORGOTTEN
    assert (message.status, message.attempts, message.template) == (
        JobStatus.DONE,
        1,
        UNKNOWN_ACCOUNT,
    )
    assert message.sent_at is not None


@pytest.mark.django_db
def test_r29_mail_to_a_stranger_refused_for_good_forgets_its_address(refusing_smtp_server):
    refusing_smtp_server("550 5.1.1 No such user here")
    message = OutboxMessageFactory(template=UNKNOWN_ACCOUNT, forget_after_sending=True)

    assert deliver_due_messages().failed == 1

    assert contents(message) == FORGOTTEN
    assert (message.status, message.last_error_code) == (
        JobStatus.FAILED,
        "recipient_refused_550",
    )


@pytest.mark.django_db
def test_r29_mail_to_a_stranger_that_will_be_retried_keeps_its_address(refusing_smtp_server):
    refusing_smtp_server("451 4.3.0 Try again later")
    message = OutboxMessageFactory(template=UNKNOWN_ACCOUNT, forget_after_sending=True)
    before = contents(message)

    assert deliver_due_messages().retrying == 1

    assert contents(message) == before
    assert message.status == JobStatus.QUEUED


@pytest.mark.django_db
def test_r29_mail_to_a_stranger_failed_by_expired_leases_is_forgotten_by_the_flush(smtp_server):
    # A worker died holding the last allowed attempt; the next claim gives up on the row.
    message = OutboxMessageFactory(
        template=UNKNOWN_ACCOUNT,
        forget_after_sending=True,
        status=JobStatus.RUNNING,
        attempts=8,
        max_attempts=8,
        claimed_until=timezone.now() - timedelta(seconds=1),
    )
    other = OutboxMessageFactory(
        status=JobStatus.RUNNING,
        attempts=8,
        max_attempts=8,
        claimed_until=timezone.now() - timedelta(seconds=1),
    )
    other_before = contents(other)

    assert deliver_due_messages().attempted == 0

    assert contents(message) == FORGOTTEN
    assert (message.status, message.last_error_code) == (JobStatus.FAILED, LEASE_EXPIRED_TOO_OFTEN)
    # Mail to someone with an address the platform keeps stays visible as failed, as it was.
    assert contents(other) == other_before
    assert other.status == JobStatus.FAILED
    assert smtp_server.messages == []
