from __future__ import annotations

from django.http import HttpRequest

from coursekeeper.cookies.consent import cookies_allowed


class AllowedCategories:
    """`{% if COOKIES_ALLOWED.statistics %}`: asks `cookies_allowed` only when a template does."""

    def __init__(self, request: HttpRequest) -> None:
        self._request = request

    def __getitem__(self, category: str) -> bool:
        try:
            return cookies_allowed(self._request, category)
        except ValueError as error:
            raise KeyError(category) from error


def cookie_choices(request: HttpRequest) -> dict:
    """Let every template gate optional content on the device's cookie choice."""
    return {"COOKIES_ALLOWED": AllowedCategories(request)}
