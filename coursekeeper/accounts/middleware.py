"""Per-request behaviour tied to the signed-in person."""

from __future__ import annotations

import hashlib
import time
import zoneinfo
from urllib.parse import quote

from allauth.account.adapter import get_adapter
from allauth.usersessions.internal import usersessionkit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from coursekeeper.accounts.selectors import has_two_factor
from coursekeeper.web.refusals import wants_json


class PersonPreferencesMiddleware:
    """Show the page in the signed-in person's language and time zone.

    A visitor gets the language LocaleMiddleware chose (their cookie or Accept-Language) and
    the school's time zone.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if user.language and user.language != translation.get_language():
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.activate(zoneinfo.ZoneInfo(settings.TIME_ZONE))
        else:
            timezone.deactivate()
        return self.get_response(request)


class StaffTwoFactorMiddleware:
    """Send a staff member without an authenticator app to set one up before anything else (R2).

    Only the pages needed to set it up, to sign out and to read the site in another language stay
    open; everything else, the administration included, waits.
    """

    ALWAYS_OPEN_PREFIXES = (
        "/accounts/2fa/",
        "/accounts/reauthenticate/",
        "/accounts/logout/",
        "/language/",
        "/static/",
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.requires_two_factor
            and not request.path.startswith(self.ALWAYS_OPEN_PREFIXES)
            and not has_two_factor(user)
        ):
            if wants_json(request):
                return JsonResponse(
                    {"error": _("Set up two-factor authentication first.")}, status=403
                )
            return redirect(f"{reverse('mfa_activate_totp')}?required=1")
        return self.get_response(request)


class SessionIdleTimeoutMiddleware:
    """Sign a person out after a stretch of inactivity (ASVS V7.3), and keep "Your sessions"
    (R3) up to date, without writing on every request.

    Idle limits: short for staff, who see other people's data; long for learners. The absolute
    limit is SESSION_COOKIE_AGE.

    Writes: the last-activity stamp in the session, and the sign-in library's row for the
    session ("last seen", address, browser), are written together at most once a minute, or at
    once when the request comes from another address or browser than the stamp recorded (so a
    session used from somewhere new shows up, and the library's "client changed" signal fires,
    without waiting). A signed-in person reading pages therefore causes no database write
    between stamps: the library's own middleware, which rewrites the row on every request, is
    replaced by this one.
    """

    SESSION_KEY = "coursekeeper_last_activity"
    CLIENT_KEY = "coursekeeper_client"
    STAMP_EVERY_SECONDS = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last = request.session.get(self.SESSION_KEY)
            limit = (
                settings.SESSION_IDLE_TIMEOUT_STAFF
                if user.requires_two_factor
                else settings.SESSION_IDLE_TIMEOUT_LEARNER
            )
            if last is not None and now - last > limit:
                logout(request)
                if wants_json(request):
                    return JsonResponse(
                        {"error": _("You were signed out after a period of inactivity.")},
                        status=401,
                    )
                messages.info(request, _("You were signed out after a period of inactivity."))
                return redirect(f"{reverse('account_login')}?next={quote(request.get_full_path())}")
            client = _client_of(request)
            if (
                last is None
                or now - last >= self.STAMP_EVERY_SECONDS
                or request.session.get(self.CLIENT_KEY) != client
            ):
                request.session[self.SESSION_KEY] = now
                request.session[self.CLIENT_KEY] = client
                usersessionkit.track_activity(request, user=user, session=request.session)
        return self.get_response(request)


def _client_of(request) -> str:
    """Return a short fingerprint of the address and browser a request comes from."""
    address = get_adapter().get_client_ip(request) or ""
    agent = request.META.get("HTTP_USER_AGENT", "")
    return hashlib.sha256(f"{address}\n{agent}".encode()).hexdigest()[:16]
