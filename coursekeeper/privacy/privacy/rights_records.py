"""Declarations of the privacy app's records of people's consents and rights.

Consents and their published wording, restrictions and objections, erasure and export jobs,
rights requests and their events, the erasure ledger, and the recipients of personal data with
the disclosures to them and the notices they are sent (Art. 19); and the provider's own details.
"""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from coursekeeper.jobs.privacy import LEASED_JOB_FIELDS
from coursekeeper.privacy.consents import wording_of
from coursekeeper.privacy.declarations import (
    DELETE,
    HOLD,
    NOT_PERSONAL,
    Account,
    AccountOrEmail,
    After,
    Anonymise,
    Category,
    Event,
    Hold,
    HoldReason,
    KeyedAccountHash,
    Reading,
    WhileAccountExists,
    declare,
    declare_not_personal,
)
from coursekeeper.privacy.models import (
    Consent,
    ConsentText,
    Disclosure,
    ErasureJob,
    ErasureLedgerEntry,
    ExportJob,
    Objection,
    ProviderSettings,
    Recipient,
    RecipientNotice,
    Restriction,
    RightsRequest,
    RightsRequestEvent,
    ServiceEnd,
)
from coursekeeper.privacy.purposes import PRIVACY_RIGHTS
from coursekeeper.privacy.texts import category_names, purpose_title

# --- The privacy app's own rows ------------------------------------------------------------------

_PERSON_FIELDS = {"user": Category.IDENTITY, "email": Category.CONTACT}

declare(
    Consent,
    subject=AccountOrEmail("user", "email"),
    purposes=[PRIVACY_RIGHTS],
    fields={
        **_PERSON_FIELDS,
        "purpose": Category.MARKETING,
        "wording_version": Category.MARKETING,
        "language": Category.MARKETING,
        "method": Category.MARKETING,
        "given_at": Category.MARKETING,
        "withdrawn_at": Category.MARKETING,
        "country": Category.MARKETING,
        "proof_release_at": NOT_PERSONAL.because("the day the proof may be deleted"),
    },
    retention=Hold(
        rule="limitation",
        release_column="proof_release_at",
        reason=HoldReason.LEGAL_CLAIMS,
        country_column="country",
    ),
    erasure=HOLD,
    notes="The proof of a consent (when, which words, how) is kept after withdrawal and "
    "through an erasure, for the limitation period of the person's country (R46); an erasure "
    "withdraws every consent first.",
    reading=Reading(
        references=("purpose",),
        shown_as={"purpose": purpose_title},
        computed={"wording": (_("words you agreed to"), wording_of)},
    ),
)
declare_not_personal(
    ConsentText, reason="the published wording of each consent, the same for everyone"
)
declare_not_personal(
    ServiceEnd,
    reason="that the service a consent-based purpose serves ended, for everyone at once; "
    "ended_by and restarted_by are the staff members who did it, kept as the record of their "
    "work",
)
declare(
    Restriction,
    subject=AccountOrEmail("user", "email"),
    purposes=[PRIVACY_RIGHTS],
    fields={
        **_PERSON_FIELDS,
        "started_at": Category.USAGE,
        "lifted_at": Category.USAGE,
    },
    retention=After(Event.FINISHED, column="lifted_at", years=3),
    erasure=DELETE,
)
declare(
    Objection,
    subject=AccountOrEmail("user", "email"),
    purposes=[PRIVACY_RIGHTS],
    fields={**_PERSON_FIELDS, "purpose": Category.USAGE, "made_at": Category.USAGE},
    retention=WhileAccountExists(),
    erasure=DELETE,
    reading=Reading(references=("purpose",), shown_as={"purpose": purpose_title}),
)
declare_not_personal(
    ProviderSettings,
    reason="the provider's business identity and the business contacts it publishes",
)

declare(
    ErasureJob,
    subject=Account("user", keeps_row_on_erasure=True),
    purposes=[PRIVACY_RIGHTS],
    fields={
        **LEASED_JOB_FIELDS,
        "user": Category.IDENTITY,
        "request": NOT_PERSONAL.because("the request this erasure answers"),
        "requested_at": Category.USAGE,
        "outcome": NOT_PERSONAL.because("counts of rows per model, nothing about the person"),
        "steps_done": NOT_PERSONAL.because("which erasure steps ran and when, by their codes"),
    },
    retention=After(Event.CREATED, column="requested_at", rule="limitation"),
    erasure=Anonymise({}),
    notes="The proof an erasure happened, kept for the provider's limitation period; its link "
    "to the account goes with the account.",
)
declare(
    ExportJob,
    subject=Account("user"),
    purposes=[PRIVACY_RIGHTS],
    fields={
        **LEASED_JOB_FIELDS,
        "user": Category.IDENTITY,
        "request": NOT_PERSONAL.because("the request this export answers"),
        "portability_only": Category.USAGE,
        "requested_at": Category.USAGE,
        "file": Category.CONTENT,
        "expires_at": NOT_PERSONAL.because("when the download link stops working"),
    },
    retention=After(Event.EXPIRED, column="expires_at", days=0),
    erasure=DELETE,
)

# Whatever the person wrote and staff answered goes on erasure; what stays is that a request of
# this kind came in, when, by which channel, and how and when it was handled (Art. 5(2)).
_REQUEST_TEXTS = ("email", "details", "extension_reason", "refusal_reason", "answer")

