"""Declarations of Django's and third-party apps' models: sessions, allauth, axes, task results."""

from allauth.account.models import EmailAddress, EmailConfirmation
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from axes.models import AccessAttempt, AccessAttemptExpiration, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult

from coursekeeper.jobs.privacy import LEASED_JOB_FIELDS
from coursekeeper.privacy.access.changes import change_text
from coursekeeper.privacy.access.selectors import place_label
from coursekeeper.privacy.cache import cache_keys_about, forget_keys_read
from coursekeeper.privacy.consents import wording_of
from coursekeeper.privacy.declarations import (
    DELETE,
    HOLD,
    NOT_PERSONAL,
    Account,
    AccountOrEmail,
    After,
    AfterRelationshipEnds,
    Anonymise,
    Category,
    Event,
    Generic,
    Hold,
    HoldReason,
    Identifier,
    KeyedAccountHash,
    Linked,
    NotPersonal,
    Reading,
    WhileAccountExists,
    declare,
    declare_not_personal,
)
from coursekeeper.privacy.gate import DespiteRestriction
from coursekeeper.privacy.models import (
    Consent,
    ConsentText,
    Disclosure,
    ErasureJob,
    ErasureLedgerEntry,
    ExportJob,
    MinorReport,
    Objection,
    PolicyNotice,
    PolicyVersion,
    ProviderSettings,
    Recipient,
    RecipientNotice,
    RelationshipWarning,
    ReporterAddress,
    Restriction,
    RightsRequest,
    RightsRequestEvent,
    ServiceEnd,
    StaffAccess,
    SweepLog,
)
from coursekeeper.privacy.participants import erasure_participant
from coursekeeper.privacy.paths import email_path, processing_path
from coursekeeper.privacy.purposes import (
    ACCOUNT,
    PLATFORM_OPERATION,
    PRIVACY_RIGHTS,
    SECURITY,
    SERVICE_EMAIL,
)
from coursekeeper.privacy.recipient_notices.services import tell_of_erasure
from coursekeeper.privacy.recipients import recipients_for
from coursekeeper.privacy.texts import category_names, kind_of_record, purpose_title, staff_name

# --- Django ---------------------------------------------------------------------------------

declare_not_personal(ContentType, reason="the names of the platform's own data types")
declare_not_personal(Permission, reason="the platform's permission names")
declare_not_personal(Group, reason="staff permission groups, the same for everyone in them")
declare_not_personal(Group.permissions.through, reason="which permissions a group has")

declare(
    Session,
    subject=Linked(
        local_field="session_key",
        through="usersessions.UserSession",
        through_field="session_key",
        through_subject=Account("user"),
    ),
    purposes=[ACCOUNT],
    fields={
        # A live session key opens the account: a secret, withheld from exports.
        "session_key": Category.CREDENTIALS,
        "session_data": Category.CREDENTIALS,
        "expire_date": Category.TECHNICAL,
    },
    retention=After(Event.EXPIRED, column="expire_date", days=0),
    erasure=DELETE,
    source="use",
    reading=Reading(
        labels={
            "session_key": _("session key"),
            "session_data": _("session data"),
            "expire_date": _("expires at"),
        }
    ),
)

declare(
    LogEntry,
    subject=Generic("content_type", "object_id"),
    purposes=[PLATFORM_OPERATION],
    fields={
        "action_time": NOT_PERSONAL.because("when a staff member changed something"),
        "user": NOT_PERSONAL.because(
            "the staff member who acted; their own share, kept as the audit trail of their work"
        ),
        "content_type": NOT_PERSONAL.because("the kind of record that was changed"),
        "object_id": Category.IDENTITY,
        "object_repr": Category.IDENTITY,
        "action_flag": NOT_PERSONAL.because("added, changed or deleted"),
        "change_message": Category.USAGE,
    },
    retention=After(Event.CREATED, column="action_time", years=3),
    erasure=Anonymise({"object_repr": "former participant", "object_id": "", "change_message": ""}),
    source="staff",
    notes="Admin log entries about a person lose every trace of them on erasure; the entry "
    "that a change happened stays, as the staff member's audit trail.",
    reading=Reading(
        references=("action_time", "action_flag", "content_type"),
        labels={
            "action_time": _("when"),
            "action_flag": _("what was done"),
            "content_type": _("kind of record"),
            "object_id": _("record"),
            "object_repr": _("record as the administration named it"),
            "change_message": _("what was changed"),
        },
        shown_as={"content_type": kind_of_record, "change_message": change_text},
    ),
)

# --- allauth ------------------------------------------------------------------------------

declare(
    EmailAddress,
    subject=Account("user"),
    purposes=[ACCOUNT],
    fields={
        "user": Category.IDENTITY,
        "email": Category.CONTACT,
        "verified": Category.CONTACT,
        "primary": Category.CONTACT,
    },
    erasure=DELETE,
    reading=Reading(references=("email",)),
)

