"""django-axes glue: what a failed sign-in counts against, and what a locked-out person sees (R2).

Design. A lockout must stop a guesser without handing a stranger the power to lock the owner
out, so failures count against two things, each with its own limit within the cool-off hour:

- the pair of account AND address (`AXES_LOCKOUT_PARAMETERS`, limit `AXES_FAILURE_LIMIT`):
  five wrong passwords for an account from one address stop that address trying that account;
  the owner signs in from anywhere else as usual;
- the address alone (`ADDRESS_FAILURE_LIMIT`, higher): one address guessing across many
  accounts is stopped too, by `AccountAndAddressHandler`.

A success clears only the pair's failures (axes resets by the lockout parameters), so a guesser
cannot wipe the address's count by signing in to an account of their own. The owner can also
lift every lockout of their account through an emailed link (`accounts.unlock`). Which address a
request came from is decided in one place, `security.client_address` (trusted proxies).
"""

from __future__ import annotations

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from coursekeeper.accounts.forms import UnlockRequestForm
from coursekeeper.accounts.models import User, normalize_email


def username_from_request(request: HttpRequest, credentials: dict | None = None) -> str:
    """Return the account an attempt targets, normalised so `Anna@` and `anna@` count together.

    allauth authenticates with `email=`; its login form posts the field `login`.
    """
    credentials = credentials or {}
    raw = credentials.get("email") or credentials.get("login") or credentials.get("username")
    if not raw and request is not None and request.method == "POST":
        raw = request.POST.get("login", "")
    return normalize_email(raw or "")


def address_failures(ip_address: str | None, *, request: HttpRequest | None = None) -> int:
    """Return the failed sign-ins from `ip_address`, over every account, within the cool-off."""
    if not ip_address:
        return 0
    recent = AccessAttempt.objects.filter(
        ip_address=ip_address, attempt_time__gte=get_cool_off_threshold(request)
    )
    return recent.aggregate(total=Sum("failures_since_start"))["total"] or 0


class AccountAndAddressHandler(AxesDatabaseHandler):
    """axes' database handler with a second, higher limit for an address on its own.

    axes compares one failure count with one limit. This handler reports the pair's count,
    raised to that limit when the address has reached its own, so every place axes decides
    (before the password is checked, after a failure) applies both rules.
    """

    def get_failures(self, request, credentials: dict | None = None) -> int:
        pair_failures = super().get_failures(request, credentials)
        if address_failures(request.axes_ip_address, request=request) >= (
            settings.ADDRESS_FAILURE_LIMIT
        ):
            return max(pair_failures, get_failure_limit(request, credentials))
        return pair_failures


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict | None = None,
) -> HttpResponse:
    """Answer a locked-out attempt with a translated page and 429, never naming the account.

    The page offers to email an unlock link to the account's owner (`accounts.unlock`).
    """
    from coursekeeper.security.models import SecurityEvent
    from coursekeeper.security.services import record_security_event

    username = username_from_request(request, credentials)
    user = User.objects.filter(email=username).first() if username else None
    record_security_event(
        kind=SecurityEvent.Kind.LOCKED_OUT,
        user=user,
        ip=getattr(request, "axes_ip_address", None),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
    )
    return render(
        request,
        "accounts/locked_out.html",
        {
            "cool_off_hours": settings.AXES_COOLOFF_TIME,
            "unlock_form": UnlockRequestForm(initial={"email": username}),
        },
        status=429,
    )
