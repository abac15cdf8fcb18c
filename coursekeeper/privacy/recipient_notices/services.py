"""Telling the recipients of a person's data what a request changed (GDPR Art. 19).

When a correction, an erasure or a restriction is carried out, every recipient that received the
person's data (`recipients.recipients_for`: each routine recipient that receives a category of
data the person has with us, and each disclosure about them) is told, once per request:
- by email to its privacy contact, in the recipient's language, saying what changed and asking
  it to do the same -- when it has a privacy contact and received the person's address;
- otherwise as a task for the privacy staff, due by the request's deadline (and at least a week
  after the carrying out), shown on the request and in the queue until a staff member marks it
  done with a note; the request clock alerts the staff once when a task is overdue.

Whom a notice names. The recipient must learn whom to erase, correct or restrict, and nothing
more: the notice names the person only by the email address(es) that recipient itself received
from us (`RecipientLine.known_as`); never by name, never with the data that changed, nothing of
what the person wrote. A recipient that never received the address is not sent it by email
either: it becomes a staff task, and staff tell it by whatever identifier it does hold.

What stays after an erasure. The email is queued with `forget_after_sending`, so the outbox
clears its address and text once the server accepted it. A staff task keeps the address(es) the
recipient knows until it is marked done, because Art. 19 still obliges the provider to tell that
recipient whom the erasure concerned (the exception of Art. 17(3)(b)); marking it done clears
them. What remains -- which recipient was told of what, how, when and by whom -- is the proof
(Art. 5(2)), kept for the limitation period after it was done. That is why the notice rows are
held through an erasure, like the proof of a consent.

What is atomic, and what a rerun does. Notices are written, and their emails queued, in the
transaction that carries the request out; for an erasure that is the erasure's own transaction,
right after the walk, from the recipients read before it (afterwards nothing about the person
is left to read): the privacy app's after step "privacy.tell_recipients", `tell_of_erasure`.
One row per (request, recipient), enforced by a unique constraint: carrying a request out
twice, or an erasure job run again, finds the rows and sends nothing more; an attempt racing
another fails its insert inside a savepoint and skips that recipient.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.admin.models import CHANGE
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from coursekeeper.messaging.services import queue_email
from coursekeeper.privacy.access.roles import HANDLE_REQUESTS, can, holders
from coursekeeper.privacy.access.services import record_staff_change
from coursekeeper.privacy.errors import PrivacyError
from coursekeeper.privacy.models import (
    ProviderSettings,
    Recipient,
    RightsRequest,
    RightsRequestEvent,
)
from coursekeeper.privacy.participants import Erasing
from coursekeeper.privacy.recipient_notices.models import RecipientNotice
from coursekeeper.privacy.recipients import RecipientLine
from coursekeeper.privacy.rights import add_months
from coursekeeper.privacy.rules import RULE_PACKS, release_date

logger = logging.getLogger(__name__)

Change = RecipientNotice.Change
Action = RightsRequestEvent.Action

# A request carried out on its last day still leaves staff this long to reach a recipient.
LEAST_TIME_TO_TELL = dt.timedelta(days=7)
# The proof that a recipient was told is kept as long as a claim about it could be made.
PROOF_RULE = "limitation"

CHANGE_OF_KIND = {
    RightsRequest.Kind.RECTIFICATION: Change.RECTIFIED,
    RightsRequest.Kind.ERASURE: Change.ERASED,
    RightsRequest.Kind.RESTRICTION: Change.RESTRICTED,
}


@dataclass(frozen=True)
class PlannedNotice:
    """One recipient to tell, and the addresses it knows the person by (maybe none)."""

    recipient_id: int
    known_as: tuple[str, ...]


def plan_notices(lines: Iterable[RecipientLine]) -> list[PlannedNotice]:
    """Return one planned notice per recipient in `lines` (from `recipients_for`).

    A recipient can appear twice, routinely and through a disclosure; it is told once, by every
    address it received. Read the lines before an erasure, not after.
    """
    known: dict[int, set[str]] = {}
    for line in lines:
        if line.recipient_id is not None:
            known.setdefault(line.recipient_id, set()).update(line.known_as)
    return [PlannedNotice(pk, tuple(sorted(addresses))) for pk, addresses in known.items()]


def tell_of_erasure(erasing: Erasing) -> None:
    """Tell the recipients read before the walk that the request's erasure is carried out.

    The erasure's after step (participants.py). An erasure that answers no request (a restored
    backup's account erased again) tells nobody: its recipients were told the first time.
    """
    if erasing.request_id is None or not erasing.read:
        return
    request = RightsRequest.objects.get(pk=erasing.request_id)
    tell_recipients(request=request, change=Change.ERASED, plans=plan_notices(erasing.read))


def due_date(request: RightsRequest, now: dt.datetime) -> dt.datetime:
    """Return when a recipient told by hand must have been told: by the request's deadline, but
    no sooner than `LEAST_TIME_TO_TELL` from now."""
    earliest = now + LEAST_TIME_TO_TELL
    deadline = request.deadline
    if deadline is None:
        return add_months(now, 1)
    return max(deadline, earliest)


def _proof_kept_until(moment: dt.datetime) -> dt.datetime:
    country = ProviderSettings.load().country
    return release_date(
        country=country if country in RULE_PACKS else "DK", rule=PROOF_RULE, event_at=moment
    )


@transaction.atomic
def tell_recipients(
    *,
    request: RightsRequest,
    change: str,
    plans: Iterable[PlannedNotice],
    now: dt.datetime | None = None,
) -> list[RecipientNotice]:
    """Tell each planned recipient of `change`, once per request; return the notices written now.

    Call it inside the transaction that carries the request out, so the notices and their
    emails commit with the change or not at all. Recipients already told for this request are
    skipped (see the module docstring).
    """
    if change not in Change.values:
        raise ValueError(f"{change!r} is not a change recipients are told of.")
    now = now or timezone.now()
    plans = list(plans)
    already = set(
        RecipientNotice.objects.filter(request=request).values_list("recipient_id", flat=True)
    )
    recipients = Recipient.objects.in_bulk([plan.recipient_id for plan in plans])
    written = []
    for plan in plans:
        recipient = recipients.get(plan.recipient_id)
        if recipient is None or recipient.pk in already:
            continue
        notice = _write_notice(request, recipient, change, plan.known_as, now)
        if notice is not None:
            written.append(notice)
    if written:
        RightsRequestEvent.objects.create(
            request=request,
            action=Action.NOTIFY_RECIPIENTS,
            at=now,
            note="; ".join(_summary(notice) for notice in written),
        )
        logger.info(
            "recipients told request=%s mailed=%s by_hand=%s",
            request.pk,
            sum(1 for notice in written if notice.mailed),
            sum(1 for notice in written if not notice.mailed),
        )
    return written


def _summary(notice: RecipientNotice) -> str:
    """One line of the request's history; it names the recipient, never the person."""
    if notice.mailed:
        return f"{notice.recipient.name} (emailed to {notice.sent_to})"
    return f"{notice.recipient.name} (by hand, by {timezone.localdate(notice.due_at).isoformat()})"


