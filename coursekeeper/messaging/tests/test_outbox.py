"""The email outbox: queued with its cause, delivered once, retried or failed with a code."""

from __future__ import annotations

import logging
import re
import smtplib
from datetime import timedelta
from typing import Any

import pytest
from django.core.mail import BadHeaderError
from django.db import transaction
from django.utils import timezone

from coursekeeper.jobs.models import JobStatus
from coursekeeper.messaging.factories import OutboxMessageFactory
from coursekeeper.messaging.models import OutboxMessage, new_message_id
from coursekeeper.messaging.services import (
    classify_smtp_error,
    deliver_due_messages,
    deliver_message,
    queue_email,
)


class Rollback(Exception):
    pass


def queue(token: str, **overrides) -> OutboxMessage:
    arguments: dict[str, Any] = {
        "to": f"Learner-{token}@Example.org",
        "subject": f"Welcome {token}",
        "body_text": f"Hello {token}",
        "language": "en",
        "template": "tests/welcome",
    }
    arguments.update(overrides)
    with transaction.atomic():
        message = queue_email(**arguments)
    assert message is not None
    return message


@pytest.mark.django_db(transaction=True)
def test_email_queued_in_a_transaction_that_rolls_back_leaves_no_row_and_sends_nothing(
    smtp_server, token
):
    with pytest.raises(Rollback), transaction.atomic():
        queue_email(
            to=f"learner-{token}@example.org",
            subject="Welcome",
            body_text="Hello",
            language="en",
            template="tests/welcome",
        )
        raise Rollback

    assert OutboxMessage.objects.count() == 0
    assert deliver_due_messages().attempted == 0
    assert smtp_server.messages == []


@pytest.mark.django_db(transaction=True)
def test_committed_email_arrives_once_with_the_rows_message_id_and_a_flush_sends_no_more(
    smtp_server, token
):
    message = queue(token)

    (mail,) = smtp_server.wait_for(f"learner-{token}@example.org")
    message.refresh_from_db()
    assert mail.message["Message-ID"] == message.message_id
    assert mail.subject == f"Welcome {token}"
    assert mail.text.strip() == f"Hello {token}"
    assert mail.recipients == [f"learner-{token}@example.org"]
    assert (message.status, message.attempts, message.last_error_code) == (JobStatus.DONE, 1, "")
    assert message.sent_at is not None
    assert message.finished_at == message.sent_at

    tally = deliver_due_messages()
    assert (tally.sent, tally.retrying, tally.failed) == (0, 0, 0)
    assert deliver_message(outbox_message_id=message.pk) is None
    assert len(smtp_server.messages) == 1


@pytest.mark.django_db
def test_queue_email_stores_a_normalised_address_and_a_stable_message_id(settings, token):
    settings.DEFAULT_FROM_EMAIL = "Nordlys Kurser <kurser@nordlys.example>"
    message = queue(token, headers={"List-Unsubscribe": "<https://nordlys.example/u/1>"})

    message.refresh_from_db()
    assert message.email == f"learner-{token}@example.org"
    assert re.fullmatch(r"<[0-9a-f]{32}@nordlys\.example>", message.message_id)
    assert message.headers == {"List-Unsubscribe": "<https://nordlys.example/u/1>"}
    assert (message.status, message.attempts, message.sent_at) == (JobStatus.QUEUED, 0, None)
    assert message.message_id != new_message_id()


@pytest.mark.django_db
def test_message_id_domain_can_be_set_on_its_own(settings):
    settings.OUTBOX_MESSAGE_ID_DOMAIN = "mail.nordlys.example"

    assert new_message_id().endswith("@mail.nordlys.example>")


@pytest.mark.django_db(transaction=True)
def test_queue_email_outside_a_transaction_is_refused_and_writes_nothing(token):
    with pytest.raises(RuntimeError):
        queue_email(
            to=f"learner-{token}@example.org",
            subject="Welcome",
            body_text="Hello",
            language="en",
            template="tests/welcome",
        )

    assert OutboxMessage.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "overrides",
    [
        {"subject": "Two\nlines"},
        {"to": ""},
        {"headers": {"Message-ID": "<forged@example.org>"}},
        {"headers": {"X-Note": "one\r\nBcc: someone@example.org"}},
    ],
)
def test_queue_email_refuses_header_injection_and_overrides_and_writes_nothing(token, overrides):
    with pytest.raises(ValueError):
        queue(token, **overrides)

    assert OutboxMessage.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_html_body_and_extra_headers_are_sent_with_the_text_body(smtp_server, token):
    message = queue(
        token,
        body_html=f"<p>Hello <b>{token}</b></p>",
        headers={"List-Unsubscribe": "<https://example.org/unsubscribe>"},
    )

    (mail,) = smtp_server.wait_for(message.email)
    html = mail.message.get_body(preferencelist=("html",)).get_content()
    assert html.strip() == f"<p>Hello <b>{token}</b></p>"
    assert mail.text.strip() == f"Hello {token}"
    assert mail.message["List-Unsubscribe"] == "<https://example.org/unsubscribe>"


@pytest.mark.django_db
def test_temporary_failure_server_not_listening_keeps_the_row_queued_for_a_later_attempt(
    unreachable_smtp_server, caplog
):
    message = OutboxMessageFactory()
    before = timezone.now()

    with caplog.at_level(logging.DEBUG):
        tally = deliver_due_messages()

    message.refresh_from_db()
    assert (tally.sent, tally.retrying, tally.failed) == (0, 1, 0)
    assert (message.status, message.attempts, message.last_error_code) == (
        JobStatus.QUEUED,
        1,
        "connection_refused",
    )
    assert message.next_attempt_at >= before + timedelta(seconds=30)
    assert message.claimed_until is None
    assert message.sent_at is None
    assert message.email not in caplog.text
    assert f"id={message.pk}" in caplog.text