declare(
    EmailConfirmation,
    subject=Account("email_address__user"),
    purposes=[ACCOUNT],
    fields={
        "email_address": Category.CONTACT,
        "created": Category.TECHNICAL,
        "sent": Category.TECHNICAL,
        "key": Category.CREDENTIALS,
    },
    retention=After(Event.LINK_SENT, column="sent", days=3),
    erasure=DELETE,
    reading=Reading(
        labels={"created": _("created at"), "sent": _("sent at"), "key": _("confirmation key")}
    ),
)

declare(
    Authenticator,
    subject=Account("user"),
    purposes=[SECURITY],
    fields={
        "user": Category.IDENTITY,
        "type": Category.CREDENTIALS,
        "data": Category.CREDENTIALS,
        "created_at": Category.CREDENTIALS,
        "last_used_at": Category.USAGE,
    },
    retention=WhileAccountExists(),
    erasure=DELETE,
    title=_("two-factor authenticators"),
    reading=Reading(
        labels={
            "type": _("kind"),
            "data": _("secret"),
            "created_at": _("set up at"),
            "last_used_at": _("last used at"),
        }
    ),
)

declare(
    UserSession,
    subject=Account("user"),
    purposes=[SECURITY],
    fields={
        "user": Category.IDENTITY,
        "created_at": Category.TECHNICAL,
        "ip": Category.TECHNICAL,
        "last_seen_at": Category.TECHNICAL,
        "session_key": Category.CREDENTIALS,
        "user_agent": Category.TECHNICAL,
        "data": Category.TECHNICAL,
    },
    retention=After(Event.LAST_ACTIVITY, column="last_seen_at", days=30),
    erasure=DELETE,
    source="use",
    notes="Part of the security log: the only place besides it that holds an IP address, so "
    "the person can recognise and end their own sessions.",
    title=_("signed-in sessions"),
    reading=Reading(
        labels={
            "created_at": _("signed in at"),
            "ip": _("IP address"),
            "last_seen_at": _("last seen at"),
            "session_key": _("session key"),
            "user_agent": _("browser"),
            "data": _("session details"),
        }
    ),
)

# --- django-axes: the login throttle -------------------------------------------------------

# Django-axes names its fields for administrators ("HTTP Accept", "GET Data"), in English only.
_AXES_LABELS = {
    "user_agent": _("browser"),
    "ip_address": _("IP address"),
    "username": _("email address used to sign in"),
    "http_accept": _("formats the browser accepted"),
    "attempt_time": _("when"),
}

_AXES_FIELDS: dict[str, Category | NotPersonal] = {
    "user_agent": Category.TECHNICAL,
    "ip_address": Category.TECHNICAL,
    "username": Category.CONTACT,
    "http_accept": Category.TECHNICAL,
    "path_info": NOT_PERSONAL.because("the login page's path"),
    "attempt_time": Category.TECHNICAL,
}

declare(
    AccessAttempt,
    subject=Identifier("username"),
    purposes=[SECURITY],
    fields={
        **_AXES_FIELDS,
        "get_data": Category.TECHNICAL,
        "post_data": Category.TECHNICAL,
        "failures_since_start": Category.TECHNICAL,
    },
    retention=After(Event.CREATED, column="attempt_time", days=1),
    erasure=DELETE,
    source="use",
    reading=Reading(
        labels={
            **_AXES_LABELS,
            "get_data": _("address parameters"),
            "post_data": _("form data sent"),
            "failures_since_start": _("failed sign-ins"),
        }
    ),
)
declare(
    AccessAttemptExpiration,
    subject=Identifier("access_attempt__username"),
    purposes=[SECURITY],
    fields={
        "access_attempt": Category.TECHNICAL,
        "expires_at": Category.TECHNICAL,
    },
    retention=After(Event.EXPIRED, column="expires_at", days=0),
    erasure=DELETE,
    source="use",
    title=_("sign-in lockouts"),
    reading=Reading(labels={"access_attempt": _("sign-in attempts"), "expires_at": _("lifted at")}),
)
declare(
    AccessFailureLog,
    subject=Identifier("username"),
    purposes=[SECURITY],
    fields={**_AXES_FIELDS, "locked_out": Category.TECHNICAL},
    retention=After(Event.CREATED, column="attempt_time", days=30),
    erasure=DELETE,
    source="use",
    reading=Reading(labels={**_AXES_LABELS, "locked_out": _("locked out")}),
)
declare(
    AccessLog,
    subject=Identifier("username"),
    purposes=[SECURITY],
    fields={
        **_AXES_FIELDS,
        "logout_time": Category.TECHNICAL,
        "session_hash": Category.TECHNICAL,
    },
    retention=After(Event.CREATED, column="attempt_time", days=30),
    erasure=DELETE,
    source="use",
    reading=Reading(
        labels={
            **_AXES_LABELS,
            "logout_time": _("signed out at"),
            "session_hash": _("session key (scrambled)"),
        }
    ),
)

# --- Background work -----------------------------------------------------------------------