declare(
    RightsRequest,
    subject=AccountOrEmail("user", "email"),
    purposes=[PRIVACY_RIGHTS],
    fields={
        "user": Category.IDENTITY,
        "email": Category.CONTACT,
        "language": Category.PROFILE,
        "kind": Category.USAGE,
        "channel": Category.USAGE,
        "status": Category.USAGE,
        "details": Category.COMMUNICATION,
        "objection_purpose": Category.USAGE,
        "created_at": Category.USAGE,
        "received_at": Category.USAGE,
        "due_at": Category.USAGE,
        "extended_until": Category.USAGE,
        "extension_reason": Category.COMMUNICATION,
        "urgent": Category.USAGE,
        "possibly_excessive": Category.USAGE,
        "fee_amount": Category.USAGE,
        "fee_currency": Category.USAGE,
        "refusal_reason": Category.COMMUNICATION,
        "answer": Category.COMMUNICATION,
        "answered_at": Category.USAGE,
        "logged_by": NOT_PERSONAL.because("the staff member who logged it; their own work"),
        "confirmation_digest": Category.CREDENTIALS,
        "confirmation_expires_at": NOT_PERSONAL.because("when the confirmation link stops"),
        "deadline_alerted_at": NOT_PERSONAL.because("when staff were reminded of the deadline"),
        "submission_key": NOT_PERSONAL.because("a random key that makes a double-click one"),
    },
    # The limitation period of the provider's country, from the rule pack (R46).
    retention=After(Event.FINISHED, column="answered_at", rule="limitation"),
    erasure=Anonymise({name: "" for name in _REQUEST_TEXTS} | {"confirmation_digest": ""}),
    notes="The proof that a request was answered in time outlives an erasure without anything "
    "that names the person; unconfirmed visitor requests go after their link expires.",
    reading=Reading(
        references=("kind",),
        money={"fee_amount": "fee_currency"},
        shown_as={"objection_purpose": purpose_title},
    ),
)
declare(
    RightsRequestEvent,
    subject=AccountOrEmail("request__user", "request__email"),
    purposes=[PRIVACY_RIGHTS],
    fields={
        "request": Category.USAGE,
        "at": Category.USAGE,
        "action": Category.USAGE,
        "actor": NOT_PERSONAL.because("the staff member who acted; their own work"),
        "note": Category.COMMUNICATION,
    },
    retention=After(Event.CREATED, column="at", rule="limitation"),
    erasure=Anonymise({"note": ""}),
    source="staff",
    reading=Reading(references=("request",)),
)
declare(
    ErasureLedgerEntry,
    subject=KeyedAccountHash("digest"),
    purposes=[PRIVACY_RIGHTS],
    fields={
        "digest": Category.IDENTITY,
        "erased_at": Category.USAGE,
    },
    retention=After(Event.CREATED, column="erased_at", days=settings.BACKUP_RETENTION_DAYS),
    erasure=DELETE,
    source="system",
    notes="Names an erased account only through a key kept outside the database, and only as "
    "long as a backup could bring the account back.",
)
declare_not_personal(
    Recipient,
    reason="the businesses and authorities the provider works with, as published in the policy",
    fields={
        # A business contact, not the data of anyone this platform serves: the address the
        # recipient gives for data-protection matters (a role address such as privacy@, or the
        # contact its data-protection officer must publish, Art. 37(7)), like the provider's own
        # `dpo_email`. Nobody's rights run through it, so there is no subject to name; the form
        # asks for a role address, so that it does not name a person.
        "privacy_email": NOT_PERSONAL.because(
            "the recipient's business address for data-protection notices, not a person of ours"
        ),
    },
)
declare(
    Disclosure,
    subject=AccountOrEmail("user", "email"),
    purposes=[PRIVACY_RIGHTS],
    fields={
        **_PERSON_FIELDS,
        "recipient": Category.USAGE,
        "categories": Category.USAGE,
        "reason": Category.USAGE,
        "disclosed_at": Category.USAGE,
    },
    retention=After(Event.CREATED, column="disclosed_at", years=3),
    erasure=DELETE,
    source="staff",
    notes="Kept so the person can learn who received their data (Art. 15(1)(c)), and so the "
    "recipient is told of a later correction, erasure or restriction (Art. 19).",
    reading=Reading(references=("recipient",), shown_as={"categories": category_names}),
)
declare(
    RecipientNotice,
    subject=AccountOrEmail("request__user", "request__email"),
    purposes=[PRIVACY_RIGHTS],
    fields={
        "request": Category.USAGE,
        "recipient": Category.USAGE,
        "change": Category.USAGE,
        "created_at": Category.USAGE,
        "due_at": Category.USAGE,
        "sent_to": NOT_PERSONAL.because(
            "the recipient's privacy contact the notice went to, a business address"
        ),
        "outbox_message": NOT_PERSONAL.because("the outbox row, declared on its own"),
        "identifiers": Category.CONTACT,
        "done_at": Category.USAGE,
        "done_by": NOT_PERSONAL.because("the staff member who told the recipient; their own work"),
        "note": Category.COMMUNICATION,
        "overdue_alerted_at": NOT_PERSONAL.because("when staff were alerted it was overdue"),
        "release_at": NOT_PERSONAL.because("the day the proof may be deleted"),
    },
    # The proof that the recipients were told (Art. 19, Art. 5(2)), against a claim they were not.
    retention=Hold(rule="limitation", release_column="release_at", reason=HoldReason.LEGAL_CLAIMS),
    erasure=HOLD,
    source="system",
    title=_("notices to those who received your data"),
    notes="That each recipient was told of a correction, erasure or restriction (Art. 19), how "
    "and when: kept through an erasure as the proof, for the limitation period after it was "
    "done. A task to tell a recipient by hand keeps the address that recipient knows the person "
    "by until staff mark it done, because the recipient must still learn whom to erase.",
)
