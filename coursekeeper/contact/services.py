"""Every write of the contact app: messages in, contacts staff log, replies out, views logged.

Each function is one transaction: the entry, the thread's new dates and `keep_until`
(coursekeeper.contact.retention), the outgoing email (through the outbox) and the staff audit
row commit together or not at all. A double-clicked form carries one random `submission_key`,
unique on the entry, so the second submit returns the first entry and sends nothing again.

Text is stored exactly as it was typed -- markup and script-looking input included. Nothing
here interprets it: pages render it escaped (Django's autoescaping) and replies go out as plain
text, so `<script>` in a message is shown as those characters and never runs. Refusing such
input would lose real messages (people paste code and HTML into support forms) for no gain.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.contrib.admin.models import ADDITION
from django.db import IntegrityError, transaction
from django.utils import timezone

from coursekeeper.accounts.models import normalize_email
from coursekeeper.contact.errors import ContactError
from coursekeeper.contact.models import Contact, ContactEntry
from coursekeeper.contact.privacy import RECEIVE_MESSAGE, REPLY_BY_EMAIL
from coursekeeper.contact.retention import refresh_keep_until
from coursekeeper.messaging.services import queue_email
from coursekeeper.privacy.access.roles import ANSWER_CONTACTS, can
from coursekeeper.privacy.access.services import record_access, record_staff_change
from coursekeeper.privacy.paths import ProcessingPath
from coursekeeper.privacy.people import Person
from coursekeeper.security.services import pseudonym

logger = logging.getLogger(__name__)

# A logged contact dated a little ahead of the server's clock is a clock skew, not the future.
CLOCK_SKEW = dt.timedelta(minutes=5)

Channel = ContactEntry.Channel
Direction = ContactEntry.Direction


# Form messages one address may send per hour; more are refused until the hour has passed.
MAX_FORM_MESSAGES_PER_HOUR = 5


def _check_staff(acting_user) -> None:
    if not can(acting_user, ANSWER_CONTACTS):
        raise ContactError("not_allowed")


def _entry_for_key(submission_key: str | None) -> ContactEntry | None:
    if not submission_key:
        return None
    return ContactEntry.objects.filter(submission_key=submission_key).first()


def _earlier_entry(submission_key: str | None) -> ContactEntry:
    """Return the entry that a double submit of the same form saved first (see `_add_entry`)."""
    entry = _entry_for_key(submission_key)
    assert entry is not None  # _add_entry returned None only because it exists
    return entry


def _thread_for(email: str, *, name: str, language: str) -> Contact:
    """Return the address's thread, locked, creating it if this is its first contact."""
    contact = Contact.objects.select_for_update().filter(email=email).first()
    if contact is not None:
        return contact
    try:
        with transaction.atomic():
            return Contact.objects.create(email=email, name=name, language=language)
    except IntegrityError:  # the same address wrote a moment ago
        return Contact.objects.select_for_update().get(email=email)


def _update_details(contact: Contact, *, name: str, phone: str, postal_address: str) -> None:
    """Keep the newest details the person gave; a field left empty keeps the one we have."""
    contact.name = name or contact.name
    contact.phone = phone or contact.phone
    contact.postal_address = postal_address or contact.postal_address


def _add_entry(entry: ContactEntry) -> ContactEntry | None:
    """Save the entry; return None if a double submit of the same form beat it to it."""
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        if entry.submission_key and _entry_for_key(entry.submission_key) is not None:
            return None
        raise
    return entry


@transaction.atomic
def receive_message(
    *,
    name: str,
    email: str,
    message: str,
    phone: str = "",
    postal_address: str = "",
    language: str = "en",
    submission_key: str | None = None,
) -> ContactEntry:
    """Store a message from the public contact form in the address's thread (R19).

    Staff get no email with its content: it waits, marked unread, in the inbox.
    """
    existing = _entry_for_key(submission_key)
    if existing is not None:
        return existing
    email = normalize_email(email)
    _ask_gate(RECEIVE_MESSAGE, Person.for_email(email), restricted="processing_restricted")
    recent = ContactEntry.objects.filter(
        contact__email=email,
        channel=Channel.WEB_FORM,
        at__gte=timezone.now() - dt.timedelta(hours=1),
    ).count()
    if recent >= MAX_FORM_MESSAGES_PER_HOUR:
        # Someone filling an address's thread (theirs or another's): refused, nothing stored.
        raise ContactError("too_many_messages")
    contact = _thread_for(email, name=name, language=language)
    _update_details(contact, name=name, phone=phone, postal_address=postal_address)
    contact.language = language
    contact.unread = True
    contact.save(update_fields=["name", "phone", "postal_address", "language", "unread"])
    entry = ContactEntry(
        contact=contact,
        channel=Channel.WEB_FORM,
        direction=Direction.IN,
        text=message,
        at=timezone.now(),
        submission_key=submission_key or None,
    )
    if _add_entry(entry) is None:
        return _earlier_entry(submission_key)
    refresh_keep_until(contact)
    logger.info("contact message received contact=%s entry=%s", contact.pk, entry.pk)
    return entry


def _ask_gate(path: ProcessingPath, person: Person, *, restricted: str) -> None:
    """Refuse with `restricted` (or the general refusal) unless the gate lets `path` run."""
    decision = path.ask(person)
    if not decision:
        raise ContactError(restricted if decision.reason == "restricted" else "processing_refused")


