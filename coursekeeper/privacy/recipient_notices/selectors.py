"""Reads of the Art. 19 notices that the request queue and the request page render."""

from __future__ import annotations

from django.db.models import Count, Min, Q, QuerySet

from coursekeeper.privacy.recipient_notices.models import RecipientNotice

OPEN = Q(recipient_notices__done_at__isnull=True, recipient_notices__isnull=False)


def with_recipients_to_tell(requests: QuerySet) -> QuerySet:
    """Annotate rights requests with their open tasks to tell a recipient by hand, and the
    earliest due date among them (`recipients_to_tell`, `tell_by`)."""
    return requests.annotate(
        recipients_to_tell=Count("recipient_notices", filter=OPEN),
        tell_by=Min("recipient_notices__due_at", filter=OPEN),
    )


def notices_for(request) -> list[RecipientNotice]:
    """Return whom a request's change was told to (or is to be told to), in the order written."""
    return list(
        RecipientNotice.objects.filter(request=request)
        .select_related("recipient", "outbox_message", "done_by")
        .order_by("pk")
    )
