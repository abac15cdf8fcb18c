"""What the accounts app holds about people (R1 to R3)."""

from django.utils.translation import gettext_lazy as _

from coursekeeper.accounts.models import ProfileChange, SignInFingerprint, UnlockLink, User
from coursekeeper.privacy.declarations import (
    NOT_PERSONAL,
    Account,
    After,
    Category,
    Event,
    TheAccount,
    WhileAccountExists,
    declare,
)
from coursekeeper.privacy.purposes import ACCOUNT, SECURITY

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
    retention=WhileAccountExists(),
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
    notes="Names the fields that changed, never their old values.",
)

for through, title in (
    (User.groups.through, _("your staff groups")),
    (User.user_permissions.through, _("your staff permissions")),
):
    declare(
        through,
        subject=Account("user"),
        purposes=[ACCOUNT],
        fields={
            "user": Category.IDENTITY,
            through._meta.get_field("group" if hasattr(through, "group") else "permission").name: (
                NOT_PERSONAL.because("a permission or group, the same for everyone")
            ),
        },
        source="staff",
        title=title,
    )
