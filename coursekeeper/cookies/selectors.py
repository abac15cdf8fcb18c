"""Reads of the cookies app for pages: what the settings page shows a person."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from coursekeeper.cookies import registry
from coursekeeper.cookies.consent import current_choice, read_choice
from coursekeeper.cookies.models import CookieChoice


def cookie_settings(request: HttpRequest) -> dict[str, Any]:
    """Return the registry by category and this browser's choice as it stands: what is ticked,
    the logged choice it came from, and whether the registry changed since it was made (then
    the choice no longer counts and the person is asked again)."""
    choice = current_choice(request)
    earlier = read_choice(request)
    logged = (
        CookieChoice.objects.filter(choice_id=choice.choice_id).first()
        if choice is not None
        else None
    )
    return {
        "groups": registry.entries_by_category(),
        "ticked": choice.accepted if choice is not None else frozenset(),
        "choice": choice,
        "logged_choice": logged,
        "registry_changed": choice is None and earlier is not None,
    }
