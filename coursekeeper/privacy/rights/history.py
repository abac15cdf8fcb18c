"""A rights request's history and its emails.

Every change of state writes a line of the request's history (`RightsRequestEvent`) and, for a
staff member's change, its row of the staff audit trail; the email to the person is queued in the
outbox in the change's own transaction.
"""

from __future__ import annotations

from django.contrib.admin.models import ADDITION, CHANGE
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from coursekeeper.messaging.services import queue_email
from coursekeeper.privacy.access.services import record_staff_change
from coursekeeper.privacy.models import (
    ProviderSettings,
    RecipientNotice,
    RightsRequest,
    RightsRequestEvent,
)

Kind = RightsRequest.Kind
Channel = RightsRequest.Channel
Status = RightsRequest.Status
Action = RightsRequestEvent.Action
Change = RecipientNotice.Change


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


def record_event(
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


def person_filter(request: RightsRequest) -> Q:
    """Match the rows about the request's person: by account, or by email address."""
    query = Q(pk__in=[])
    if request.user_id:
        query |= Q(user_id=request.user_id)
    if request.email:
        query |= Q(email=request.email)
    return query


def email_person(
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