def _check_logged(channel: str, direction: str, at: dt.datetime) -> None:
    if channel not in (Channel.PHONE, Channel.EMAIL) or direction not in Direction.values:
        raise ContactError("unknown_channel")
    if at > timezone.now() + CLOCK_SKEW:
        raise ContactError("in_the_future")


@transaction.atomic
def log_contact(
    *,
    acting_user,
    contact_id: int,
    channel: str,
    direction: str,
    at: dt.datetime,
    text: str,
    subject: str = "",
    submission_key: str | None = None,
) -> ContactEntry:
    """Log a phone call or an email, either way, in an existing thread (R19: kept 5 years)."""
    _check_staff(acting_user)
    existing = _entry_for_key(submission_key)
    if existing is not None:
        return existing
    _check_logged(channel, direction, at)
    contact = Contact.objects.select_for_update().filter(pk=contact_id).first()
    if contact is None:
        raise ContactError("contact_not_found")
    return _log(contact, acting_user, channel, direction, at, text, subject, submission_key)


@transaction.atomic
def start_thread(
    *,
    acting_user,
    name: str,
    email: str,
    channel: str,
    direction: str,
    at: dt.datetime,
    text: str,
    phone: str = "",
    postal_address: str = "",
    language: str = "en",
    subject: str = "",
    submission_key: str | None = None,
) -> ContactEntry:
    """Log a call or an email from someone new to the inbox; a known address joins its thread."""
    _check_staff(acting_user)
    existing = _entry_for_key(submission_key)
    if existing is not None:
        return existing
    _check_logged(channel, direction, at)
    contact = _thread_for(normalize_email(email), name=name, language=language)
    _update_details(contact, name=name, phone=phone, postal_address=postal_address)
    contact.save(update_fields=["name", "phone", "postal_address"])
    return _log(contact, acting_user, channel, direction, at, text, subject, submission_key)


def _log(
    contact, acting_user, channel, direction, at, text, subject, submission_key
) -> ContactEntry:
    entry = ContactEntry(
        contact=contact,
        channel=channel,
        direction=direction,
        at=min(at, timezone.now()),
        subject=subject,
        text=text,
        logged_by=acting_user,
        submission_key=submission_key or None,
    )
    if _add_entry(entry) is None:
        return _earlier_entry(submission_key)
    record_staff_change(
        acting_user=acting_user, obj=entry, action=ADDITION, message="contact_logged"
    )
    refresh_keep_until(contact)
    logger.info(
        "contact logged contact=%s entry=%s channel=%s by=%s",
        contact.pk,
        entry.pk,
        channel,
        pseudonym(acting_user.pk),
    )
    return entry


@transaction.atomic
def reply_by_email(
    *,
    acting_user,
    contact_id: int,
    subject: str,
    text: str,
    submission_key: str | None = None,
) -> ContactEntry:
    """Answer a thread by email through the outbox, logged in the thread as an outgoing entry.

    The email and the entry commit together; a double-clicked send queues one email.
    """
    _check_staff(acting_user)
    existing = _entry_for_key(submission_key)
    if existing is not None:
        return existing
    contact = Contact.objects.select_for_update().filter(pk=contact_id).first()
    if contact is None:
        raise ContactError("contact_not_found")
    person = Person.for_account_or_email(contact.user, contact.email)
    _ask_gate(REPLY_BY_EMAIL, person, restricted="reply_restricted")
    entry = ContactEntry(
        contact=contact,
        channel=Channel.REPLY,
        direction=Direction.OUT,
        at=timezone.now(),
        subject=subject,
        text=text,
        logged_by=acting_user,
        submission_key=submission_key or None,
    )
    if _add_entry(entry) is None:
        return _earlier_entry(submission_key)
    record_staff_change(
        acting_user=acting_user, obj=entry, action=ADDITION, message="contact_answered"
    )
    queue_email(
        to=contact.email,
        subject=subject,
        body_text=text,
        language=contact.language,
        template="contact/reply",
        recipient=contact.user,
    )
    contact.unread = False
    contact.save(update_fields=["unread"])
    refresh_keep_until(contact)
    logger.info(
        "contact reply queued contact=%s entry=%s by=%s",
        contact.pk,
        entry.pk,
        pseudonym(acting_user.pk),
    )
    return entry


@transaction.atomic
def open_contact(*, acting_user, contact_id: int) -> Contact:
    """Return a thread for a staff member to read: log the view and mark the thread read."""
    _check_staff(acting_user)
    contact = Contact.objects.select_related("user").filter(pk=contact_id).first()
    if contact is None:
        raise ContactError("contact_not_found")
    record_access(acting_user=acting_user, rows=[contact], place="contact:thread")
    if contact.unread:
        contact.unread = False
        contact.save(update_fields=["unread"])
    return contact


@transaction.atomic
def record_inbox_view(*, acting_user, contacts: Iterable[Contact]) -> int:
    """Log that a staff member saw these threads' names and addresses in the inbox list."""
    _check_staff(acting_user)
    return record_access(
        acting_user=acting_user,
        rows=contacts,
        place="contact:inbox",
        categories=["identity", "contact"],
    )
