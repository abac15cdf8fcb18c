"""What the accounts app holds about people (R1 to R3)."""

from functools import partial

from django.utils.translation import gettext_lazy as _

from coursekeeper.accounts.models import ProfileChange, SignInFingerprint, User
from coursekeeper.privacy.declarations import (
    NOT_PERSONAL,
    Account,
    After,
    Category,
    Event,
    Reading,
    TheAccount,
    WhileAccountExists,
    declare,
)
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
        source="staff",
        title=title,
        reading=Reading(references=(link,), labels={link: link_label}),
    )
