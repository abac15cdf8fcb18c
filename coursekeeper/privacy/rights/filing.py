"""Rights requests on the legal clock (R32, GDPR Art. 12): filing, confirming, handling, answering.

How a request arrives decides how it starts:
- from the account: the person is signed in, which counts as verified; received at once;
- by the public form: unconfirmed until the person follows the link sent to the address they
  gave, and only then received (an unknown address is answered exactly like a known one);
- by email, post or phone: staff log it with the channel and the day it arrived.

Receipt starts the clock: the answer is due one calendar month later; staff may extend it by up
to two more months, once, telling the person why, and only while the first month runs. The same
kind of request from the same person within 12 months is flagged as possibly excessive, and staff
decide: answer, charge a stated fee, or refuse with reasons and the right to complain. Every
change of state writes a `RightsRequestEvent` in its own transaction (a staff member's change
also its row of the staff audit trail, `privacy.access.changes`), and every email goes through
the outbox in that same transaction, so a request is never changed without its audit lines and
its email.
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
import secrets
import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from coursekeeper.accounts.models import User, normalize_email
from coursekeeper.messaging.services import queue_email
from coursekeeper.privacy.access.roles import HANDLE_REQUESTS, can, holders
from coursekeeper.privacy.access.services import record_staff_change
from coursekeeper.privacy.errors import PrivacyError
from coursekeeper.privacy.models import (
    Objection,
    ProviderSettings,
    RecipientNotice,
    Restriction,
    RightsRequest,
    RightsRequestEvent,
)
from coursekeeper.privacy.people import Person
from coursekeeper.privacy.rules import time_zone_of
from coursekeeper.security.services import token_digest

logger = logging.getLogger(__name__)

Kind = RightsRequest.Kind
Channel = RightsRequest.Channel
Status = RightsRequest.Status
Action = RightsRequestEvent.Action
Change = RecipientNotice.Change

CONFIRMATION_VALID_FOR = dt.timedelta(days=3)
# Confirmation emails the public form sends one address per hour, at most.
MAX_UNCONFIRMED_PER_HOUR = 3
EXCESSIVE_WINDOW_DAYS = 365
MAX_EXTENSION_MONTHS = 2
# Staff are alerted when this many days are left before a deadline.
ALERT_DAYS_BEFORE = 7
STAFF_CHANNELS = {Channel.EMAIL, Channel.POST, Channel.PHONE}


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


# How each staff action on a request reads in the staff audit trail (`privacy.access.changes`).
AUDITED_AS = {
    Action.FILED: "request_logged",
    Action.EXTENDED: "request_extended",
    Action.MARKED_URGENT: "request_marked_urgent",
    Action.FEE_REQUESTED: "request_fee_asked",
    Action.REFUSED: "request_refused",
    Action.ANSWERED: "request_answered",
    Action.CARRIED_OUT: "request_carried_out",
    Action.NOTE: "request_note_added",
}


def _event(
    request: RightsRequest,
    action: str,
    *,
    acting_user=None,
    note: str = "",
    audited_as: str = "",
    **values,
) -> None:
    """Write a line of the request's history. A staff member's action also writes its row of
    the staff audit trail, in the same transaction (`values` fill its text)."""
    RightsRequestEvent.objects.create(request=request, action=action, actor=acting_user, note=note)
    if acting_user is not None:
        record_staff_change(
            acting_user=acting_user,
            obj=request,
            action=ADDITION if action == Action.FILED else CHANGE,
            message=audited_as or AUDITED_AS[Action(action)],
            **values,
        )


def _person_filter(request: RightsRequest) -> Q:
    query = Q(pk__in=[])
    if request.user_id:
        query |= Q(user_id=request.user_id)
    if request.email:
        query |= Q(email=request.email)
    return query


def _flag_if_excessive(request: RightsRequest) -> None:
    assert request.received_at is not None  # the clock has started
    since = request.received_at - dt.timedelta(days=EXCESSIVE_WINDOW_DAYS)
    earlier = (
        RightsRequest.objects.filter(_person_filter(request), kind=request.kind)
        .exclude(pk=request.pk)
        .exclude(status=Status.UNCONFIRMED)
        .filter(received_at__gte=since)
    )
    request.possibly_excessive = earlier.exists()


def _start_clock(request: RightsRequest, received_at: dt.datetime) -> None:
    request.received_at = received_at
    request.due_at = add_months(received_at, 1)
    _flag_if_excessive(request)


def _send(
    request: RightsRequest,
    template: str,
    *,
    base_url: str,
    to: str = "",
    forget_after_sending: bool = False,
    **context,
) -> None:
    """Queue the email `privacy/email/<template>_{subject,message}.txt` to the person."""
    to = to or request.email
    if not to:
        return
    provider = ProviderSettings.load()
    context = {
        "request": request,
        "provider": provider,
        "account_link": base_url.rstrip("/") + reverse("privacy:my_privacy"),
        **context,
    }
    with translation.override(request.language):
        subject = render_to_string(f"privacy/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"privacy/email/{template}_message.txt", context)
    queue_email(
        to=to,
        subject=subject,
        body_text=body,
        language=request.language,
        template=f"privacy/{template}",
        recipient=request.user if request.user_id else None,
        forget_after_sending=forget_after_sending,
    )


@transaction.atomic
def file_request(
    *,
    kind: str,
    channel: str,
    base_url: str,
    user: User | None = None,
    email: str = "",
    details: str = "",
    objection_purpose: str = "",
    language: str | None = None,
    acting_user: User | None = None,
    received_at: dt.datetime | None = None,
    urgent: bool = False,
    submission_key: str | None = None,
) -> RightsRequest:
    """File a request; see the module docstring for how each channel starts.

    `user` is the person the request is about (for the account channel, who files it);
    `acting_user` the staff member who logs a request that came by email, post or phone.

    A second submit carrying the same `submission_key` (a double click) returns the first
    request unchanged.
    """
    if kind not in Kind.values or channel not in Channel.values:
        raise PrivacyError("unknown_request")
    if submission_key:
        existing = RightsRequest.objects.filter(submission_key=submission_key).first()
        if existing is not None:
            return existing
    now = timezone.now()
    if channel == Channel.ACCOUNT:
        if user is None or not user.is_authenticated:
            raise PrivacyError("not_allowed")
        email = user.email
    elif channel in STAFF_CHANNELS:
        if acting_user is None or not can(acting_user, HANDLE_REQUESTS):
            raise PrivacyError("not_allowed")
        if received_at and received_at > now:
            raise PrivacyError("received_in_future")
    email = normalize_email(email)
    if not email and user is None:
        raise PrivacyError("email_needed")
    if user is None and email:
        user = User.objects.filter(email=email).first()
    if language is None:
        language = getattr(user, "language", "") or translation.get_language() or "en"
    request = RightsRequest(
        kind=kind,
        channel=channel,
        user=user,
        email=email,
        language=language,
        details=details.strip(),
        objection_purpose=objection_purpose,
        logged_by=acting_user,
        urgent=urgent,
        submission_key=submission_key or None,
    )
    token = ""
    if channel == Channel.WEB_FORM:
        recent = RightsRequest.objects.filter(
            email=email,
            status=Status.UNCONFIRMED,
            created_at__gte=now - dt.timedelta(hours=1),
        ).order_by("-created_at")
        if recent.count() >= MAX_UNCONFIRMED_PER_HOUR:
            # The form answers as usual, but no more mail goes to an address someone may be
            # typing in to flood it; the links already sent still work.
            logger.info("rights request form: unconfirmed limit reached, nothing sent")
            return recent[0]
        token = secrets.token_urlsafe(32)
        request.status = Status.UNCONFIRMED
        request.confirmation_digest = token_digest(token)
        request.confirmation_expires_at = now + CONFIRMATION_VALID_FOR
    else:
        _start_clock(request, received_at or now)
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:
        # The same submission raced us here; its first save won.
        existing = RightsRequest.objects.filter(submission_key=submission_key).first()
        if submission_key and existing is not None:
            return existing
        raise
    _event(request, Action.FILED, acting_user=acting_user, note=channel)
    if token:
        link = base_url.rstrip("/") + reverse("privacy:confirm_request", args=[token])
        _send(request, "request_confirm", base_url=base_url, link=link)
    else:
        _send(request, "request_receipt", base_url=base_url)
    logger.info("rights request filed id=%s kind=%s channel=%s", request.pk, kind, channel)
    return request


@transaction.atomic
def confirm_request(*, token: str, base_url: str) -> RightsRequest:
    """Count a visitor's request as received once they follow the link sent to them."""
    request = (
        RightsRequest.objects.select_for_update()
        .filter(confirmation_digest=token_digest(token), status=Status.UNCONFIRMED)
        .first()
    )
    if (
        request is None
        or request.confirmation_expires_at is None
        or request.confirmation_expires_at < timezone.now()
    ):
        raise PrivacyError("link_invalid")
    request.status = Status.OPEN
    request.confirmation_digest = ""
    request.confirmation_expires_at = None
    _start_clock(request, timezone.now())
    request.save()
    _event(request, Action.CONFIRMED)
    _send(request, "request_receipt", base_url=base_url)
    return request