declare_not_personal(
    DBTaskResult,
    reason="tasks carry only row ids and return nothing personal; pruned after 7 days",
)

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

# --- Where the privacy app's purposes are carried out -------------------------------------------
# Answering requests and announcing policy changes are what Art. 12 to 14 and 19 oblige us to do:
# the purpose rests on that obligation, so these go on while processing is restricted.

for _template in (
    "privacy/request_confirm",
    "privacy/request_receipt",
    "privacy/request_extended",
    "privacy/request_fee",
    "privacy/request_refused",
    "privacy/request_answered",
):
    email_path(
        PRIVACY_RIGHTS,
        template=_template,
        title=_("emailing you about the requests you make"),
        where="coursekeeper.privacy.rights._send",
    )
# Telling the recipients of a correction, erasure or restriction is itself Art. 19's duty, so it
# goes on under a restriction and after an erasure; the overdue alert goes to our own staff.
email_path(
    PRIVACY_RIGHTS,
    template="privacy/recipient_notice",
    title=_("telling those who received your data of a correction, erasure or restriction"),
    where="coursekeeper.privacy.recipient_notices.services.tell_recipients",
    exception=DespiteRestriction.LEGAL_OBLIGATION,
)
email_path(
    PRIVACY_RIGHTS,
    template="privacy/recipients_overdue",
    title=_("warning our privacy staff of a recipient not yet told of a change"),
    where="coursekeeper.privacy.recipient_notices.services.alert_staff_of_overdue_notices",
)
email_path(
    PRIVACY_RIGHTS,
    template="privacy/deadline_alert",
    title=_("warning our privacy staff of a request close to its deadline"),
    where="coursekeeper.privacy.rights.alert_staff_of_deadlines",
)
email_path(
    PRIVACY_RIGHTS,
    template="privacy/policy_notice",
    title=_("announcing a material change of this policy"),
    where="coursekeeper.privacy.publishing.dispatch_policy_notices",
)

# Reports that an account belongs to a minor. Erasing a child's data that an online service
# collected is the controller's duty (GDPR Art. 17(1)(d), (f) with Art. 8), and a report is how
# we learn of it, so looking into one goes on under a restriction too.
MINOR_REPORTS = processing_path(
    PRIVACY_RIGHTS,
    name="privacy.minor_reports",
    title=_("looking into reports that an account belongs to someone under 18, and erasing it"),
    where=(
        "coursekeeper.privacy.minors.services.report_minor",
        "coursekeeper.privacy.minors.services.confirm_report",
    ),
    rehearsal="coursekeeper.privacy.factories.rehearse_minor_report",
)
email_path(
    PRIVACY_RIGHTS,
    template="privacy/minor_account_erased",
    title=_("telling you that your account was erased because it belongs to someone under 18"),
    where="coursekeeper.privacy.minors.services.tell_account_holder",
)
email_path(
    PRIVACY_RIGHTS,
    template="privacy/minor_report_outcome",
    title=_("telling you that a report you sent about an account is closed"),
    where="coursekeeper.privacy.minors.services.tell_reporter",
)

# The warning and the erasure run on the account's contract and stop while processing is
# restricted: a restriction asks us to store the data and do nothing else with it, and it is how
# a person keeps data we would otherwise erase (GDPR Art. 18(1)(b), (c)).
email_path(
    ACCOUNT,
    template="privacy/relationship_warning",
    title=_("warning you before we erase an account you no longer use"),
    where="coursekeeper.privacy.relationship.services.warn_ended_relationships",
)
ERASE_AFTER_RELATIONSHIP = processing_path(
    ACCOUNT,
    name="privacy.erase_after_relationship",
    title=_("erasing your account once the customer relationship has long ended"),
    where="coursekeeper.privacy.relationship.services.erase_ended_relationships",
    rehearsal="coursekeeper.privacy.factories.rehearse_erase_after_relationship",
)
STAFF_ACCESS_LOG = processing_path(
    PLATFORM_OPERATION,
    name="privacy.staff_access_log",
    title=_("logging every time our staff look at your data"),
    where="coursekeeper.privacy.access.services.record_access",
    rehearsal="coursekeeper.privacy.factories.rehearse_staff_access_log",
    # The log is how we show that your data was handled lawfully (Art. 5(2)) and that only
    # authorised staff saw it (Art. 32(4)): a look at restricted data must be logged too.
    exception=DespiteRestriction.LEGAL_OBLIGATION,
)

# --- What every erasure does beyond the declared rows (participants.py) -------------------------
# Both run right after the walk, in the erasure's transaction, from what they read before it.

erasure_participant(
    "privacy.forget_in_cache",
    after=forget_keys_read,
    reads=cache_keys_about,
    does=_(
        "what the platform's cache holds about you, such as limits on sign-in attempts, is deleted"
    ),
)
erasure_participant(
    "privacy.tell_recipients",
    after=tell_of_erasure,
    reads=recipients_for,
    models=[Disclosure],
    does=_(
        "everyone who received your data from us is told of the erasure and asked to erase it too"
    ),
)
