"""Count page views (R24): aggregated, with no cookie, no IP address and no account."""

from __future__ import annotations

import logging

from django.db import DatabaseError
from django.utils import translation

from coursekeeper.privacy.people import Person
from coursekeeper.stats import services

logger = logging.getLogger(__name__)

# Never counted: the administration, staff pages, files and the statistics endpoint itself.
SKIPPED_PREFIXES = ("/admin/", "/staff/", "/static/", "/media/", "/statistics/")


def person_of(request) -> Person | None:
    """Return the signed-in person behind a request, None for a visitor."""
    user = getattr(request, "user", None)
    return Person.for_user(user) if user is not None and user.is_authenticated else None


class PageViewCounterMiddleware:
    """Add one to the day's count for each page a visitor or learner was shown.

    Counted: a GET answered 200 with an HTML page by a named route. Not counted: anything
    else (redirects, errors, files, JSON), the administration and staff pages, and pages
    shown to anyone who works at the school (every role but the learner's), whose own
    clicks would only blur the picture. Reads nothing from the request but its route's name,
    the page's language and, for a signed-in person, who they are: only to ask the privacy
    gate, which leaves out the views of someone who objected or restricted processing.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if self._counts(request, response):
            try:
                services.count_page_view(
                    route=request.resolver_match.view_name,
                    language=translation.get_language() or "",
                    person=person_of(request),
                )
            except DatabaseError:
                logger.warning("page view not counted: database error", exc_info=True)
        return response

    @staticmethod
    def _counts(request, response) -> bool:
        if request.method != "GET" or response.status_code != 200:
            return False
        if request.path.startswith(SKIPPED_PREFIXES):
            return False
        match = getattr(request, "resolver_match", None)
        if match is None or not match.url_name or "admin" in match.namespaces:
            return False
        if not response.get("Content-Type", "").startswith("text/html"):
            return False
        user = getattr(request, "user", None)
        return not (user is not None and user.is_authenticated and user.requires_two_factor)
