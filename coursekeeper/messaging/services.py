"""The email outbox: queue in the cause's transaction, deliver each message at most once per claim.

Design. A message is a row (`OutboxMessage`) written by `queue_email` in the same transaction as
whatever caused it, so a rolled-back sign-up sends nothing and a committed one cannot lose its
mail. The delivery task is enqueued on commit and carries only the row id; `outbox_flush` (every
minute, and a plain command) delivers whatever is due whether or not a task ran.

What is atomic. Delivering one message is three steps, each committed on its own:
  1. claim: one transaction sets `running`, a lease (`claimed_until`) and `attempts + 1`
     (coursekeeper.jobs.leases: SKIP LOCKED on PostgreSQL, the IMMEDIATE write lock on SQLite),
     so two workers never hold the same row;
  2. send: one SMTP transaction, outside any database transaction, with the row's Message-ID;
  3. mark: as soon as the server answered 250, one transaction sets `done` and `sent_at`.
     Nothing -- not even a log line -- runs between the 250 and that commit.
A refusal instead records the attempt: a permanent one (5xx to the recipient, the sender or the
data) makes the row `failed` with a short code; a temporary one (no connection, timeout, 4xx)
puts it back to `queued` with an exponentially backed-off `next_attempt_at`, until
`max_attempts`, after which it is `failed`. Failed rows are kept and visible in the admin.

What a rerun does. A worker killed before the server accepted the message leaves the row
`running`; when its lease runs out the row is due again (the scheduler also re-enqueues it) and
the next worker sends it -- with the same Message-ID, which was fixed when the row was created.
A message is never sent again once step 3 committed, and a worker holds one message at a time,
so a crash can put at most that one message in doubt.

The one unavoidable window. If the worker dies after the SMTP server accepted the message (its
250) but before step 3 committed, the database cannot know the message left, and the rerun sends
it a second time. No design removes this without risking the opposite, a lost message: only the
server knows it accepted, and marking `done` before sending turns this window into silent loss.
The window is one UPDATE and COMMIT long -- short, but not rare against a fast local server:
a random SIGKILL landed in it in about one run in five of test_outbox_worker. What makes it
harmless is the stable Message-ID: the second delivery is the same message (same Message-ID,
subject and body), not a new one. Stores and clients that deduplicate by Message-ID (Gmail does;
Sieve's "duplicate" test, RFC 7352, and Thunderbird's duplicate handling can) keep one copy,
and the others show it as the same message, threaded with the first.

Who may be written to. Every email is a processing path of the purpose it serves, registered by
its template (`privacy.paths.email_path`); `queue_email` asks the privacy gate about the person
the message is about and writes nothing when the answer is no (a restriction the cause has no
exception for, an objection, a withdrawn consent), so no cause can mail past a restriction, and
a template nobody registered is an error. A message queued before a restriction began is still
delivered: the outbox only carries out what was decided when it was queued.

Privacy. Logs name a message by its row id only; SMTP errors (which quote the address) are turned
into fixed codes before anything is logged or stored, and never reach a task result.

Mail to strangers. Some messages go to an address the platform holds nothing else about: the
"no account uses this address" answer to a password reset (asked for an address never
registered, or one whose account was erased), a gift's shipment, the answer to an erasure. Kept
like any other sent mail (30 days), the row would be the only place that address lives on. Such
a message is queued with `forget_after_sending` -- by its caller, or by its template being in
TEMPLATES_TO_STRANGERS -- and its address, account link, subject, bodies and headers are cleared
by the same UPDATE that marks it sent (step 3), or, when it is given up on, in the transaction
that marks it failed. What stays is delivery state only: template, Message-ID, status, attempts,
times. A message that fails because its leases ran out too often is failed by the claim, which
knows nothing of mail: the next flush clears it (`forget_given_up_messages`). Mail to a person
with an account or a declared address is kept its 30 days, and erasure deletes it (the
declaration's subject is the recipient account or the address).
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.utils import timezone

from coursekeeper.accounts.models import normalize_email
from coursekeeper.jobs.leases import (
    LEASE_EXPIRED_TOO_OFTEN,
    claim_due_jobs,
    mark_done,
    record_failure,
)
from coursekeeper.jobs.models import JobStatus
from coursekeeper.messaging.models import OutboxMessage
from coursekeeper.privacy.paths import email_path_for
from coursekeeper.privacy.people import Person

logger = logging.getLogger(__name__)

# Headers the outbox sets itself; a caller may not override them through `headers`.
RESERVED_HEADERS = {"message-id", "from", "to", "cc", "bcc", "subject", "date", "content-type"}

# Templates whose recipient is, by construction, no one the platform holds anything about: their
# messages forget the address and text once sent or given up on (see "Mail to strangers").
TEMPLATES_TO_STRANGERS = frozenset(
    {
        # The sign-up library's answer to a password reset (or sign-in code) for an address no
        # active account uses: never registered, or erased.
        "account/email/unknown_account",
    }
)

# What a forgotten message keeps of its contents: nothing.
FORGOTTEN_CONTENTS: dict[str, object] = {
    "email": "",
    "recipient": None,
    "subject": "",
    "body_text": "",
    "body_html": "",
    "headers": {},
}


def queue_email(
    *,
    to: str,
    subject: str,
    body_text: str,
    body_html: str | None = None,
    language: str,
    template: str,
    recipient=None,
    headers: dict[str, str] | None = None,
    forget_after_sending: bool = False,
    about: Person | None = None,
) -> OutboxMessage | None:
    """Write an email to the outbox inside the caller's transaction; deliver it after commit.

    Call it inside the transaction that records the email's cause (an open `transaction.atomic`
    block is required), so both commit or neither does. `template` names the template the
    message was rendered from; it must be registered as an email path (`privacy.paths.
    email_path`), whose purpose the privacy gate is asked about for the person the message is
    about: `about`, or else the recipient (`recipient`, the account, when there is one, or the
    address). When the gate says no -- a restriction the cause has no exception for, an
    objection, a withdrawn consent -- nothing is written and None is returned; the cause's
    transaction goes on. `forget_after_sending` clears the address and the text once the
    message is sent or given up on (the answer to an erasure, whose recipient must leave no
    trace); a template in TEMPLATES_TO_STRANGERS always does.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("queue_email must run inside the transaction of the email's cause.")
    address = normalize_email(to)
    if not address or "\n" in address or "\r" in address:
        raise ValueError("queue_email needs one recipient address.")
    if "\n" in subject or "\r" in subject:
        raise ValueError("An email subject is one line.")
    extra_headers = dict(headers or {})
    for name, value in extra_headers.items():
        if name.lower() in RESERVED_HEADERS:
            raise ValueError(f"The outbox sets the {name} header itself.")
        if "\n" in f"{name}{value}" or "\r" in f"{name}{value}":
            raise ValueError("A header is one line.")

    path = email_path_for(template)
    if about is None:
        has_account = recipient is not None and recipient.pk is not None
        about = Person.for_user(recipient) if has_account else Person.for_email(address)
    decision = path.ask(about)
    if not decision:
        logger.info("email not queued template=%s reason=%s", template, decision.reason)
        return None

    message = OutboxMessage.objects.create(
        email=address,
        recipient=recipient,
        language=language,
        subject=subject,
        body_text=body_text,
        body_html=body_html or "",
        headers=extra_headers,
        template=template,
        forget_after_sending=forget_after_sending or template in TEMPLATES_TO_STRANGERS,
    )
    # Imported here: the task module imports this one.
    from coursekeeper.messaging.tasks import deliver_outbox_message

    transaction.on_commit(partial(deliver_outbox_message.enqueue, message.pk))
    logger.info("email queued id=%s template=%s", message.pk, template)
    return message


