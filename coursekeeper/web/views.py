"""Public pages and the language switch."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from coursekeeper.accounts import services as account_services
from coursekeeper.accounts.choices import LANGUAGE_CHOICES
from coursekeeper.web.language import remember_language_cookie


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html")


@require_POST
def switch_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language from any page; works as a plain form without JavaScript.

    A signed-in person's choice is remembered in their profile, so emails follow it too.
    """
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language not in dict(LANGUAGE_CHOICES):
        return response
    if request.user.is_authenticated:
        account_services.remember_language(user=request.user, language=language)
    translation.activate(language)
    return remember_language_cookie(response, language)