def _open_request(pk: int) -> RightsRequest:
    request = RightsRequest.objects.select_for_update().filter(pk=pk).first()
    if request is None:
        raise PrivacyError("request_not_found")
    if not request.is_open:
        raise PrivacyError("request_closed")
    return request


def _check_staff(acting_user) -> None:
    if not can(acting_user, HANDLE_REQUESTS):
        raise PrivacyError("not_allowed")


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


@transaction.atomic
def extend_request(
    *, request_id: int, acting_user, months: int, reason: str, base_url: str
) -> RightsRequest:
    """Extend the deadline by one or two months, once, and tell the person why (Art. 12(3)).

    Only within the first month: a late extension is refused and changes nothing.
    """
    _check_staff(acting_user)
    request = _open_request(request_id)
    if request.extended_until is not None:
        raise PrivacyError("already_extended")
    if timezone.now() >= first_month_ends(request):
        raise PrivacyError("extension_too_late")
    if months not in (1, 2):
        raise PrivacyError("extension_too_long")
    if not reason.strip():
        raise PrivacyError("reason_needed")
    assert request.due_at is not None  # an open request is due
    request.extended_until = add_months(request.due_at, months)
    request.extension_reason = reason.strip()
    request.save(update_fields=["extended_until", "extension_reason"])
    _event(request, Action.EXTENDED, acting_user=acting_user, note=f"{months}", months=months)
    _send(request, "request_extended", base_url=base_url)
    return request