@dataclass(frozen=True)
class SmtpFailure:
    code: str
    permanent: bool
    # The server could not be reached or dropped us: later messages would fail the same way.
    connection_broken: bool


def classify_smtp_error(error: BaseException) -> SmtpFailure:
    """Turn a sending error into a fixed code; never look at its text (it quotes addresses)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [_reply_code(reply[0]) for reply in error.recipients.values()]
        code = min(codes) if codes else 0
        return SmtpFailure(f"recipient_refused_{code}", _is_permanent(code), False)
    if isinstance(error, smtplib.SMTPAuthenticationError | smtplib.SMTPHeloError):
        # Our own configuration or the server's state, not this message: retry.
        return SmtpFailure(f"smtp_session_{_reply_code(error.smtp_code)}", False, True)
    if isinstance(error, smtplib.SMTPConnectError):
        return SmtpFailure(f"smtp_connect_{_reply_code(error.smtp_code)}", False, True)
    if isinstance(error, smtplib.SMTPSenderRefused):
        code = _reply_code(error.smtp_code)
        return SmtpFailure(f"sender_refused_{code}", _is_permanent(code), False)
    if isinstance(error, smtplib.SMTPDataError):
        code = _reply_code(error.smtp_code)
        return SmtpFailure(f"data_refused_{code}", _is_permanent(code), False)
    if isinstance(error, smtplib.SMTPResponseException):
        code = _reply_code(error.smtp_code)
        return SmtpFailure(f"smtp_{code}", _is_permanent(code), False)
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return SmtpFailure("server_disconnected", False, True)
    if isinstance(error, smtplib.SMTPException):
        return SmtpFailure("smtp_error", False, True)
    if isinstance(error, ConnectionRefusedError):
        return SmtpFailure("connection_refused", False, True)
    if isinstance(error, TimeoutError):
        return SmtpFailure("timeout", False, True)
    if isinstance(error, ssl.SSLError):
        return SmtpFailure("tls_error", False, True)
    if isinstance(error, OSError):
        return SmtpFailure("network_error", False, True)
    if isinstance(error, ValueError):
        # BadHeaderError, an address that cannot be encoded: this message can never be sent.
        return SmtpFailure("invalid_message", True, False)
    return SmtpFailure(f"unexpected_{type(error).__name__}"[:64], False, True)


def _reply_code(value: object) -> int:
    return value if isinstance(value, int) and 0 <= value < 1000 else 0


def _is_permanent(code: int) -> bool:
    return 500 <= code < 600


@dataclass
class DeliveryTally:
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    @property
    def attempted(self) -> int:
        return self.sent + self.retrying + self.failed


def _email_for(message: OutboxMessage, connection) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.email],
        headers={**message.headers, "Message-ID": message.message_id},
        connection=connection,
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    return email


def _send_claimed(message: OutboxMessage, connection) -> tuple[str, SmtpFailure | None]:
    """Send one claimed message over `connection` and record the outcome; return its status."""
    try:
        email = _email_for(message, connection)
        connection.open()
        sent = connection.send_messages([email])
        if sent != 1:
            raise smtplib.SMTPException("not sent")
    except Exception as error:  # every failure becomes a recorded code, nothing escapes
        failure = classify_smtp_error(error)
        if failure.connection_broken:
            _close_quietly(connection)
        with transaction.atomic():
            status = record_failure(message, error_code=failure.code, permanent=failure.permanent)
            if status == JobStatus.FAILED:
                _forget_if_asked(message)
        attempt = message.attempts
        if status == JobStatus.FAILED:
            logger.warning(
                "email failed id=%s code=%s attempt=%s", message.pk, failure.code, attempt
            )
        elif status == JobStatus.QUEUED:
            logger.info("email retry id=%s code=%s attempt=%s", message.pk, failure.code, attempt)
        else:
            logger.warning("email lease lost id=%s code=%s", message.pk, failure.code)
        return status or JobStatus.RUNNING, failure
    # The server answered 250: commit `done` before anything else can happen.
    now = timezone.now()
    mark_done(message, now=now, sent_at=now, **_forgotten(message))
    logger.info("email sent id=%s", message.pk)
    return JobStatus.DONE, None


def _forgotten(message: OutboxMessage) -> dict[str, object]:
    """Return the column values that erase a forget-after-sending message's contents."""
    return dict(FORGOTTEN_CONTENTS) if message.forget_after_sending else {}