def _write_notice(
    request: RightsRequest,
    recipient: Recipient,
    change: str,
    known_as: tuple[str, ...],
    now: dt.datetime,
) -> RecipientNotice | None:
    """Write one notice and queue its email; None when another attempt wrote it first."""
    by_mail = bool(recipient.privacy_email and known_as)
    notice = RecipientNotice(
        request=request,
        recipient=recipient,
        change=change,
        created_at=now,
        due_at=due_date(request, now),
    )
    if by_mail:
        notice.sent_to = recipient.privacy_email
        notice.done_at = now
        notice.release_at = _proof_kept_until(now)
    else:
        notice.identifiers = list(known_as)
    try:
        with transaction.atomic():
            notice.save()
            if by_mail:
                notice.outbox_message = _queue_notice(notice, known_as)
                notice.save(update_fields=["outbox_message"])
    except IntegrityError:
        return None
    return notice


def _queue_notice(notice: RecipientNotice, known_as: tuple[str, ...]):
    recipient = notice.recipient
    provider = ProviderSettings.load()
    context = {
        "recipient": recipient,
        "provider": provider,
        "sender": provider.legal_name or settings.SCHOOL_NAME,
        "change": notice.change,
        "addresses": known_as,
        "reference": notice.request_id,
    }
    with translation.override(recipient.language or "en"):
        subject = render_to_string("privacy/email/recipient_notice_subject.txt", context)
        body = render_to_string("privacy/email/recipient_notice_message.txt", context)
    return queue_email(
        to=recipient.privacy_email,
        subject=subject.strip(),
        body_text=body,
        language=recipient.language or "en",
        template="privacy/recipient_notice",
        headers={"Reply-To": provider.email} if provider.email else None,
        # The body names the person; the outbox clears it once the server has accepted it.
        forget_after_sending=True,
    )


