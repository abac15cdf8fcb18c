"""The policy's content: a JSON-serialisable dict of codes and numbers, not sentences.

Built by `build_content` from the declarations, purposes, processing paths, recipients, cookie
registry, third parties and provider settings it is given; `current_content` passes the real
ones, as the platform stands now.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from coursekeeper.privacy import service_ends
from coursekeeper.privacy.declarations import Category, Declaration, registry
from coursekeeper.privacy.paths import ProcessingPath, all_paths
from coursekeeper.privacy.policy.retention import retention_rule
from coursekeeper.privacy.purposes import ALL_PURPOSES, Purpose

# Bump when the content's shape changes, so a diff between shapes can say so.
# 2: each purpose lists its processing paths and what a restriction leaves of them.
# 3: the third parties a page loads after consent (`third_parties`), shaped like recipients.
# 4: each purpose says whether its data goes when its service ends (R29).
CONTENT_FORMAT = 4

POLICY_LANGUAGES = ("da", "de", "en")

# Where a person uses their rights: the product's own pages (URL names, resolved when rendered).
RIGHTS_PAGES = {
    "account": "privacy:my_privacy",
    "request": "privacy:visitor_request",
    "cookies": "cookies:settings",
    "newsletter": "newsletter:signup",
    "cookie_policy": "privacy:cookie_policy",
    "report_minor": "privacy:report_minor",
}


def ordered_categories(codes: Iterable[str]) -> list[str]:
    """Return the category codes once each, in the order of `Category`; unknown ones last."""
    order = [c.value for c in Category]
    return sorted(set(codes), key=lambda code: order.index(code) if code in order else len(order))


def _controller(provider) -> dict[str, str]:
    return {name: str(getattr(provider, name) or "") for name in provider.PUBLISHED_FIELDS}


def _recipient(row) -> dict[str, Any]:
    return {
        "id": row.pk,
        "name": row.name,
        "role": row.role,
        "service": row.service,
        "purposes": sorted(row.purposes or []),
        "categories": ordered_categories(row.categories or []),
        "location": row.location,
        "outside_eea": bool(row.outside_eea),
        "safeguard": row.safeguard or "",
    }


def _cookie(row) -> dict[str, Any]:
    return {
        "name": row.name,
        "kind": row.kind,
        "provider": row.provider,
        "first_party": bool(row.first_party),
        "category": row.category,
        "duration_seconds": row.duration_seconds,
        "purpose": {
            language: getattr(row, f"purpose_{language}", "") for language in ("en", "da", "de")
        },
    }


def build_content(
    *,
    declarations: Iterable[Declaration],
    purposes: Iterable[Purpose],
    recipients: Iterable[Any],
    provider: Any,
    cookies: Iterable[Any] = (),
    paths: Iterable[ProcessingPath] = (),
    third_parties: Iterable[dict[str, Any]] = (),
) -> dict[str, Any]:
    """Return the policy's content from these sources (see the package docstring).

    `current_content()` passes the real ones; a test passes a changed list to see what a change
    of the declarations would do to the policy, without touching the registry.
    """
    country = provider.country or ""
    purposes = list(purposes)
    by_code: dict[str, dict[str, Any]] = {
        purpose.code: {
            "code": purpose.code,
            "basis": str(purpose.basis.value if hasattr(purpose.basis, "value") else purpose.basis),
            "objectable": bool(purpose.objectable),
            # A consent-based purpose whose service can end: then its consents end, and the
            # data held only on them is deleted (`privacy.service_ends`).
            "ends_with_service": service_ends.declared_end(purpose.code) is not None,
            "categories": [],
            "retention": [],
            "paths": [],
        }
        for purpose in purposes
    }
    for path in paths:
        entry = by_code.get(path.purpose.code)
        if entry is not None:
            exception = path.goes_on_under_restriction
            entry["paths"].append(
                {"name": path.name, "exception": exception.value if exception else ""}
            )
    category_purposes: dict[str, set[str]] = {}
    category_sources: dict[str, set[str]] = {}
    for declaration in declarations:
        categories = [c.value for c in declaration.categories()]
        if not categories:
            continue
        rule = retention_rule(declaration.retention, country=country)
        for purpose in declaration.purposes:
            entry = by_code.get(purpose.code)
            if entry is None:
                continue
            entry["categories"] = ordered_categories([*entry["categories"], *categories])
            entry["retention"].append(
                {"data": declaration.label, "categories": categories, "rule": rule}
            )
            for code in categories:
                category_purposes.setdefault(code, set()).add(purpose.code)
                category_sources.setdefault(code, set()).add(declaration.source)
    for entry in by_code.values():
        entry["retention"].sort(key=lambda item: item["data"])
    return {
        "format": CONTENT_FORMAT,
        "controller": _controller(provider),
        "categories": [
            {
                "code": code,
                "purposes": sorted(category_purposes[code]),
                "sources": sorted(category_sources[code]),
            }
            for code in ordered_categories(category_purposes)
        ],
        "purposes": list(by_code.values()),
        "recipients": sorted((_recipient(row) for row in recipients), key=lambda r: r["id"]),
        "third_parties": sorted((dict(party) for party in third_parties), key=lambda r: r["id"]),
        "cookies": sorted(
            (_cookie(row) for row in cookies), key=lambda c: (c["name"], c["kind"], c["provider"])
        ),
        "rights": dict(RIGHTS_PAGES),
    }


def current_content() -> dict[str, Any]:
    """Return the content of the policy as the platform stands now."""
    from coursekeeper.cookies import registry as cookie_registry
    from coursekeeper.cookies import third_parties
    from coursekeeper.privacy.models import ProviderSettings, Recipient

    return build_content(
        declarations=registry,
        purposes=ALL_PURPOSES.values(),
        recipients=Recipient.objects.filter(active=True).order_by("pk"),
        provider=ProviderSettings.load(),
        cookies=cookie_registry.entries(),
        paths=all_paths(),
        third_parties=[party.content() for party in third_parties.in_use()],
    )


def announced_purposes(content: dict[str, Any]) -> list[str]:
    """Return the codes of the purposes a content announces."""
    return [entry["code"] for entry in content.get("purposes", [])]
