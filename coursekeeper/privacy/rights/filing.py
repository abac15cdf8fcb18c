"""Filing a rights request and, for the public form, confirming it.

How each channel starts a request, when its clock starts, and the flag on a possibly excessive
repeat of the same kind of request within a year.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from coursekeeper.accounts.models import User, normalize_email
from coursekeeper.privacy.access.roles import HANDLE_REQUESTS, can
from coursekeeper.privacy.errors import PrivacyError
from coursekeeper.privacy.models import RightsRequest
from coursekeeper.privacy.rights.clock import add_months
from coursekeeper.privacy.rights.history import (
    Action,
    Channel,
    Kind,
    Status,
    email_person,
    person_filter,
    record_event,
)
from coursekeeper.security.services import token_digest

logger = logging.getLogger(__name__)

CONFIRMATION_VALID_FOR = dt.timedelta(days=3)
# Confirmation emails the public form sends one address per hour, at most.
MAX_UNCONFIRMED_PER_HOUR = 3
EXCESSIVE_WINDOW_DAYS = 365
STAFF_CHANNELS = {Channel.EMAIL, Channel.POST, Channel.PHONE}


def _flag_if_excessive(request: RightsRequest) -> None:
    assert request.received_at is not None  # the clock has started
    since = request.received_at - dt.timedelta(days=EXCESSIVE_WINDOW_DAYS)
    earlier = (
        RightsRequest.objects.filter(person_filter(request), kind=request.kind)
        .exclude(pk=request.pk)
        .exclude(status=Status.UNCONFIRMED)
        .filter(received_at__gte=since)
    )
    request.possibly_excessive = earlier.exists()


def _start_clock(request: RightsRequest, received_at: dt.datetime) -> None:
    request.received_at = received_at
    request.due_at = add_months(received_at, 1)
    _flag_if_excessive(request)


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
    """File a request; see the package docstring (`privacy.rights`) for how each channel starts.

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
    record_event(request, Action.FILED, acting_user=acting_user, note=channel)
    if token:
        link = base_url.rstrip("/") + reverse("privacy:confirm_request", args=[token])
        email_person(request, "request_confirm", base_url=base_url, link=link)
    else:
        email_person(request, "request_receipt", base_url=base_url)
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
    record_event(request, Action.CONFIRMED)
    email_person(request, "request_receipt", base_url=base_url)
    return request
