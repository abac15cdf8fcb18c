"""The cookie settings page and the one form every cookie choice is posted to.

Plain forms with CSRF protection, so everything works without JavaScript. After a choice the
person goes back where they were (`next`, checked to be on this site).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from coursekeeper.cookies import selectors, services
from coursekeeper.cookies.consent import accepted_categories
from coursekeeper.cookies.errors import CookieChoiceError
from coursekeeper.cookies.models import OPTIONAL_CATEGORIES, CookieChoice


def safe_next(request: HttpRequest, value: str | None, default: str) -> str:
    """Return `value` if it is an address on this site, else `default`."""
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return default


def _settings_page(
    request: HttpRequest, *, next_url: str, error: str = "", status: int = 200
) -> HttpResponse:
    return render(
        request,
        "cookies/settings.html",
        {
            **selectors.cookie_settings(request),
            "next": next_url,
            "error": error,
            "on_cookie_settings": True,
        },
        status=status,
    )


@require_GET
def cookie_settings(request: HttpRequest) -> HttpResponse:
    """Show the registry by category and the choice form (the banner's "Choose")."""
    default = reverse("cookies:settings")
    return _settings_page(request, next_url=safe_next(request, request.GET.get("next"), default))


def _accepted_for(request: HttpRequest, action: str) -> tuple[frozenset[str], str]:
    """Return the categories a posted action accepts and how the choice was made."""
    if action == "accept_all":
        return frozenset(OPTIONAL_CATEGORIES), CookieChoice.Method.ACCEPT_ALL
    if action == "reject_all":
        return frozenset(), CookieChoice.Method.REJECT_ALL
    if action == "save":
        categories = frozenset(request.POST.getlist("categories"))
        if not categories <= set(OPTIONAL_CATEGORIES):
            raise CookieChoiceError("unknown_category")
        return categories, CookieChoice.Method.CHOOSE
    if action == "allow":
        category = request.POST.get("category", "")
        if category not in OPTIONAL_CATEGORIES:
            raise CookieChoiceError("unknown_category")
        return accepted_categories(request) | {category}, CookieChoice.Method.EMBED
    raise CookieChoiceError("no_choice")


@require_POST
def make_choice(request: HttpRequest) -> HttpResponse:
    """Record a choice from the banner, the settings page or a video placeholder.

    `choice` is `accept_all`, `reject_all`, `save` (with the ticked `categories`), `allow`
    (one `category`, from a video placeholder) or `choose` (only opens the settings page).
    Anything else is refused with 400 and a clear message, and nothing is stored.
    """
    action = request.POST.get("choice", "")
    settings_url = reverse("cookies:settings")
    next_url = safe_next(request, request.POST.get("next"), settings_url)
    if action == "choose":
        return HttpResponseRedirect(f"{settings_url}?{urlencode({'next': next_url})}")
    try:
        accepted, method = _accepted_for(request, action)
    except CookieChoiceError as refusal:
        # The settings form again, the message above it: the person chooses right there.
        return _settings_page(
            request, next_url=next_url, error=refusal.message, status=refusal.status
        )
    previously = accepted_categories(request)
    choice = services.record_choice(
        accepted=accepted, method=method, language=get_language() or "", user=request.user
    )
    messages.success(
        request,
        _(
            "Your cookie choices are saved. You can change them at any time under "
            "“Cookie settings” at the foot of every page."
        ),
    )
    return services.remember_choice(HttpResponseRedirect(next_url), choice, previously=previously)
