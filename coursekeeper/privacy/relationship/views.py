"""The page behind a warning's link: one button keeps the account (R20)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from coursekeeper.privacy.errors import PrivacyError
from coursekeeper.privacy.relationship import services
from coursekeeper.privacy.relationship.selectors import warning_for_link


@require_http_methods(["GET", "POST"])
def keep_account(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the date and a button, POST keeps the account: a link scanner keeps nothing."""
    if request.method == "POST":
        try:
            services.keep_account(token=token)
        except PrivacyError as error:
            return render(
                request, "privacy/keep_account.html", {"error": error.message}, status=400
            )
        return render(request, "privacy/keep_account.html", {"kept": True})
    warning = warning_for_link(token)
    if warning is None:
        error = PrivacyError("keep_link_invalid").message
        return render(request, "privacy/keep_account.html", {"error": error}, status=400)
    if not warning.still_holds:  # signed in or kept since the warning
        return render(request, "privacy/keep_account.html", {"kept": True})
    return render(request, "privacy/keep_account.html", {"erase_on": warning.erase_on})
