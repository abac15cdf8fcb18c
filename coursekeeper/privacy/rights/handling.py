"""Staff handling an open rights request.

Extending its deadline, marking it urgent, asking a fee for or refusing an excessive request,
answering it, adding notes, and telling the recipients of the data what a carried-out request
changed (Art. 19).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from coursekeeper.privacy.access.roles import HANDLE_REQUESTS, can
from coursekeeper.privacy.errors import PrivacyError
from coursekeeper.privacy.models import RightsRequest
from coursekeeper.privacy.people import Person
from coursekeeper.privacy.rights.clock import add_months, first_month_ends
from coursekeeper.privacy.rights.history import Action, Status, email_person, record_event


def lock_open_request(pk: int) -> RightsRequest:
    """Return the open request `pk`, locked for the change; refuse a missing or closed one."""
    request = RightsRequest.objects.select_for_update().filter(pk=pk).first()
    if request is None:
        raise PrivacyError("request_not_found")
    if not request.is_open:
        raise PrivacyError("request_closed")
    return request


def check_staff(acting_user) -> None:
    """Refuse anyone whose role does not handle rights requests."""
    if not can(acting_user, HANDLE_REQUESTS):
        raise PrivacyError("not_allowed")


@transaction.atomic
def extend_request(
    *, request_id: int, acting_user, months: int, reason: str, base_url: str
) -> RightsRequest:
    """Extend the deadline by one or two months, once, and tell the person why (Art. 12(3)).

    Only within the first month: a late extension is refused and changes nothing.
    """
    check_staff(acting_user)
    request = lock_open_request(request_id)
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
    record_event(request, Action.EXTENDED, acting_user=acting_user, note=f"{months}", months=months)
    email_person(request, "request_extended", base_url=base_url)
    return request


@transaction.atomic
def mark_urgent(*, request_id: int, acting_user, urgent: bool) -> RightsRequest:
    check_staff(acting_user)
    request = lock_open_request(request_id)
    if request.urgent != urgent:
        request.urgent = urgent
        request.save(update_fields=["urgent"])
        record_event(
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
    check_staff(acting_user)
    request = lock_open_request(request_id)
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
    record_event(
        request,
        Action.FEE_REQUESTED,
        acting_user=acting_user,
        note=f"{amount} {currency}",
        amount=str(amount),
        currency=currency,
    )
    email_person(request, "request_fee", base_url=base_url)
    return request


@transaction.atomic
def refuse_request(*, request_id: int, acting_user, reason: str, base_url: str) -> RightsRequest:
    """Refuse a manifestly unfounded or excessive request with reasons and the right to
    complain (Art. 12(4), 12(5)(b))."""
    check_staff(acting_user)
    request = lock_open_request(request_id)
    if not request.possibly_excessive:
        raise PrivacyError("not_excessive")
    if not reason.strip():
        raise PrivacyError("reason_needed")
    request.status = Status.REFUSED
    request.refusal_reason = reason.strip()
    request.answered_at = timezone.now()
    request.save(update_fields=["status", "refusal_reason", "answered_at"])
    record_event(request, Action.REFUSED, acting_user=acting_user)
    email_person(request, "request_refused", base_url=base_url)
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
        check_staff(acting_user)
    request = lock_open_request(request_id)
    if not answer.strip():
        raise PrivacyError("answer_needed")
    request.status = Status.ANSWERED
    request.answer = answer.strip()
    request.answered_at = timezone.now()
    request.save(update_fields=["status", "answer", "answered_at"])
    record_event(request, Action.ANSWERED, acting_user=acting_user)
    email_person(
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
    check_staff(acting_user)
    request = RightsRequest.objects.filter(pk=request_id).first()
    if request is None:
        raise PrivacyError("request_not_found")
    if not note.strip():
        raise PrivacyError("note_needed")
    record_event(request, Action.NOTE, acting_user=acting_user, note=note.strip())


def record_view(*, request: RightsRequest, acting_user) -> None:
    """Log that a staff member looked at a request (and the personal data on it)."""
    from coursekeeper.privacy.access.services import record_access

    record_access(acting_user=acting_user, rows=[request], place="privacy:request_detail")
