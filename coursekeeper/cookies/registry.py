"""Reading the cookie registry: its entries, grouped for the pages, and its version.

The version is a hash of everything a person's choice depends on (names, kinds, categories,
providers, purposes, durations), so any edit that could change what they agreed to — a new
entry, a longer duration, a new purpose — makes every earlier choice out of date and the banner
asks again. Reordering the list does not.

The registry is the stored rows (the platform's own cookies and the video players', seeded by
a migration and kept in the administration) plus the entries of the marketing and statistics
tags the owner configured (`cookies.tags`), which are derived from the provider settings and
never stored: configuring a tag adds its cookies everywhere the registry is read, and changes
the version; removing it takes them away again.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from coursekeeper.cookies import tags
from coursekeeper.cookies.models import CookieCategory, RegistryEntry

VERSION_FIELDS = (
    "name",
    "kind",
    "category",
    "provider",
    "first_party",
    "purpose_en",
    "purpose_da",
    "purpose_de",
    "duration_seconds",
)


def registry_version() -> str:
    """Return the current registry version: 12 hex digits of a hash of its content (two queries:
    the stored rows and the configured tags)."""
    rows = [
        *RegistryEntry.objects.values_list(*VERSION_FIELDS),
        *(
            tuple(getattr(entry, name) for name in VERSION_FIELDS)
            for entry in tags.registry_entries()
        ),
    ]
    digest = hashlib.sha256(json.dumps(sorted(rows), ensure_ascii=False).encode()).hexdigest()
    return digest[:12]


def entries() -> list[RegistryEntry]:
    """Return every entry: the stored ones, then those of the configured tags."""
    return [*RegistryEntry.objects.all(), *tags.registry_entries()]


@dataclass(frozen=True)
class CategoryGroup:
    code: str
    label: str
    entries: list[RegistryEntry]

    @property
    def optional(self) -> bool:
        return self.code != CookieCategory.NECESSARY

    @property
    def third_parties(self) -> list[str]:
        """Return who else sets the category's cookies, each once, in the registry's order."""
        return list(dict.fromkeys(e.provider for e in self.entries if not e.first_party))


def entries_by_category() -> list[CategoryGroup]:
    """Return the registry grouped by category, in the categories' order, empty ones included."""
    rows = entries()
    return [
        CategoryGroup(code, str(label), [row for row in rows if row.category == code])
        for code, label in CookieCategory.choices
    ]


def category_of(name: str, kind: str, rows: list[RegistryEntry] | None = None) -> str | None:
    """Return the category of a stored key, or None when the registry does not list it.

    An exact name wins over a prefix (`yt-*`), so a specific entry is never shadowed.
    """
    candidates = [row for row in (rows if rows is not None else entries()) if row.kind == kind]
    for row in candidates:
        if row.name == name:
            return row.category
    for row in candidates:
        if row.matches(name):
            return row.category
    return None
