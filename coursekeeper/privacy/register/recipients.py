"""The recipients of personal data (R37) and the disclosures to authorities on a legal order.

`save_recipient` refuses what the law does not allow and logs every accepted change in its own
transaction; `record_disclosure` logs data given to an authority against the person; the staff
list and a recipient's history are read here too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Field
from django.utils import timezone, translation

from coursekeeper.accounts.choices import LANGUAGE_CHOICES
from coursekeeper.accounts.models import normalize_email
from coursekeeper.privacy.access.services import record_staff_change
from coursekeeper.privacy.declarations import Category
from coursekeeper.privacy.models import Disclosure, Recipient
from coursekeeper.privacy.people import Person
from coursekeeper.privacy.purposes import ALL_PURPOSES
from coursekeeper.privacy.register.refusals import RegisterError, check_allowed

Role = Recipient.Role
Safeguard = Recipient.Safeguard


RECIPIENT_FIELDS = (
    "name",
    "role",
    "service",
    "purposes",
    "categories",
    "location",
    "outside_eea",
    "safeguard",
    "agreement_date",
    "active",
    "privacy_email",
    "language",
)


def _clean_recipient(data: dict) -> dict:
    """Return the recipient's values, or raise the first refusal that applies."""
    values: dict[str, Any] = {
        "name": (data.get("name") or "").strip(),
        "role": data.get("role") or "",
        "service": (data.get("service") or "").strip(),
        "purposes": list(dict.fromkeys(data.get("purposes") or [])),
        "categories": list(dict.fromkeys(data.get("categories") or [])),
        "location": (data.get("location") or "").strip(),
        "outside_eea": bool(data.get("outside_eea")),
        "safeguard": data.get("safeguard") or "",
        "agreement_date": data.get("agreement_date"),
        "active": bool(data.get("active", True)),
        "privacy_email": normalize_email(data.get("privacy_email") or ""),
        "language": data.get("language") or "en",
    }
    name = values["name"]
    if not name:
        raise RegisterError("name_needed", field_name="name")
    if values["role"] not in Role.values:
        raise RegisterError("role_unknown", field_name="role")
    if not values["service"]:
        raise RegisterError("service_needed", field_name="service")
    if not values["location"]:
        raise RegisterError("location_needed", field_name="location")
    if any(code not in ALL_PURPOSES for code in values["purposes"]):
        raise RegisterError("purpose_unknown", field_name="purposes")
    if any(code not in Category.values for code in values["categories"]):
        raise RegisterError("category_unknown", field_name="categories")
    # An authority may receive nothing routinely (only disclosures on a legal order); anyone
    # else, and an authority that does receive data routinely, names what and what for.
    routine = values["role"] != Role.AUTHORITY or values["purposes"] or values["categories"]
    if routine and not values["purposes"]:
        raise RegisterError("purposes_needed", field_name="purposes", name=name)
    if routine and not values["categories"]:
        raise RegisterError("categories_needed", field_name="categories", name=name)
    if values["safeguard"] not in Safeguard.values:
        raise RegisterError("safeguard_unknown", field_name="safeguard")
    if values["outside_eea"] and not values["safeguard"]:
        raise RegisterError("safeguard_needed", field_name="safeguard", name=name)
    if not values["outside_eea"] and values["safeguard"]:
        raise RegisterError("safeguard_not_needed", field_name="safeguard")
    agreed = values["agreement_date"]
    if agreed is None and values["role"] == Role.PROCESSOR:
        raise RegisterError("agreement_needed", field_name="agreement_date")
    if agreed is None and values["role"] == Role.JOINT_CONTROLLER:
        raise RegisterError("arrangement_needed", field_name="agreement_date")
    if agreed is not None and agreed > timezone.localdate():
        raise RegisterError("agreement_in_future", field_name="agreement_date")
    if values["language"] not in {code for code, _name in LANGUAGE_CHOICES}:
        raise RegisterError("language_unknown", field_name="language")
    return values


def log_change(*, acting_user, obj, action_flag: int, message: list) -> None:
    """Write the staff audit row of a change to the register, in the change's transaction."""
    record_staff_change(acting_user=acting_user, obj=obj, action=action_flag, message=message)