@pytest.mark.django_db
def test_unreachable_server_costs_one_attempt_per_flush_not_one_per_message(
    unreachable_smtp_server,
):
    messages = OutboxMessageFactory.create_batch(3)

    deliver_due_messages()

    attempts = sorted(
        OutboxMessage.objects.filter(pk__in=[m.pk for m in messages]).values_list(
            "attempts", flat=True
        )
    )
    assert attempts == [0, 0, 1]


@pytest.mark.django_db
def test_permanent_refusal_of_the_recipient_fails_the_row_with_a_code(refusing_smtp_server, caplog):
    server = refusing_smtp_server("550 5.1.1 No such user here")
    message = OutboxMessageFactory()

    with caplog.at_level(logging.DEBUG):
        tally = deliver_due_messages()

    message.refresh_from_db()
    assert (tally.sent, tally.retrying, tally.failed) == (0, 0, 1)
    assert (message.status, message.attempts, message.last_error_code) == (
        JobStatus.FAILED,
        1,
        "recipient_refused_550",
    )
    assert message.finished_at is not None
    assert message.sent_at is None
    assert server.delivered == 0
    assert message.email not in caplog.text


@pytest.mark.django_db
def test_temporary_refusal_4xx_of_the_recipient_is_retried_with_backoff(refusing_smtp_server):
    refusing_smtp_server("451 4.3.0 Try again later")
    message = OutboxMessageFactory()

    deliver_due_messages()

    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error_code) == (
        JobStatus.QUEUED,
        1,
        "recipient_refused_451",
    )
    assert message.next_attempt_at > timezone.now()


@pytest.mark.django_db
def test_temporary_failure_on_the_last_attempt_fails_the_row_and_keeps_it(
    unreachable_smtp_server,
):
    message = OutboxMessageFactory(attempts=7, max_attempts=8)

    deliver_due_messages()

    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error_code) == (
        JobStatus.FAILED,
        8,
        "connection_refused",
    )
    assert message.finished_at is not None


@pytest.mark.django_db
def test_retry_that_is_not_due_yet_is_not_sent(smtp_server):
    message = OutboxMessageFactory(
        attempts=1,
        last_error_code="connection_refused",
        next_attempt_at=timezone.now() + timedelta(minutes=2),
    )

    assert deliver_message(outbox_message_id=message.pk) is None
    assert deliver_due_messages().attempted == 0
    assert smtp_server.messages == []
    message.refresh_from_db()
    assert (message.status, message.attempts) == (JobStatus.QUEUED, 1)


@pytest.mark.django_db
def test_lease_expiry_a_running_row_past_its_lease_is_sent_again_with_the_same_message_id(
    smtp_server,
):
    message = OutboxMessageFactory(
        status=JobStatus.RUNNING,
        attempts=1,
        claimed_until=timezone.now() - timedelta(seconds=1),
    )
    message_id = message.message_id

    assert deliver_message(outbox_message_id=message.pk) == JobStatus.DONE

    (mail,) = smtp_server.wait_for(message.email)
    message.refresh_from_db()
    assert mail.message["Message-ID"] == message_id
    assert (message.status, message.attempts, message.message_id) == (
        JobStatus.DONE,
        2,
        message_id,
    )


@pytest.mark.django_db
def test_a_row_held_by_a_live_worker_is_not_sent_by_another(smtp_server):
    message = OutboxMessageFactory(
        status=JobStatus.RUNNING,
        attempts=1,
        claimed_until=timezone.now() + timedelta(minutes=4),
    )

    assert deliver_message(outbox_message_id=message.pk) is None
    assert deliver_due_messages().attempted == 0
    assert smtp_server.messages == []


@pytest.mark.django_db(transaction=True)
def test_outbox_flush_command_sends_every_due_message(smtp_server, database_tasks):
    from django.core.management import call_command

    messages = OutboxMessageFactory.create_batch(3)

    call_command("outbox_flush", verbosity=0)

    for message in messages:
        (mail,) = smtp_server.wait_for(message.email)
        assert mail.message["Message-ID"] == message.message_id
    assert OutboxMessage.objects.filter(status=JobStatus.DONE).count() == 3


@pytest.mark.parametrize(
    ("error", "code", "permanent"),
    [
        (
            smtplib.SMTPRecipientsRefused({"anna@example.org": (550, b"anna@example.org: no")}),
            "recipient_refused_550",
            True,
        ),
        (
            smtplib.SMTPRecipientsRefused({"anna@example.org": (452, b"mailbox full")}),
            "recipient_refused_452",
            False,
        ),
        (smtplib.SMTPSenderRefused(553, b"no", "x@example.org"), "sender_refused_553", True),
        (smtplib.SMTPDataError(554, b"spam"), "data_refused_554", True),
        (smtplib.SMTPDataError(451, b"later"), "data_refused_451", False),
        (smtplib.SMTPAuthenticationError(535, b"bad"), "smtp_session_535", False),
        (smtplib.SMTPConnectError(554, b"go away"), "smtp_connect_554", False),
        (smtplib.SMTPServerDisconnected("gone"), "server_disconnected", False),
        (ConnectionRefusedError(111, "refused"), "connection_refused", False),
        (TimeoutError("timed out"), "timeout", False),
        (BadHeaderError("anna@example.org\n"), "invalid_message", True),
        (RuntimeError("anna@example.org"), "unexpected_RuntimeError", False),
    ],
)
def test_smtp_errors_become_fixed_codes_without_personal_data(error, code, permanent):
    failure = classify_smtp_error(error)

    assert (failure.code, failure.permanent) == (code, permanent)
    assert "@" not in failure.code