@transaction.atomic
def mark_urgent(*, request_id: int, acting_user, urgent: bool) -> RightsRequest:
    _check_staff(acting_user)
    request = _open_request(request_id)
    if request.urgent != urgent:
        request.urgent = urgent
        request.save(update_fields=["urgent"])
        _event(
            request,
            Action.MARKED_URGENT,
            acting_user=acting_user,
            note="yes" if urgent else "no",
            audited_as="request_marked_urgent" if urgent else "request_not_urgent",
        )
    return request


@transaction.atomic
def request_fee(
    *, request_id: int, acting_user, amount: Decimal, currency: str, reason: str, base_url: str
) -> RightsRequest:
    """Ask a reasonable fee for a possibly excessive request (Art. 12(5)(a)), with the reason."""
    _check_staff(acting_user)
    request = _open_request(request_id)
    if not request.possibly_excessive:
        raise PrivacyError("not_excessive")
    if amount is None or amount <= 0 or currency not in ("DKK", "EUR"):
        raise PrivacyError("fee_invalid")
    if not reason.strip():
        raise PrivacyError("reason_needed")
    request.status = Status.AWAITING_FEE
    request.fee_amount = amount
    request.fee_currency = currency
    request.refusal_reason = reason.strip()
    request.save(update_fields=["status", "fee_amount", "fee_currency", "refusal_reason"])
    _event(
        request,
        Action.FEE_REQUESTED,
        acting_user=acting_user,
        note=f"{amount} {currency}",
        amount=str(amount),
        currency=currency,
    )
    _send(request, "request_fee", base_url=base_url)
    return request


@transaction.atomic
def refuse_request(*, request_id: int, acting_user, reason: str, base_url: str) -> RightsRequest:
    """Refuse a manifestly unfounded or excessive request with reasons and the right to
    complain (Art. 12(4), 12(5)(b))."""
    _check_staff(acting_user)
    request = _open_request(request_id)
    if not request.possibly_excessive:
        raise PrivacyError("not_excessive")
    if not reason.strip():
        raise PrivacyError("reason_needed")
    request.status = Status.REFUSED
    request.refusal_reason = reason.strip()
    request.answered_at = timezone.now()
    request.save(update_fields=["status", "refusal_reason", "answered_at"])
    _event(request, Action.REFUSED, acting_user=acting_user)
    _send(request, "request_refused", base_url=base_url)
    return request


