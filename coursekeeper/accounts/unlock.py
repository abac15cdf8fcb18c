"""Emailed links that lift the sign-in lockouts of one account (R2).

Design. Whoever is locked out may ask for a link by typing an address; the answer is the same
whether or not an account has that address, and nothing about the account is shown. The link
goes only to the account's own address, so the mailbox is the proof of ownership.

- Each request is written to the security log (`UNLOCK_REQUESTED`, with the address it came
  from) in the request's transaction, known account or not; that log is also the per-address
  rate limit: MAX_REQUESTS_PER_ADDRESS an hour, after which nothing more is looked up or sent.
- An account gets at most MAX_LINKS_PER_ACCOUNT links an hour, so typing someone's address
  cannot flood their inbox; and none while it has no failed sign-ins to clear.
- Only the SHA-256 of the token is stored (`security.services.token_digest`); the mail leaves
  the outbox's text behind once sent. The link works once (`used_at`, set under a row lock so
  two clicks cannot both use it) and for LINK_VALID_FOR.
- Using it deletes every failed sign-in recorded against the account, from every address, and
  logs `UNLOCKED`. The address-wide limit is left alone: it is about the address, not the
  account, and the owner can sign in from anywhere else.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets

from axes.models import AccessAttempt
from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from coursekeeper.accounts.errors import AccountError
from coursekeeper.accounts.models import UnlockLink, User, normalize_email
from coursekeeper.messaging.services import queue_email
from coursekeeper.security.models import SecurityEvent
from coursekeeper.security.services import pseudonym, record_security_event, token_digest

logger = logging.getLogger(__name__)

LINK_VALID_FOR = dt.timedelta(hours=1)
MAX_LINKS_PER_ACCOUNT = 3
MAX_REQUESTS_PER_ADDRESS = 5
RATE_WINDOW = dt.timedelta(hours=1)


def _requests_from(ip: str | None, *, since: dt.datetime) -> int:
    if not ip:
        return 0
    return SecurityEvent.objects.filter(
        kind=SecurityEvent.Kind.UNLOCK_REQUESTED, ip=ip, at__gte=since
    ).count()


@transaction.atomic
def request_unlock_link(*, email: str, ip: str | None, user_agent: str, base_url: str) -> None:
    """Mail an unlock link to the account at `email`, if there is one and the limits allow.

    Returns nothing on purpose: the caller answers the same whatever happened here.
    """
    now = timezone.now()
    too_many = _requests_from(ip, since=now - RATE_WINDOW) >= MAX_REQUESTS_PER_ADDRESS
    address = normalize_email(email)
    user = None if too_many else User.objects.filter(email=address, is_active=True).first()
    record_security_event(
        kind=SecurityEvent.Kind.UNLOCK_REQUESTED, user=user, ip=ip, user_agent=user_agent
    )
    if user is None:
        return
    if not AccessAttempt.objects.filter(username=user.email).exists():
        logger.info("unlock link: nothing to unlock person=%s", pseudonym(user.pk))
        return
    sent = UnlockLink.objects.filter(user=user, created_at__gte=now - RATE_WINDOW).count()
    if sent >= MAX_LINKS_PER_ACCOUNT:
        logger.info("unlock link: hourly limit reached person=%s", pseudonym(user.pk))
        return
    token = secrets.token_urlsafe(32)
    UnlockLink.objects.create(
        user=user, token_digest=token_digest(token), created_at=now, expires_at=now + LINK_VALID_FOR
    )
    context = {
        "link": base_url.rstrip("/") + reverse("account_unlock", args=[token]),
        "minutes": int(LINK_VALID_FOR.total_seconds() // 60),
        "school": settings.SCHOOL_NAME,
    }
    with translation.override(user.language):
        subject = render_to_string("accounts/email/unlock_subject.txt", context).strip()
        body = render_to_string("accounts/email/unlock_message.txt", context)
    queue_email(
        to=user.email,
        subject=subject,
        body_text=body,
        language=user.language,
        template="accounts/unlock",
        recipient=user,
        forget_after_sending=True,
    )
    logger.info("unlock link sent person=%s", pseudonym(user.pk))


def usable_link(token: str) -> UnlockLink | None:
    """Return the unused, unexpired link `token` opens, or None."""
    return UnlockLink.objects.filter(
        token_digest=token_digest(token or ""), used_at__isnull=True, expires_at__gt=timezone.now()
    ).first()


@transaction.atomic
def unlock_account(*, token: str, ip: str | None, user_agent: str) -> User:
    """Use the link: clear every failed sign-in recorded against its account, once.

    Raises AccountError("unlock_link_invalid") for an unknown, used or expired link; then
    nothing changed.
    """
    link = (
        UnlockLink.objects.select_for_update()
        .filter(token_digest=token_digest(token or ""), used_at__isnull=True)
        .select_related("user")
        .first()
    )
    now = timezone.now()
    if link is None or link.expires_at <= now:
        raise AccountError("unlock_link_invalid")
    link.used_at = now
    link.save(update_fields=["used_at"])
    cleared, _per_model = AccessAttempt.objects.filter(username=link.user.email).delete()
    record_security_event(
        kind=SecurityEvent.Kind.UNLOCKED, user=link.user, ip=ip, user_agent=user_agent
    )
    logger.info("sign-in unlocked person=%s rows=%s", pseudonym(link.user_id), cleared)
    return link.user
