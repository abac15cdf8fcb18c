"""What the accounts app holds about people (R1 to R3)."""

from functools import partial

from django.utils.translation import gettext_lazy as _

from coursekeeper.accounts.models import ProfileChange, SignInFingerprint, UnlockLink, User
from coursekeeper.privacy.declarations import (
    DELETE,
    NOT_PERSONAL,
    Account,
    After,
    AfterRelationshipEnds,
    Category,
    Event,
    Reading,
    TheAccount,
    WhileAccountExists,
    declare,
)
from coursekeeper.privacy.gate import DespiteRestriction
from coursekeeper.privacy.paths import email_path, processing_path
from coursekeeper.privacy.purposes import ACCOUNT, SECURITY
from coursekeeper.privacy.texts import field_labels

declare(
    User,
    subject=TheAccount(),
    purposes=[ACCOUNT],
    fields={
        "email": Category.CONTACT,
        "full_name": Category.IDENTITY,
        "phone": Category.CONTACT,
        "street_address": Category.CONTACT,
        "postal_code": Category.CONTACT,
        "city": Category.CONTACT,
        "country": Category.CONTACT,
        "company": Category.PROFILE,
        "job_title": Category.PROFILE,
        "interests": Category.PROFILE,
        "language": Category.PROFILE,
        "time_zone": Category.PROFILE,
        "password": Category.CREDENTIALS,
        "last_login": Category.USAGE,
        "date_joined": Category.USAGE,
        "adult_confirmed_at": Category.IDENTITY,
        "role": Category.PROFILE,
        "is_active": NOT_PERSONAL.because("an account flag"),
        "is_staff": NOT_PERSONAL.because("an account flag"),
        "is_superuser": NOT_PERSONAL.because("an account flag"),
        "groups": NOT_PERSONAL.because("links to permission groups, declared on the link table"),
        "user_permissions": NOT_PERSONAL.because(
            "links to permissions, declared on the link table"
        ),
    },
    # R20: erased, after a warning, once the customer relationship has long ended.
    retention=AfterRelationshipEnds(),
    erasure=DELETE,
)

declare(
    SignInFingerprint,
    subject=Account("user"),
    purposes=[SECURITY],
    fields={
        "user": Category.IDENTITY,
        "fingerprint": Category.TECHNICAL,
        "first_seen_at": Category.TECHNICAL,
        "last_seen_at": Category.TECHNICAL,
    },
    retention=After(Event.LAST_ACTIVITY, column="last_seen_at", years=1),
    erasure=DELETE,
    source="use",
    title=_("devices and places you signed in from"),
)

declare(
    UnlockLink,
    subject=Account("user"),
    purposes=[SECURITY],
    fields={
        "user": Category.IDENTITY,
        "token_digest": Category.CREDENTIALS,
        "created_at": Category.TECHNICAL,
        "expires_at": NOT_PERSONAL.because("when the unlock link stops working"),
        "used_at": Category.TECHNICAL,
    },
    # The link works for an hour (accounts.unlock.LINK_VALID_FOR); the row is the hourly limit
    # of links an account is sent, and is not needed a day later.
    retention=After(Event.LINK_SENT, column="created_at", days=1),
    erasure=DELETE,
    source="use",
    title=_("links to lift a sign-in lockout"),
)

declare(
    ProfileChange,
    subject=Account("user"),
    purposes=[ACCOUNT],
    fields={
        "user": Category.IDENTITY,
        "at": Category.PROFILE,
        "fields": Category.PROFILE,
        "changed_by": NOT_PERSONAL.because("the staff member who made a correction; their work"),
    },
    retention=WhileAccountExists(),
    erasure=DELETE,
    notes="Names the fields that changed, never their old values.",
    reading=Reading(shown_as={"fields": partial(field_labels, User)}),
)

for through, title, link_label in (
    (User.groups.through, _("your staff groups"), _("group")),
    (User.user_permissions.through, _("your staff permissions"), _("permission")),
):
    link = through._meta.get_field("group" if hasattr(through, "group") else "permission").name
    declare(
        through,
        subject=Account("user"),
        purposes=[ACCOUNT],
        fields={
            "user": Category.IDENTITY,
            link: NOT_PERSONAL.because("a permission or group, the same for everyone"),
        },
        erasure=DELETE,
        source="staff",
        title=title,
        reading=Reading(references=(link,), labels={link: link_label}),
    )


# --- Where the account and its security are carried out ----------------------------------------

EDIT_PROFILE = processing_path(
    ACCOUNT,
    name="accounts.edit_profile",
    title=_("changing your profile when you edit it"),
    where="coursekeeper.accounts.services.update_profile",
    rehearsal="coursekeeper.accounts.factories.rehearse_edit_profile",
    # Correcting or completing your own data is your right to rectification (Art. 16), which a
    # restriction does not take away: contested accuracy is a reason to restrict (Art. 18(1)(a))
    # and the correction ends it.
    exception=DespiteRestriction.LEGAL_OBLIGATION,
)
SIGN_IN_PLACES = processing_path(
    SECURITY,
    name="accounts.sign_in_places",
    title=_("remembering where you signed in from, to warn you of a new place"),
    where="coursekeeper.accounts.services.record_sign_in",
    rehearsal="coursekeeper.accounts.factories.rehearse_sign_in_places",
    # Telling an account's owner of a sign-in from somewhere new is how a stolen password is
    # noticed: a measure the security of processing requires (Art. 32(1)(b)).
    exception=DespiteRestriction.LEGAL_OBLIGATION,
)

# Every email the sign-in machinery sends protects the account: a notice of a change the owner
# did not make is how a break-in is noticed, a reset link restores access (Art. 32(1)(b), (c)),
# a confirmation proves an address belongs to the person before it signs in, and the two
# answers to an unknown or a taken address keep strangers from learning who has an account.
# The law requires these measures, so they go on while processing is restricted.
_SIGN_IN_MACHINERY = "coursekeeper.accounts.adapter.AccountAdapter.send_mail"
_LINKS = _("sending the links and codes to sign in, reset a password or confirm an address")
_NOTICES = _("telling you of changes to your account and of sign-ins from somewhere new")
for _template, _title in (
    ("account/email/email_confirmation", _LINKS),
    ("account/email/email_confirmation_signup", _LINKS),
    ("account/email/email_confirm", _LINKS),
    ("account/email/password_reset_key", _LINKS),
    ("account/email/password_reset_code", _LINKS),
    ("account/email/login_code", _LINKS),
    ("account/email/unknown_account", _NOTICES),
    ("account/email/account_already_exists", _NOTICES),
    ("account/email/password_changed", _NOTICES),
    ("account/email/password_set", _NOTICES),
    ("account/email/password_reset", _NOTICES),
    ("account/email/email_changed", _NOTICES),
    ("account/email/email_deleted", _NOTICES),
    ("mfa/email/totp_activated", _NOTICES),
    ("mfa/email/totp_deactivated", _NOTICES),
    ("mfa/email/recovery_codes_generated", _NOTICES),
    ("mfa/email/webauthn_added", _NOTICES),
    ("mfa/email/webauthn_removed", _NOTICES),
    ("accounts/email/new_sign_in", _NOTICES),
    ("accounts/email/second_factor_paused", _NOTICES),
    ("accounts/unlock", _LINKS),
):
    email_path(
        SECURITY,
        template=_template,
        title=_title,
        where=_SIGN_IN_MACHINERY,
        exception=DespiteRestriction.LEGAL_OBLIGATION,
    )