@transaction.atomic
def answer_request(
    *,
    request_id: int,
    acting_user,
    answer: str,
    base_url: str,
    to: str = "",
    forget_after_sending: bool = False,
    **context,
) -> RightsRequest:
    """Close a request with the final answer, emailed to the person (or to `to`)."""
    if acting_user is not None:
        _check_staff(acting_user)
    request = _open_request(request_id)
    if not answer.strip():
        raise PrivacyError("answer_needed")
    request.status = Status.ANSWERED
    request.answer = answer.strip()
    request.answered_at = timezone.now()
    request.save(update_fields=["status", "answer", "answered_at"])
    _event(request, Action.ANSWERED, acting_user=acting_user)
    _send(
        request,
        "request_answered",
        base_url=base_url,
        to=to,
        forget_after_sending=forget_after_sending,
        **context,
    )
    return request


def tell_recipients(*, request: RightsRequest, change: str, lines=None) -> None:
    """Tell everyone who received the person's data what the carried-out request changed.

    `lines` are `recipients.recipients_for(person)`; an erasure reads them before it erases,
    anything else may leave them to be read here. Each recipient is told once per request: by
    email to its privacy contact, or as a dated task for staff (Art. 19; see
    `privacy.recipient_notices.services`).
    """
    from coursekeeper.privacy.recipient_notices import services as notices

    if lines is None:
        from coursekeeper.privacy.recipients import recipients_for

        if request.user_id:
            person = Person.for_user(request.user)
        elif request.email:
            person = Person.for_email(request.email)
        else:
            return
        lines = recipients_for(person)
    notices.tell_recipients(request=request, change=change, plans=notices.plan_notices(lines))


@transaction.atomic
def add_note(*, request_id: int, acting_user, note: str) -> None:
    _check_staff(acting_user)
    request = RightsRequest.objects.filter(pk=request_id).first()
    if request is None:
        raise PrivacyError("request_not_found")
    if not note.strip():
        raise PrivacyError("note_needed")
    _event(request, Action.NOTE, acting_user=acting_user, note=note.strip())


def record_view(*, request: RightsRequest, acting_user) -> None:
    """Log that a staff member looked at a request (and the personal data on it)."""
    from coursekeeper.privacy.access.services import record_access

    record_access(acting_user=acting_user, rows=[request], place="privacy:request_detail")


# --- Carrying a request out ---------------------------------------------------------------------


@transaction.atomic
def restrict_processing(
    *, user: User, base_url: str, details: str = "", urgent: bool = False, submission_key=None
):
    """The person asks for restriction: it takes effect at once, staff review it from the queue.

    Restricting first and checking afterwards protects the person while their claim (a
    contested accuracy, a pending objection) is looked into (Art. 18(1)).
    """
    request = file_request(
        kind=Kind.RESTRICTION,
        channel=Channel.ACCOUNT,
        user=user,
        details=details,
        base_url=base_url,
        urgent=urgent,
        submission_key=submission_key,
    )
    if not Restriction.objects.filter(user=user, lifted_at__isnull=True).exists():
        Restriction.objects.create(user=user, email=user.email)
        _event(request, Action.CARRIED_OUT)
        tell_recipients(request=request, change=Change.RESTRICTED)
    return request


@transaction.atomic
def lift_restriction(*, user: User, acting_user=None) -> int:
    """Lift the person's restriction; the person is told before it is lifted (Art. 18(3))."""
    restrictions = Restriction.objects.filter(user=user, lifted_at__isnull=True)
    if acting_user is not None and acting_user.pk != user.pk:
        _check_staff(acting_user)
        for restriction in restrictions.select_for_update():
            record_staff_change(
                acting_user=acting_user,
                obj=restriction,
                action=CHANGE,
                message="restriction_lifted",
            )
    return restrictions.update(lifted_at=timezone.now())


@transaction.atomic
def object_to(*, user: User, purpose_code: str, base_url: str, submission_key=None):
    """Record an objection (Art. 21); the gate stops the purpose from this moment."""
    from coursekeeper.privacy.purposes import ALL_PURPOSES, LegalBasis

    purpose = ALL_PURPOSES.get(purpose_code)
    if purpose is None or purpose.basis != LegalBasis.LEGITIMATE_INTEREST or not purpose.objectable:
        raise PrivacyError("cannot_object")
    request = file_request(
        kind=Kind.OBJECTION,
        channel=Channel.ACCOUNT,
        user=user,
        objection_purpose=purpose_code,
        base_url=base_url,
        submission_key=submission_key,
    )
    if not Objection.objects.filter(user=user, purpose=purpose_code).exists():
        Objection.objects.create(user=user, email=user.email, purpose=purpose_code)
        _event(request, Action.CARRIED_OUT)
    if request.is_open:
        with translation.override(request.language):
            answer = gettext("Your objection is recorded, and we stopped this processing: %s.")
            answer = answer % purpose.title
        answer_request(request_id=request.pk, acting_user=None, answer=answer, base_url=base_url)
    return request


