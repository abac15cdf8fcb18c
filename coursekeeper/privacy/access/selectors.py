"""Read the staff-access log: what a person is shown about who saw their data (R35)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from coursekeeper.privacy.access.changes import platform_change
from coursekeeper.privacy.access.models import StaffAccess
from coursekeeper.privacy.texts import category_names, kind_of_record, purpose_title, staff_name

# Where staff saw the data, as a person reads it; the administration is one place to them.
PLACES: dict[str, Promise] = {
    "commerce:staff_orders": _("the list of orders"),
    "commerce:staff_order": _("your order's page"),
    "commerce:staff_invoices": _("the list of invoices"),
    "commerce:staff_invoice": _("your invoice"),
    "contact:inbox": _("the list of messages"),
    "contact:thread": _("your messages to us"),
    "privacy:request_detail": _("your request's page"),
    "privacy:minor_reports": _("the list of reports of accounts that may belong to minors"),
    "privacy:minor_report": _("a report of an account that may belong to a minor"),
}
ADMINISTRATION = _("the administration")
ELSEWHERE = _("a staff page")


@dataclass(frozen=True)
class SeenBy:
    """One look at the person's data, in words: when, by whom, what, where and why."""

    at: object
    staff_name: str
    staff_role: str
    categories: str
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

    rows = (
        StaffAccess.objects.filter(about_person(person))
        .select_related("staff")
        .order_by("-at", "-pk")[:limit]
    )
    return [
        SeenBy(
            at=row.at,
            staff_name=str(staff_name(row.staff)),
            staff_role=row.staff.get_role_display() if row.staff else "",
            categories=category_names(row.categories),
            place=place_label(row.place),
            purpose=purpose_title(row.purpose),
        )
        for row in rows
    ]


@dataclass(frozen=True)
class LogLine:
    """One access row as the privacy officer reads it."""

    at: object
    person: str
    staff: str
    categories: str
    place: str
    purpose: str


PAGE_SIZE = 100


def within(rows: QuerySet, column: str, since: dt.date | None, until: dt.date | None) -> QuerySet:
    """Narrow `rows` to those whose `column` falls on the days `since` to `until` (inclusive),
    counted in the active time zone; either end may be open."""
    zone = timezone.get_current_timezone()
    if since:
        rows = rows.filter(**{f"{column}__gte": dt.datetime.combine(since, dt.time.min, zone)})
    if until:
        end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, zone)
        rows = rows.filter(**{f"{column}__lt": end})
    return rows


def access_log_page(*, acting_user, person: str, staff: str, since, until, page_number):
    """Return one page of the staff-access log, filtered, newest first, for the privacy officer.

    The page shows whose data was seen, so reading it is itself a look at personal data and is
    logged like any other (R35).
    """
    from django.core.paginator import Paginator
    from django.db.models import Q

    from coursekeeper.accounts.models import User
    from coursekeeper.privacy.access.services import record_access

    rows = StaffAccess.objects.select_related("user", "staff")
    if person:
        owner = User.objects.filter(email=person).values_list("pk", flat=True).first()
        rows = rows.filter(Q(email=person) | Q(user_id=owner) if owner else Q(email=person))
    if staff:
        rows = rows.filter(staff__email=staff)
    rows = within(rows, "at", since, until)
    page = Paginator(rows.order_by("-at", "-pk"), PAGE_SIZE).get_page(page_number)
    lines = [
        LogLine(
            at=row.at,
            person=row.user.email if row.user else row.email,
            staff=row.staff.email if row.staff else str(staff_name(None)),
            categories=category_names(row.categories),
            place=place_label(row.place),
            purpose=purpose_title(row.purpose),
        )
        for row in page.object_list
    ]
    record_access(
        acting_user=acting_user,
        rows=list(page.object_list),
        place="privacy:access_log",
        categories=["identity", "contact"],
    )
    return page, lines


@dataclass(frozen=True)
class ChangeLine:
    """One staff change as the privacy officer reads it."""

    at: object
    staff: str
    kind: str
    record: str
    action: str
    message: str


ACTION_FLAGS = {1: _("added"), 2: _("changed"), 3: _("deleted")}


def _what_changed(entry) -> dict[str, str]:
    """Return a change's `action` and `message`: a platform change is its own sentence; the
    administration's is "changed" and the fields Django names."""
    platform = platform_change(entry.change_message)
    if platform is not None:
        return {"action": platform, "message": ""}
    return {
        "action": str(ACTION_FLAGS.get(entry.action_flag, "")),
        "message": entry.get_change_message(),
    }


def staff_changes_page(*, acting_user, staff: str, since, until, page_number):
    """Return one page of the staff audit trail (every staff write, the admin's included).

    A change to a person's account names that account, so reading it is logged (R35).
    """
    from django.contrib.admin.models import LogEntry
    from django.core.paginator import Paginator

    from coursekeeper.privacy.access.services import record_access

    entries = LogEntry.objects.select_related("user", "content_type")
    if staff:
        entries = entries.filter(user__email=staff)
    entries = within(entries, "action_time", since, until)
    page = Paginator(entries.order_by("-action_time", "-pk"), PAGE_SIZE).get_page(page_number)
    lines = [
        ChangeLine(
            at=entry.action_time,
            staff=entry.user.email if entry.user else str(staff_name(None)),
            kind=kind_of_record(entry.content_type),
            record=entry.object_id or "",
            **_what_changed(entry),
        )
        for entry in page.object_list
    ]
    record_access(
        acting_user=acting_user, rows=list(page.object_list), place="privacy:staff_changes"
    )
    return page, lines
