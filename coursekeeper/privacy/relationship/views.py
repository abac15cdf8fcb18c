"""The page behind a warning's link: one button keeps the account (R20)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from coursekeeper.privacy.errors import PrivacyError
from coursekeeper.privacy.relationship import services
from coursekeeper.privacy.relationship.selectors import warning_for_link
from coursekeeper.web.refusals import refusals_as_pages

PAGE = "privacy/keep_account.html"


@require_http_methods(["GET", "POST"])
@refusals_as_pages(template=PAGE)
def keep_account(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the date and a button, POST keeps the account: a link scanner keeps nothing."""
    if request.method == "POST":
        services.keep_account(token=token)
        return render(request, PAGE, {"kept": True})
    warning = warning_for_link(token)
    if warning is None:
        raise PrivacyError("keep_link_invalid")
    if not getattr(warning, "still_holds", True):  # signed in or kept since the warning
        return render(request, PAGE, {"kept": True})
    return render(request, PAGE, {"erase_on": warning.erase_on})