@transaction.atomic
def mark_recipient_told(
    *, request_id: int, notice_id: int, acting_user, note: str, now: dt.datetime | None = None
) -> RecipientNotice:
    """Record that a staff member told a recipient by hand, how (`note`), and when.

    The addresses the task kept for telling the recipient are cleared in the same step. A
    refusal raises `PrivacyError` and changes nothing.
    """
    if acting_user is None or not can(acting_user, HANDLE_REQUESTS):
        raise PrivacyError("not_allowed")
    notice = (
        RecipientNotice.objects.select_for_update()
        .filter(pk=notice_id, request_id=request_id)
        .first()
    )
    if notice is None:
        raise PrivacyError("notice_not_found")
    if notice.done_at is not None:
        raise PrivacyError("notice_done")
    note = (note or "").strip()
    if not note:
        raise PrivacyError("how_told_needed")
    now = now or timezone.now()
    notice.done_at = now
    notice.done_by = acting_user
    notice.note = note
    notice.identifiers = []
    notice.release_at = _proof_kept_until(now)
    notice.save(update_fields=["done_at", "done_by", "note", "identifiers", "release_at"])
    RightsRequestEvent.objects.create(
        request_id=request_id,
        action=Action.RECIPIENT_TOLD,
        actor=acting_user,
        at=now,
        note=f"{notice.recipient.name}: {note}",
    )
    record_staff_change(
        acting_user=acting_user, obj=notice, action=CHANGE, message="recipient_told"
    )
    return notice


# --- The clock ----------------------------------------------------------------------------------


def overdue_notices(now: dt.datetime):
    """Staff tasks past their due date that the staff were not yet alerted about."""
    return RecipientNotice.objects.filter(
        done_at__isnull=True, due_at__lt=now, overdue_alerted_at__isnull=True
    )


def alert_staff_of_overdue_notices(*, base_url: str, now: dt.datetime | None = None) -> int:
    """Email every privacy officer (and the owner) once about recipients not told in time.

    Each task is alerted once; a rerun sends nothing more. Return how many tasks were alerted.
    The email names requests and recipients, never the person.
    """
    now = now or timezone.now()
    with transaction.atomic():
        keys = list(overdue_notices(now).select_for_update().values_list("pk", flat=True))
        if not keys:
            return 0
        notices = list(
            RecipientNotice.objects.filter(pk__in=keys)
            .select_related("recipient", "request")
            .order_by("due_at", "pk")
        )
        staff = holders(HANDLE_REQUESTS)
        queue_link = base_url.rstrip("/") + reverse("privacy:request_queue")
        for member in staff:
            language = member.language or "en"
            context = {"notices": notices, "queue_link": queue_link, "member": member}
            with translation.override(language):
                subject = render_to_string("privacy/email/recipients_overdue_subject.txt", context)
                body = render_to_string("privacy/email/recipients_overdue_message.txt", context)
            queue_email(
                to=member.email,
                subject=subject.strip(),
                body_text=body,
                language=language,
                template="privacy/recipients_overdue",
                recipient=member,
            )
        RecipientNotice.objects.filter(pk__in=keys).update(overdue_alerted_at=now)
        by_request: dict[int, list[str]] = {}
        for notice in notices:
            if notice.request_id is not None:
                by_request.setdefault(notice.request_id, []).append(notice.recipient.name)
        RightsRequestEvent.objects.bulk_create(
            RightsRequestEvent(
                request_id=request_id, action=Action.RECIPIENT_LATE, at=now, note=", ".join(names)
            )
            for request_id, names in by_request.items()
        )
    return len(notices)
