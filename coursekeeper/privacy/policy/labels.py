"""The labels a content's codes are shown with, looked up in the active language.

Categories, purposes, legal bases, recipients' roles and safeguards, declared data, cookie
durations, third parties and countries; and what a restriction and an objection do to a
purpose, from its processing paths.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from coursekeeper.privacy import service_ends
from coursekeeper.privacy.declarations import Category, registry
from coursekeeper.privacy.gate import DespiteRestriction
from coursekeeper.privacy.paths import path_named
from coursekeeper.privacy.purposes import ALL_PURPOSES, LegalBasis, Purpose

SOURCES = {
    "person": gettext_lazy("what you give us"),
    "use": gettext_lazy("what your use of the platform produces"),
    "staff": gettext_lazy("what our staff record"),
    "system": gettext_lazy("what the platform records"),
    "others": gettext_lazy("what others tell us about you"),
}


def category_label(code: str) -> str:
    known = dict(Category.choices)
    return str(known[code]) if code in known else code


def path_title(name: str) -> str:
    path = path_named(name)
    return str(path.title) if path is not None else name


def exception_label(code: str) -> str:
    known = dict(DespiteRestriction.choices)
    return str(known[code]) if code in known else code


def _unique(texts: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(texts))


def rights_effects(entry: dict[str, Any], purpose: Purpose | None) -> dict[str, Any]:
    """Return what a restriction and an objection do to a purpose, from its paths.

    A restriction pauses the paths without an exception and leaves the others going on, each
    with why; an objection stops every path of an objectable purpose, and for a
    legitimate-interest purpose that is not objectable the policy gives its compelling grounds.
    """
    paths = entry.get("paths", [])
    goes_on: dict[str, list[str]] = {}
    for path in paths:
        if path["exception"]:
            goes_on.setdefault(path["exception"], []).append(path_title(path["name"]))
    return {
        "paused": _unique(path_title(p["name"]) for p in paths if not p["exception"]),
        "goes_on": [
            {"what": _unique(titles), "because": exception_label(code)}
            for code, titles in goes_on.items()
        ],
        "objection_stops": (
            _unique(path_title(p["name"]) for p in paths) if entry.get("objectable") else []
        ),
        "compelling_grounds": (
            str(purpose.compelling_grounds)
            if purpose is not None and purpose.compelling_grounds and not entry.get("objectable")
            else ""
        ),
    }


def purpose_title(code: str) -> str:
    purpose = ALL_PURPOSES.get(code)
    return str(purpose.title) if purpose is not None else code


def service_end_title(entry: dict[str, Any]) -> str:
    """Return what ends a purpose's service ("we discontinue the newsletter"), or ""."""
    declared = service_ends.declared_end(entry["code"]) if entry.get("ends_with_service") else None
    return str(declared.title) if declared is not None else ""


def basis_label(code: str) -> str:
    known = dict(LegalBasis.choices)
    return str(known[code]) if code in known else code


def role_label(code: str) -> str:
    from coursekeeper.privacy.models import Recipient

    known = dict(Recipient.Role.choices)
    return str(known[code]) if code in known else code


def safeguard_label(code: str) -> str:
    from coursekeeper.privacy.models import Recipient

    known = dict(Recipient.Safeguard.choices)
    return str(known[code]) if code in known else code


def data_label(label: str) -> str:
    """Return the plural name of a declared model ("contact messages"), or the label itself."""
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return label
    declaration = registry.get(model)
    return declaration.plural_name if declaration else str(model._meta.verbose_name_plural)


def duration_text(seconds: int | None) -> str:
    """Return how long a cookie lasts, in words."""
    if seconds is None:
        return _("until you close the browser")
    day = 24 * 60 * 60
    if seconds >= 365 * day and seconds % (365 * day) < day:
        years = round(seconds / (365 * day))
        return ngettext("%(count)d year", "%(count)d years", years) % {"count": years}
    if seconds >= day:
        days = round(seconds / day)
        return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
    if seconds >= 3600:
        hours = round(seconds / 3600)
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    minutes = max(1, round(seconds / 60))
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


def third_party_service(code: str) -> str:
    """Return what a third party loaded after consent does, in the active language."""
    from coursekeeper.cookies.third_parties import service_text

    return service_text(code)


def third_party_location(code: str) -> str:
    from coursekeeper.cookies.third_parties import location_text

    return location_text(code)


def country_label(code: str) -> str:
    from coursekeeper.accounts.choices import COUNTRY_CHOICES

    return str(dict(COUNTRY_CHOICES).get(code, code))