@transaction.atomic
def save_recipient(*, acting_user, data: dict, recipient_id: int | None = None) -> Recipient:
    """Add a recipient (`recipient_id` None) or change one; log who did it and what changed.

    `data` holds the `RECIPIENT_FIELDS`. A refusal raises `RegisterError` and changes nothing.
    """
    check_allowed(acting_user)
    values = _clean_recipient(data)
    recipient: Recipient | None
    if recipient_id is None:
        recipient = Recipient(**values)
        recipient.full_clean()
        recipient.save()
        log_change(
            acting_user=acting_user, obj=recipient, action_flag=ADDITION, message=[{"added": {}}]
        )
        return recipient
    recipient = Recipient.objects.select_for_update().filter(pk=recipient_id).first()
    if recipient is None:
        raise RegisterError("recipient_not_found")
    changed = [name for name, value in values.items() if getattr(recipient, name) != value]
    if not changed:
        return recipient
    for name in changed:
        setattr(recipient, name, values[name])
    recipient.full_clean()
    recipient.save(update_fields=changed)
    # Untranslated, as the admin stores them; `LogEntry.get_change_message()` translates them.
    with translation.override(None):
        labels = [
            str(cast(Field, Recipient._meta.get_field(name)).verbose_name) for name in changed
        ]
    log_change(
        acting_user=acting_user,
        obj=recipient,
        action_flag=CHANGE,
        message=[{"changed": {"fields": labels}}],
    )
    return recipient


@dataclass(frozen=True)
class RecipientRow:
    """A recipient as the staff list shows it: every label in the active language."""

    recipient: Recipient
    role: str
    purposes: tuple[str, ...]
    categories: tuple[str, ...]
    safeguard: str


def _purpose_titles(codes) -> tuple[str, ...]:
    return tuple(str(ALL_PURPOSES[code].title) for code in codes if code in ALL_PURPOSES)


def _category_labels(codes) -> tuple[str, ...]:
    known = dict(Category.choices)
    return tuple(str(known[code]) for code in codes if code in known)


def _row(recipient: Recipient) -> RecipientRow:
    return RecipientRow(
        recipient=recipient,
        role=str(recipient.get_role_display()),
        purposes=_purpose_titles(recipient.purposes),
        categories=_category_labels(recipient.categories),
        safeguard=str(recipient.get_safeguard_display()) if recipient.outside_eea else "",
    )


def recipients_overview() -> dict[str, list[RecipientRow]]:
    """Return the recipients that receive data now, and apart from them the inactive ones."""
    rows = [_row(recipient) for recipient in Recipient.objects.order_by("name", "pk")]
    return {
        "active": [row for row in rows if row.recipient.active],
        "inactive": [row for row in rows if not row.recipient.active],
    }


def recipient_history(recipient: Recipient, *, limit: int = 50) -> list[LogEntry]:
    """Return who changed the recipient and when, newest first."""
    content_type = ContentType.objects.get_for_model(Recipient)
    return list(
        LogEntry.objects.filter(content_type=content_type, object_id=str(recipient.pk))
        .select_related("user")
        .order_by("-action_time", "-pk")[:limit]
    )


def _moment(day: dt.date) -> dt.datetime:
    """Return noon of `day` in the site's time zone, but never later than now."""
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))
    return min(moment, timezone.now())


@transaction.atomic
def record_disclosure(
    *,
    acting_user,
    email: str,
    authority_id: int,
    categories: list[str],
    order_reference: str,
    order_date: dt.date,
    disclosed_on: dt.date,
) -> Disclosure:
    """Log that data about a person went to an authority on a legal order (R37, Art. 15(1)(c)).

    The person is found by email as `Person.for_email` finds them: their account if the address
    is an account's, else the address alone. A refusal raises `RegisterError`, nothing changed.
    """
    from coursekeeper.privacy.recipients import categories_held

    check_allowed(acting_user)
    authority = Recipient.objects.filter(pk=authority_id, role=Role.AUTHORITY, active=True).first()
    if authority is None:
        raise RegisterError("authority_unknown", field_name="authority")
    categories = list(dict.fromkeys(categories))
    if not categories:
        raise RegisterError("disclosure_categories_needed", field_name="categories")
    if any(code not in Category.values for code in categories):
        raise RegisterError("category_unknown", field_name="categories")
    order_reference = (order_reference or "").strip()
    if not order_reference:
        raise RegisterError("order_reference_needed", field_name="order_reference")
    today = timezone.localdate()
    if order_date > today:
        raise RegisterError("date_in_future", field_name="order_date")
    if disclosed_on > today:
        raise RegisterError("date_in_future", field_name="disclosed_on")
    if disclosed_on < order_date:
        raise RegisterError("disclosed_before_order", field_name="disclosed_on")
    address = normalize_email(email or "")
    if not address:
        raise RegisterError("email_needed", field_name="email")
    person = Person.for_email(address)
    if not categories_held(person):
        raise RegisterError("nobody_with_email", field_name="email", email=address)
    user = person.user
    disclosure = Disclosure.objects.create(
        user=user,
        email=user.email if user is not None else address,
        recipient=authority,
        categories=categories,
        reason=f"{order_reference} ({order_date.isoformat()})"[
            : Disclosure._meta.get_field("reason").max_length
        ],
        disclosed_at=_moment(disclosed_on),
    )
    log_change(
        acting_user=acting_user, obj=disclosure, action_flag=ADDITION, message=[{"added": {}}]
    )
    return disclosure