def _forget_if_asked(message: OutboxMessage) -> None:
    fields = _forgotten(message)
    if fields:
        OutboxMessage.objects.filter(pk=message.pk).update(**fields)


def forget_given_up_messages() -> int:
    """Clear the contents of forget-after-sending messages failed by an expired lease.

    A claim fails a row whose lease ran out on its last attempt without looking at what the row
    is, so the message kept its address; return how many such messages were cleared now. Reads
    only failed rows through the status index.
    """
    return (
        OutboxMessage.objects.filter(
            status=JobStatus.FAILED,
            last_error_code=LEASE_EXPIRED_TOO_OFTEN,
            forget_after_sending=True,
        )
        .exclude(email="")
        .update(**FORGOTTEN_CONTENTS)
    )


def _close_quietly(connection) -> None:
    # A broken connection may fail to say goodbye; there is nothing left to do about it.
    with contextlib.suppress(Exception):
        connection.close()


def deliver_message(*, outbox_message_id: int, lease_seconds: float | None = None) -> str | None:
    """Claim and send one message if it is due; return its new status, or None if not claimed.

    Not claimed means it was already sent, failed, is held by another worker, or its retry is
    not due yet: the call then changes nothing, which makes the task safe to run twice.
    """
    claimed = claim_due_jobs(OutboxMessage, pk=outbox_message_id, lease_seconds=lease_seconds)
    if not claimed:
        return None
    connection = get_connection(fail_silently=False)
    try:
        status, _failure = _send_claimed(claimed[0], connection)
    finally:
        _close_quietly(connection)
    return status


def deliver_due_messages(
    *,
    limit: int = 1000,
    lease_seconds: float | None = None,
    stop_requested: Callable[[], bool] = lambda: False,
) -> DeliveryTally:
    """Send up to `limit` due messages over one SMTP connection, one claim at a time.

    Claiming one row at a time keeps a worker's lease to the message it is sending, so a killed
    worker holds back one message, not a batch. When the server cannot be reached the run stops
    after the first failure instead of spending an attempt of every due message. The run also
    stops, between two messages, as soon as `stop_requested()` is true.
    """
    tally = DeliveryTally()
    connection = get_connection(fail_silently=False)
    try:
        while tally.attempted < limit and not stop_requested():
            claimed = claim_due_jobs(OutboxMessage, limit=1, lease_seconds=lease_seconds)
            if not claimed:
                break
            status, failure = _send_claimed(claimed[0], connection)
            if status == JobStatus.DONE:
                tally.sent += 1
            elif status == JobStatus.FAILED:
                tally.failed += 1
            else:
                tally.retrying += 1
            if failure is not None and failure.connection_broken:
                break
    finally:
        _close_quietly(connection)
    # Claims (this run's and others') may have given up on messages whose leases ran out.
    forget_given_up_messages()
    return tally
