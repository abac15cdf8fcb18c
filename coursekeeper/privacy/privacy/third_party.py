"""Declarations of Django's and third-party apps' models: sessions, allauth, axes, task results.

The privacy app declares them because their apps cannot: Django's content types, permissions,
sessions and admin log; allauth's addresses, confirmations, authenticators and sessions;
django-axes's login throttle; and the task results of the background workers.
"""

from allauth.account.models import EmailAddress, EmailConfirmation
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from axes.models import AccessAttempt, AccessAttemptExpiration, AccessFailureLog, AccessLog
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult

from coursekeeper.privacy.access.changes import change_text
from coursekeeper.privacy.declarations import (
    DELETE,
    NOT_PERSONAL,
    Account,
    After,
    Anonymise,
    Category,
    Event,
    Generic,
    Identifier,
    Linked,
    NotPersonal,
    Reading,
    WhileAccountExists,
    declare,
    declare_not_personal,
)
from coursekeeper.privacy.purposes import ACCOUNT, PLATFORM_OPERATION, SECURITY
from coursekeeper.privacy.texts import kind_of_record

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
