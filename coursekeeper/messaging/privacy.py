"""What the messaging app holds about people: the emails on their way to them (R18)."""

from coursekeeper.jobs.privacy import LEASED_JOB_FIELDS
from coursekeeper.messaging.models import OutboxMessage
from coursekeeper.privacy.declarations import (
    DELETE,
    NOT_PERSONAL,
    AccountOrEmail,
    After,
    Category,
    Event,
    Reading,
    declare,
)
from coursekeeper.privacy.purposes import SERVICE_EMAIL

declare(
    OutboxMessage,
    subject=AccountOrEmail("recipient", "email"),
    purposes=[SERVICE_EMAIL],
    fields={
        **LEASED_JOB_FIELDS,
        "email": Category.CONTACT,
        "recipient": Category.IDENTITY,
        "language": Category.PROFILE,
        "subject": Category.COMMUNICATION,
        "body_text": Category.COMMUNICATION,
        "body_html": Category.COMMUNICATION,
        "headers": Category.COMMUNICATION,
        "message_id": Category.TECHNICAL,
        "template": NOT_PERSONAL.because("the name of the email template"),
        "forget_after_sending": NOT_PERSONAL.because("whether the text is cleared once sent"),
        "sent_at": Category.COMMUNICATION,
    },
    retention=After(Event.SENT, column="sent_at", days=30),
    erasure=DELETE,
    source="system",
    notes=(
        "Sent emails are kept 30 days so support can tell whether one went out. Mail to an "
        "address no account uses (services.TEMPLATES_TO_STRANGERS) or to an erased person "
        "keeps no address, subject or text once sent or given up on; erasure deletes the rest "
        "by account or address."
    ),
    reading=Reading(references=("subject",)),
)
