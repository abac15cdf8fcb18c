"""Declarations of what the privacy app records to show that it keeps its duties.

Reports that an account belongs to a minor (R1), the retention sweep's log, the published
policy and the notices of its changes (R21), the warnings before an account is erased (R20),
and the log of staff views of personal data (R35).
"""

from django.utils.translation import gettext_lazy as _

from coursekeeper.privacy.access.selectors import place_label
from coursekeeper.privacy.declarations import (
    DELETE,
    NOT_PERSONAL,
    Account,
    AccountOrEmail,
    After,
    AfterRelationshipEnds,
    Anonymise,
    Category,
    Event,
    Identifier,
    Reading,
    declare,
    declare_not_personal,
)
from coursekeeper.privacy.models import (
    MinorReport,
    PolicyNotice,
    PolicyVersion,
    RelationshipWarning,
    ReporterAddress,
    StaffAccess,
    SweepLog,
)
from coursekeeper.privacy.purposes import ACCOUNT, PLATFORM_OPERATION, PRIVACY_RIGHTS, SERVICE_EMAIL
from coursekeeper.privacy.texts import category_names, kind_of_record, purpose_title, staff_name

# --- Reports that an account belongs to a minor (R1) -----------------------------------------
# Two people: the report is about the account it names, and is told to that account's holder in
# their copy of their data; the reporter's reply address is theirs alone, in its own row, so the
# holder's copy never shows who reported them.

declare(
    MinorReport,
    subject=Account("account"),
    purposes=[PRIVACY_RIGHTS],
    fields={
        "about": Category.IDENTITY,
        "reasons": Category.COMMUNICATION,
        "account": Category.IDENTITY,
        "created_at": Category.USAGE,
        "status": Category.USAGE,
        "decided_at": Category.USAGE,
        "decided_by": NOT_PERSONAL.because("the privacy officer who decided; their own work"),
        "decision_note": Category.COMMUNICATION,
        "erased_at": Category.USAGE,
        "submission_key": NOT_PERSONAL.because("a random key that makes a double-click one"),
    },
    # Long enough to see a report about the same account come back, and to answer a question
    # about the decision; a report still waiting for one is kept until it is decided.
    retention=After(
        Event.FINISHED,
        column="decided_at",
        days=90,
        explanation=_("90 days after the report is decided"),
    ),
    erasure=Anonymise({"about": "", "reasons": "", "decision_note": ""}),
    source="others",
    notes="What someone told us about an account they think belongs to a minor, and what the "
    "privacy officer decided. Erasing the account (the outcome of a confirmed report) empties "
    "the report and cuts its link to the account; what stays is that a report was decided, "
    "when and by whom, until the 90 days after the decision have passed.",
    reading=Reading(
        references=("created_at", "status"),
        labels={"created_at": _("received at"), "status": _("status")},
    ),
)
declare(
    ReporterAddress,
    subject=Identifier("email"),
    purposes=[PRIVACY_RIGHTS],
    fields={
        "report": NOT_PERSONAL.because("the report the reporter asked to hear about"),
        "email": Category.CONTACT,
        "language": Category.PROFILE,
        "created_at": Category.USAGE,
    },
    retention=After(
        Event.FINISHED,
        column="report__decided_at",
        days=0,
        explanation=_("until we have told you that your report is closed"),
    ),
    erasure=DELETE,
    notes="Deleted in the transaction that queues the one message it was given for; the "
    "sweep removes any left once the report is decided.",
)

declare_not_personal(
    SweepLog,
    reason="what the retention sweep did per rule: model labels, rules and counts of rows, "
    "never a value from a row",
)

# --- The published privacy policy and its change notices (R21) ---------------------------------

declare_not_personal(
    PolicyVersion,
    reason="a published policy text, the same for everyone; published_by is the staff member "
    "who published it, kept as the record of their work",
)
declare(
    PolicyNotice,
    subject=Account("user"),
    purposes=[SERVICE_EMAIL],
    fields={
        "version": NOT_PERSONAL.because("the policy version the notice announces"),
        "user": Category.IDENTITY,
        "created_at": Category.USAGE,
        "queued_at": Category.USAGE,
        "language": Category.PROFILE,
        "outbox_message": NOT_PERSONAL.because("the outbox row, declared on its own"),
        "dismissed_at": Category.USAGE,
    },
    retention=After(Event.CREATED, column="created_at", rule="limitation"),
    erasure=DELETE,
    source="system",
    notes="That a person was told of a material change of the privacy policy, and when: kept "
    "for the limitation period as the proof that the change was announced (R21).",
    reading=Reading(
        references=("version",),
        labels={"version": _("privacy policy version")},
        shown_as={"version": lambda version: version.number if version else ""},
    ),
)

# --- The customer relationship's clock (R20) ----------------------------------------------------

declare(
    RelationshipWarning,
    subject=Account("user"),
    purposes=[ACCOUNT],
    fields={
        "user": Category.IDENTITY,
        "relationship_ended_at": Category.USAGE,
        "warned_at": Category.USAGE,
        "erase_on": Category.USAGE,
        "token_digest": Category.CREDENTIALS,
        "kept_at": Category.USAGE,
    },
    retention=AfterRelationshipEnds(),
    erasure=DELETE,
    source="system",
    title=_("warnings before your account is erased"),
    notes="That you were told when your account would go, and whether you kept it (R20).",
)

declare(
    StaffAccess,
    subject=AccountOrEmail("user", "email"),
    purposes=[PLATFORM_OPERATION],
    fields={
        "user": Category.IDENTITY,
        "email": Category.CONTACT,
        "at": Category.USAGE,
        "staff": NOT_PERSONAL.because("the staff member who looked; their own work"),
        "categories": Category.USAGE,
        "object_type": NOT_PERSONAL.because("the kind of record that was seen"),
        "object_id": Category.USAGE,
        "purpose": Category.USAGE,
        "place": Category.USAGE,
    },
    retention=After(Event.CREATED, column="at", years=3),
    erasure=DELETE,
    source="staff",
    title=_("staff views of your data"),
    notes="Who among the staff saw which of your data, where and why (R35); goes with you.",
    reading=Reading(
        references=("staff", "staff__role", "object_type"),
        labels={"staff__role": _("their role")},
        shown_as={
            "staff": staff_name,
            "object_type": kind_of_record,
            "categories": category_names,
            "purpose": purpose_title,
            "place": place_label,
        },
    ),
)