@transaction.atomic
def withdraw_consent(*, user: User, consent_id: int) -> bool:
    """Withdraw one consent in one step; paid access rests on the contract, never on this."""
    from coursekeeper.privacy.consents import withdraw_consent as withdraw
    from coursekeeper.privacy.gate import about_person
    from coursekeeper.privacy.models import Consent

    person = Person.for_user(user)
    consent = Consent.objects.filter(
        about_person(person), pk=consent_id, withdrawn_at__isnull=True
    ).first()
    if consent is None:
        return False
    return withdraw(person=person, purpose=consent.purpose)


# --- The clock ----------------------------------------------------------------------------------


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
            _event(request, Action.ALERTED)
    return len(requests)


# --- Carrying out what the person asked -----------------------------------------------------------


def start_export_for_request(*, request: RightsRequest, base_url: str):
    """Queue the export that answers an access or portability request (once per request)."""
    from coursekeeper.privacy import jobs
    from coursekeeper.privacy.models import ExportJob

    existing = ExportJob.objects.filter(request=request).first()
    if existing is not None:
        return existing
    return jobs.request_export(
        user=request.user,
        portability_only=request.kind == Kind.PORTABILITY,
        request=request,
    )


@transaction.atomic
def carry_out_request(*, request_id: int, acting_user, base_url: str) -> RightsRequest:
    """Do what an open request asks, where the platform can do it by itself.

    Access and portability build the export (its job answers the request when the file is
    ready); erasure queues the erasure job (which answers when done); restriction and
    objection take effect through the gate at once. A correction is made by hand: carrying it
    out records that staff made it. An erasure, a restriction and a correction are told to
    the recipients of the person's data (Art. 19): the erasure job does it for an erasure.
    """
    from coursekeeper.privacy import jobs

    _check_staff(acting_user)
    request = _open_request(request_id)
    if request.status == Status.AWAITING_FEE:
        request.status = Status.OPEN  # the fee was paid, or staff decided to answer anyway
        request.save(update_fields=["status"])
    user = request.user
    if request.kind in (Kind.ACCESS, Kind.PORTABILITY) and user is None:
        raise PrivacyError("no_account")
    if request.kind in (Kind.ACCESS, Kind.PORTABILITY):
        start_export_for_request(request=request, base_url=base_url)
    elif request.kind == Kind.ERASURE and user is None:
        # Someone without an account (a contact message, a free download): little data, erased
        # here and now, in this transaction, and answered.
        _event(request, Action.CARRIED_OUT, acting_user=acting_user)
        jobs.erase_without_account(request=request)
        return request
    elif request.kind == Kind.ERASURE:
        jobs.request_erasure(user=user, request=request)
    elif request.kind == Kind.RESTRICTION:
        if not Restriction.objects.filter(_person_filter(request), lifted_at__isnull=True).exists():
            Restriction.objects.create(user=user, email=request.email)
        _event(request, Action.CARRIED_OUT, acting_user=acting_user)
        tell_recipients(request=request, change=Change.RESTRICTED)
        return request
    elif request.kind == Kind.RECTIFICATION:
        # Staff made the correction by hand; this records it and tells the recipients.
        _event(request, Action.CARRIED_OUT, acting_user=acting_user)
        tell_recipients(request=request, change=Change.RECTIFIED)
        return request
    elif request.kind == Kind.OBJECTION and request.objection_purpose:
        Objection.objects.get_or_create(
            user=user, email=request.email, purpose=request.objection_purpose
        )
    else:
        raise PrivacyError("nothing_to_carry_out")
    _event(request, Action.CARRIED_OUT, acting_user=acting_user)
    return request


def answer_with_export(job) -> None:
    """Answer the request an export was built for: the copy is ready, behind sign-in."""
    if job.request_id is None:
        return
    request = RightsRequest.objects.get(pk=job.request_id)
    if not request.is_open:
        return
    with translation.override(request.language):
        answer = gettext(
            "Your copy is ready. Sign in and download it from your privacy page within "
            "7 days; after that the file is deleted."
        )
    answer_request(
        request_id=request.pk,
        acting_user=None,
        answer=answer,
        base_url=settings.SITE_URL,
        export_expires_at=job.expires_at,
    )
