"""django-axes glue: which account an attempt targets, and what a locked-out person sees (R2)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

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


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict | None = None,
) -> HttpResponse:
    """Answer a locked-out attempt with a translated page and 429, never naming the account."""
    from django.conf import settings

    from coursekeeper.security.models import SecurityEvent
    from coursekeeper.security.services import record_security_event

    username = username_from_request(request, credentials)
    user = User.objects.filter(email=username).first() if username else None
    record_security_event(
        kind=SecurityEvent.Kind.LOCKED_OUT,
        user=user,
        ip=request.axes_ip_address if hasattr(request, "axes_ip_address") else None,
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
    )
    return render(
        request,
        "accounts/locked_out.html",
        {"cool_off_hours": settings.AXES_COOLOFF_TIME},
        status=429,
    )
