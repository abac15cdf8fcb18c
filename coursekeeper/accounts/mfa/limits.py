"""Limits on two-factor codes, per account and per address (R2).

Design. A person only reaches the code step after giving the right password, so a wrong code there
is somebody who knows the password guessing the second factor. The password throttle (django-axes)
never sees these attempts, so this module limits them itself, and counts them in the security log
rather than a cache, so a restart, a cleared cache or another web process does not reset the
count:
  - every refused code is a `second_factor_failed` row (account, address, browser string);
  - when an account has ACCOUNT_FAILURE_LIMIT refusals within FAILURE_WINDOW, a
    `second_factor_locked` row naming it starts a pause of COOL_OFF, and its owner is sent one
    notice, queued in the same transaction as that row;
  - when an address has ADDRESS_FAILURE_LIMIT refusals within FAILURE_WINDOW, across any accounts,
    a `second_factor_locked` row with that address and no account pauses the address.
While a pause lasts, every code is refused without being checked, the right one included, and
each attempt is another `second_factor_failed` row: an attack that goes on keeps its count up, so
the first wrong code after the cool-off starts the next pause (and the next notice) at once, while
the right code after the cool-off still signs in. The counts use the (user, kind, at) and
(ip, kind, at) indexes of the security log.

What is atomic. One attempt -- check the pauses, check the code, record a refusal and perhaps a
pause and its notice -- is one transaction holding the account's row lock, so guesses at one
account sent in parallel are taken one at a time and cannot slip past the limit together. Guesses
from one address at many accounts are not serialised: the address limit can be overshot by the
requests in flight, each of which still counts against its account.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from coursekeeper.accounts.errors import AccountError
from coursekeeper.accounts.models import User
from coursekeeper.security.models import SecurityEvent
from coursekeeper.security.services import record_security_event

ACCOUNT_FAILURE_LIMIT = 5
ADDRESS_FAILURE_LIMIT = 20
FAILURE_WINDOW = dt.timedelta(minutes=15)
# At least FAILURE_WINDOW, so a pause outlives the refusals that started it.
COOL_OFF = dt.timedelta(hours=1)

FAILED = SecurityEvent.Kind.SECOND_FACTOR_FAILED
LOCKED = SecurityEvent.Kind.SECOND_FACTOR_LOCKED


def attempt_second_factor(
    *, user: User, ip: str | None, user_agent: str, check_code: Callable[[], bool]
) -> None:
    """Run `check_code` unless the account or the address is paused; record what was refused.

    Return when the code was accepted. Otherwise raise AccountError: `second_factor_paused` (with
    the minutes left) while a pause lasts or when this refusal starts one, else
    `second_factor_incorrect`. The rows are committed either way.
    """
    with transaction.atomic():
        User.objects.select_for_update().only("pk").get(pk=user.pk)
        now = timezone.now()
        paused_until = _paused_until(user=user, ip=ip, now=now)
        if paused_until is None and check_code():
            return
        record_security_event(kind=FAILED, user=user, ip=ip, user_agent=user_agent)
        if paused_until is None:
            paused_until = _pause_if_over_a_limit(user=user, ip=ip, user_agent=user_agent, now=now)
    if paused_until is None:
        raise AccountError("second_factor_incorrect")
    minutes = max(1, math.ceil((paused_until - now).total_seconds() / 60))
    raise AccountError("second_factor_paused", minutes=minutes)


def _paused_until(*, user: User, ip: str | None, now: dt.datetime) -> dt.datetime | None:
    """Return when the later of the account's and the address's current pauses ends, if any."""
    recent_pauses = SecurityEvent.objects.filter(kind=LOCKED, at__gt=now - COOL_OFF)
    starts = [recent_pauses.filter(user=user).order_by("-at").values_list("at", flat=True).first()]
    if ip:
        address_pauses = recent_pauses.filter(ip=ip, user__isnull=True)
        starts.append(address_pauses.order_by("-at").values_list("at", flat=True).first())
    started = [start for start in starts if start is not None]
    return max(started) + COOL_OFF if started else None


def _pause_if_over_a_limit(
    *, user: User, ip: str | None, user_agent: str, now: dt.datetime
) -> dt.datetime | None:
    """Start the account's or the address's pause if its refusals reached the limit."""
    recent_failures = SecurityEvent.objects.filter(kind=FAILED, at__gt=now - FAILURE_WINDOW)
    if recent_failures.filter(user=user).count() >= ACCOUNT_FAILURE_LIMIT:
        record_security_event(kind=LOCKED, user=user, ip=ip, user_agent=user_agent)
        _send_pause_notice(user=user)
        return now + COOL_OFF
    if ip and recent_failures.filter(ip=ip).count() >= ADDRESS_FAILURE_LIMIT:
        record_security_event(kind=LOCKED, user=None, ip=ip, user_agent=user_agent)
        return now + COOL_OFF
    return None


def _send_pause_notice(*, user: User) -> None:
    """Tell the owner their code step is paused; nothing the guesser typed or sent is quoted."""
    from allauth.account.adapter import get_adapter

    get_adapter().send_notification_mail(
        "accounts/email/second_factor_paused",
        user,
        {"cool_off_minutes": int(COOL_OFF.total_seconds() // 60)},
    )
