"""What a device has allowed: the choice cookie, read and checked against the registry version.

`cookies_allowed(request, category)` is the one question every optional cookie, storage key,
script and embed asks before it is set, read or loaded. Necessary ones are always allowed;
an optional category only when the device's choice cookie accepts it *for the current registry
version*: after the registry changes, an older choice allows nothing optional until the person
chooses again (and the banner asks them to).

The choice cookie is itself necessary: it holds the registry version, the accepted categories
and the id of the logged choice, signed so it cannot be forged. Reading it costs nothing; the
registry version (one small query) is computed only when a cookie is there to compare it to,
and both are remembered on the request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from django.http import HttpRequest

from coursekeeper.cookies.models import OPTIONAL_CATEGORIES, CookieCategory
from coursekeeper.cookies.seed import CHOICE_COOKIE_AGE, CHOICE_COOKIE_NAME

SIGNING_SALT = "coursekeeper.cookies.choice"
_UNSET = object()


@dataclass(frozen=True)
class DeviceChoice:
    """A choice as the device's cookie carries it."""

    version: str
    accepted: frozenset[str]
    choice_id: str

    def cookie_value(self) -> str:
        categories = "+".join(c for c in OPTIONAL_CATEGORIES if c in self.accepted) or "-"
        return f"{self.version}.{categories}.{self.choice_id}"

    @classmethod
    def parse(cls, value: str) -> DeviceChoice | None:
        parts = value.split(".")
        if len(parts) != 3 or not parts[0] or not parts[2]:
            return None
        accepted = frozenset() if parts[1] == "-" else frozenset(parts[1].split("+"))
        if not accepted <= set(OPTIONAL_CATEGORIES):
            return None
        return cls(version=parts[0], accepted=accepted, choice_id=parts[2])


def read_choice(request: HttpRequest | None) -> DeviceChoice | None:
    """Return the choice in the device's cookie, whatever registry version it was made for."""
    if request is None:
        return None
    cached = getattr(request, "_cookie_choice", _UNSET)
    if cached is not _UNSET:
        return cast("DeviceChoice | None", cached)
    raw = request.get_signed_cookie(
        CHOICE_COOKIE_NAME, default=None, salt=SIGNING_SALT, max_age=CHOICE_COOKIE_AGE
    )
    choice = DeviceChoice.parse(raw) if raw else None
    # A per-request cache kept on the request, as middleware does; the stubs know no such field.
    request._cookie_choice = choice  # type: ignore[attr-defined]
    return choice


def current_version(request: HttpRequest | None) -> str:
    """Return the registry version, computed once per request."""
    from coursekeeper.cookies.registry import registry_version

    if request is None:
        return registry_version()
    cached = getattr(request, "_cookie_registry_version", None)
    if cached is None:
        # Kept on the request like the choice above.
        cached = request._cookie_registry_version = registry_version()  # type: ignore[attr-defined]
    return cached


def current_choice(request: HttpRequest | None) -> DeviceChoice | None:
    """Return the device's choice if it was made for the current registry, else None."""
    choice = read_choice(request)
    if choice is None or choice.version != current_version(request):
        return None
    return choice


def needs_choice(request: HttpRequest | None) -> bool:
    """Return whether the banner must ask: no choice yet, or one made for an older registry."""
    return current_choice(request) is None


def cookies_allowed(request: HttpRequest | None, category: str) -> bool:
    """Return whether anything of `category` may be set, read or loaded for this request."""
    if category == CookieCategory.NECESSARY:
        return True
    if category not in OPTIONAL_CATEGORIES:
        raise ValueError(f"{category!r} is not a cookie category.")
    choice = current_choice(request)
    return choice is not None and category in choice.accepted


def accepted_categories(request: HttpRequest | None) -> frozenset[str]:
    """Return the optional categories this device allows now (none without a current choice)."""
    choice = current_choice(request)
    return choice.accepted if choice is not None else frozenset()
