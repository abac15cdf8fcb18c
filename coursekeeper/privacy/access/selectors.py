"""Read the staff-access log: what a person is shown about who saw their data (R35)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from coursekeeper.privacy.access.models import StaffAccess
from coursekeeper.privacy.declarations import Category

# Where staff saw the data, as a person reads it; the administration is one place to them.
PLACES: dict[str, Promise] = {
    "commerce:staff_orders": _("the list of orders"),
    "commerce:staff_order": _("your order's page"),
    "commerce:staff_invoices": _("the list of invoices"),
    "commerce:staff_invoice": _("your invoice"),
    "contact:inbox": _("the list of messages"),
    "contact:thread": _("your messages to us"),
    "privacy:request_detail": _("your request's page"),
}
ADMINISTRATION = _("the administration")
ELSEWHERE = _("a staff page")


@dataclass(frozen=True)
class SeenBy:
    """One look at the person's data, in words: when, by whom, what, where and why."""

    at: object
    staff_name: str
    staff_role: str
    categories: list[str]
    place: str
    purpose: str


def place_label(place: str) -> str:
    if place.startswith("admin:"):
        return str(ADMINISTRATION)
    return str(PLACES.get(place, ELSEWHERE))


def seen_by_staff(person, *, limit: int = 50) -> list[SeenBy]:
    """Return the latest looks at `person`'s data by staff, newest first, in the active language.

    A staff member whose account is gone is named by the words "a former staff member"; their
    look still counts.
    """
    from coursekeeper.privacy.gate import about_person
    from coursekeeper.privacy.purposes import ALL_PURPOSES

    labels = dict(Category.choices)
    rows = (
        StaffAccess.objects.filter(about_person(person))
        .select_related("staff")
        .order_by("-at", "-pk")[:limit]
    )
    return [
        SeenBy(
            at=row.at,
            staff_name=row.staff.full_name if row.staff else str(_("a former staff member")),
            staff_role=row.staff.get_role_display() if row.staff else "",
            categories=[str(labels.get(code, code)) for code in row.categories],
            place=place_label(row.place),
            purpose=str(ALL_PURPOSES[row.purpose].title)
            if row.purpose in ALL_PURPOSES
            else row.purpose,
        )
        for row in rows
    ]
