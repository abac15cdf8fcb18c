"""Per-request behaviour tied to the signed-in person."""

from __future__ import annotations

import time
import zoneinfo
from urllib.parse import quote

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
    """Sign a person out after a stretch of inactivity (ASVS V7.3): short for staff, who see
    other people's data; long for learners. The absolute limit is SESSION_COOKIE_AGE.

    The last-activity stamp is written at most once a minute, so a busy session does not
    rewrite its row on every request.
    """

    SESSION_KEY = "coursekeeper_last_activity"

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
            if last is None or now - last >= 60:
                request.session[self.SESSION_KEY] = now
        return self.get_response(request)
