"""The third-party origins one response loads after consent, by Content-Security-Policy directive.

The site's policy (`settings.CONTENT_SECURITY_POLICY`) allows nothing from another origin. A
template tag that emits a consented video player or marketing tag names the origins it needs
here, on the request; `CookieChoiceMiddleware` then widens that one response's policy by
exactly those origins (`web.headers.widened_directives`). A page that loads nothing from a
third party, and every page before consent, keeps the strict policy.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.http import HttpRequest


def allow_sources(request: HttpRequest, sources: Mapping[str, Iterable[str]]) -> None:
    """Let this response's Content-Security-Policy load `sources` ({directive: origins})."""
    allowed = getattr(request, "_third_party_sources", None)
    if allowed is None:
        # Kept on the request for the middleware; the stubs know no such field.
        allowed = request._third_party_sources = {}  # type: ignore[attr-defined]
    for directive, origins in sources.items():
        allowed.setdefault(directive, set()).update(origins)


def page_sources(request: HttpRequest) -> dict[str, frozenset[str]]:
    """Return the origins this response may load from, by directive (`allow_sources`)."""
    allowed = getattr(request, "_third_party_sources", None) or {}
    return {directive: frozenset(origins) for directive, origins in allowed.items() if origins}
