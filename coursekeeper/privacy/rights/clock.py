"""The legal clock of a rights request (GDPR Art. 12(3)) and the alert when a deadline is near.

A month is a calendar month from receipt; an extension must be told within the first month; the
queue is ordered by deadline; staff are alerted once per deadline as it comes close.
"""

from __future__ import annotations

import calendar
import datetime as dt
import zoneinfo

from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from coursekeeper.messaging.services import queue_email
from coursekeeper.privacy.access.roles import HANDLE_REQUESTS, holders
from coursekeeper.privacy.models import ProviderSettings, RightsRequest
from coursekeeper.privacy.rights.history import Action, record_event
from coursekeeper.privacy.rules import time_zone_of

MAX_EXTENSION_MONTHS = 2
# Staff are alerted when this many days are left before a deadline.
ALERT_DAYS_BEFORE = 7


def add_months(moment: dt.datetime, months: int) -> dt.datetime:
    """Return the same day `months` calendar months later, or the month's last day if shorter.

    One month after 31 January is 28 (or 29) February, as Art. 12(3) is read with the EU
    rule on periods (Regulation 1182/71, Art. 3(2)(c)).
    """
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def deadline_order():
    """The queue's order: earliest deadline first, urgent ones ahead on the same day."""
    return [Coalesce("extended_until", "due_at").asc(nulls_last=True), F("urgent").desc(), "pk"]


def first_month_ends(request: RightsRequest) -> dt.datetime:
    """Return the first moment after the first month for answering `request`.

    Art. 12(3) lets the deadline be extended only by telling the person "within one month of
    receipt": the month ends at midnight at the end of the day the answer was first due
    (`due_at`, receipt plus one calendar month), in the provider's country's time zone. Unlike
    a consumer's period, it is not moved past a weekend: the controller must act in time.
    """
    assert request.due_at is not None  # a received request is due
    zone = zoneinfo.ZoneInfo(time_zone_of(ProviderSettings.load().country))
    last_day = request.due_at.astimezone(zone).date()
    return dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(0), tzinfo=zone)


def due_soon(now: dt.datetime | None = None):
    """Open requests whose deadline is within ALERT_DAYS_BEFORE days and not yet alerted."""
    now = now or timezone.now()
    horizon = now + dt.timedelta(days=ALERT_DAYS_BEFORE)
    return (
        RightsRequest.objects.filter(status__in=RightsRequest.OPEN_STATUSES)
        .annotate(deadline_at=Coalesce("extended_until", "due_at"))
        .filter(deadline_at__lte=horizon)
        # Once per deadline: an alert sent before this deadline's window opened (that is, for
        # the deadline before an extension) does not count.
        .filter(
            Q(deadline_alerted_at__isnull=True)
            | Q(deadline_alerted_at__lt=F("deadline_at") - dt.timedelta(days=ALERT_DAYS_BEFORE))
        )
        .order_by(*deadline_order())
    )


def alert_staff_of_deadlines(*, base_url: str, now: dt.datetime | None = None) -> int:
    """Email every privacy officer (and the owner) once about requests close to their deadline.

    Each request is alerted once per deadline (an extension earns a new alert); a rerun in the
    same slot sends nothing.
    """
    now = now or timezone.now()
    with transaction.atomic():
        requests = list(due_soon(now).select_for_update(of=("self",)))
        if not requests:
            return 0
        staff = holders(HANDLE_REQUESTS)
        queue_link = base_url.rstrip("/") + reverse("privacy:request_queue")
        for member in staff:
            context = {
                "requests": requests,
                "queue_link": queue_link,
                "now": now,
                "member": member,
            }
            with translation.override(member.language or "en"):
                subject = render_to_string("privacy/email/deadline_alert_subject.txt", context)
                body = render_to_string("privacy/email/deadline_alert_message.txt", context)
            queue_email(
                to=member.email,
                subject=subject.strip(),
                body_text=body,
                language=member.language or "en",
                template="privacy/deadline_alert",
                recipient=member,
            )
        for request in requests:
            RightsRequest.objects.filter(pk=request.pk).update(deadline_alerted_at=now)
            record_event(request, Action.ALERTED)
    return len(requests)
