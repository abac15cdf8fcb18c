"""The language cookie a visitor's choice is remembered in (signed-in people: their profile too)."""

from django.conf import settings
from django.http import HttpResponse


def remember_language_cookie(response: HttpResponse, language: str) -> HttpResponse:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        # The stubs type this setting as any str, and set_cookie's samesite as the few it allows.
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,  # type: ignore[arg-type]
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        secure=settings.LANGUAGE_COOKIE_SECURE,
    )
    return response
