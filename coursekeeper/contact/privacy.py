"""What the contact app holds about people (R19, R20): threads, their entries, who looked."""

from django.utils.translation import gettext_lazy as _

from coursekeeper.contact.models import Contact, ContactEntry
from coursekeeper.contact.retention import RETENTION_EXPLANATION
from coursekeeper.privacy.declarations import (
    DELETE,
    NOT_PERSONAL,
    AccountOrEmail,
    After,
    Category,
    Event,
    declare,
)
from coursekeeper.privacy.paths import email_path, processing_path
from coursekeeper.privacy.purposes import DataSubjects, LegalBasis, Purpose, register_purpose

ANSWER_ENQUIRIES = register_purpose(
    Purpose(
        "answer_enquiries",
        LegalBasis.LEGITIMATE_INTEREST,
        _("Your messages to us"),
        _(
            "To answer what you ask us through the contact form, by phone or by email, and to "
            "keep the conversation for a limited time so we can follow up on it."
        ),
        balancing_note=_(
            "You wrote or spoke to us and expect an answer and a follow-up that knows what was "
            "said; we keep only what you told us and our answers, show them only to the staff "
            "who answer, log every look at them, and delete them on a fixed schedule."
        ),
        compelling_grounds=_(
            "An objection does not switch this off, because it runs only on what you send us "
            "and only to answer you: if you want no answer, tell us, or ask us to erase the "
            "conversation, and it ends."
        ),
        data_subjects=(DataSubjects.ENQUIRERS,),
    )
)

# The thread's own day of deletion, computed by coursekeeper.contact.retention; the entries
# and the view log go with their thread (CASCADE) and are declared with the same day.
THREAD_RETENTION = After(
    Event.EXPIRED, column="keep_until", days=0, explanation=RETENTION_EXPLANATION
)
_THREAD = AccountOrEmail("contact__user", "contact__email")

declare(
    Contact,
    subject=AccountOrEmail("user", "email"),
    purposes=[ANSWER_ENQUIRIES],
    fields={
        "email": Category.CONTACT,
        "user": Category.IDENTITY,
        "name": Category.IDENTITY,
        "phone": Category.CONTACT,
        "postal_address": Category.CONTACT,
        "language": Category.PROFILE,
        "first_contact_at": Category.COMMUNICATION,
        "last_contact_at": Category.COMMUNICATION,
        "years_after_last_contact": NOT_PERSONAL.because(
            "which retention rule applies: 2 or 5 years"
        ),
        "keep_until": NOT_PERSONAL.because("the day the thread is deleted"),
        "unread": NOT_PERSONAL.because("whether staff have read the newest message"),
    },
    retention=THREAD_RETENTION,
    erasure=DELETE,
    notes="Deleted 2 years after the last contact, 5 once staff logged a call or an email, and "
    "not before 5 years after a customer relationship ends (R19, R20).",
)
declare(
    ContactEntry,
    subject=_THREAD,
    purposes=[ANSWER_ENQUIRIES],
    fields={
        "contact": Category.IDENTITY,
        "channel": Category.COMMUNICATION,
        "direction": Category.COMMUNICATION,
        "subject": Category.COMMUNICATION,
        "text": Category.COMMUNICATION,
        "at": Category.COMMUNICATION,
        "logged_by": NOT_PERSONAL.because("the staff member who logged or sent it; their work"),
        "submission_key": NOT_PERSONAL.because("a random key that makes a double-click one"),
    },
    retention=After(
        Event.EXPIRED, column="contact__keep_until", days=0, explanation=RETENTION_EXPLANATION
    ),
    erasure=DELETE,
)


# --- Where enquiries are answered -----------------------------------------------------------------
# Neither stores nor sends anything while the person's processing is restricted: a new message
# is new data, and a reply uses the stored conversation; a privacy request (privacy.rights)
# still reaches us, because the law obliges us to answer it.

RECEIVE_MESSAGE = processing_path(
    ANSWER_ENQUIRIES,
    name="contact.receive_message",
    title=_("taking messages from the contact form"),
    where="coursekeeper.contact.services.receive_message",
    rehearsal="coursekeeper.contact.factories.rehearse_receive_message",
)
REPLY_BY_EMAIL = processing_path(
    ANSWER_ENQUIRIES,
    name="contact.reply_by_email",
    title=_("answering your messages by email"),
    where="coursekeeper.contact.services.reply_by_email",
    rehearsal="coursekeeper.contact.factories.rehearse_reply_by_email",
)
email_path(
    ANSWER_ENQUIRIES,
    template="contact/reply",
    title=_("answering your messages by email"),
    where="coursekeeper.contact.services.reply_by_email",
)
