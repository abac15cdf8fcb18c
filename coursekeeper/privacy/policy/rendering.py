"""The policy's texts: the privacy and cookie policies rendered from a content as HTML.

Each is rendered in Danish, German or English by the templates under `privacy/policy/`, with
every label looked up at render time in that language.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.text import capfirst

from coursekeeper.privacy.policy.content import RIGHTS_PAGES
from coursekeeper.privacy.policy.labels import (
    SOURCES,
    basis_label,
    category_label,
    country_label,
    data_label,
    duration_text,
    purpose_title,
    rights_effects,
    role_label,
    safeguard_label,
    service_end_title,
    third_party_location,
    third_party_service,
)
from coursekeeper.privacy.policy.retention import item_text
from coursekeeper.privacy.purposes import ALL_PURPOSES, LegalBasis


def _url(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


def policy_context(content: dict[str, Any]) -> dict[str, Any]:
    """Return what the policy template shows, with every label in the active language."""
    recipients = content.get("recipients", [])
    country = content.get("controller", {}).get("country", "")
    purposes = []
    for entry in content.get("purposes", []):
        purpose = ALL_PURPOSES.get(entry["code"])
        grouped: dict[str, dict[str, Any]] = {}
        for item in entry.get("retention", []):
            text = capfirst(item_text(item, country=country))
            line = grouped.setdefault(text, {"text": text, "data": [], "categories": []})
            name = capfirst(data_label(item["data"]))
            if name not in line["data"]:
                line["data"].append(name)
            for code in item["categories"]:
                label = category_label(code)
                if label not in line["categories"]:
                    line["categories"].append(label)
        purposes.append(
            {
                "code": entry["code"],
                "title": purpose_title(entry["code"]),
                "description": str(purpose.description) if purpose is not None else "",
                "basis": entry["basis"],
                "basis_label": basis_label(entry["basis"]),
                "balancing_note": (
                    str(purpose.balancing_note)
                    if purpose is not None and purpose.balancing_note
                    else ""
                ),
                "objectable": entry.get("objectable", False),
                "service_end": service_end_title(entry),
                "categories": [category_label(code) for code in entry["categories"]],
                "retention": list(grouped.values()),
                "recipients": [r["name"] for r in recipients if entry["code"] in r["purposes"]],
                **rights_effects(entry, purpose),
            }
        )
    categories = [
        {
            "code": item["code"],
            "label": category_label(item["code"]),
            "purposes": [purpose_title(code) for code in item["purposes"]],
            "sources": [str(SOURCES.get(code, code)) for code in item["sources"]],
        }
        for item in content.get("categories", [])
    ]
    recipient_rows = [
        {
            "name": r["name"],
            "role": role_label(r["role"]),
            "service": r["service"],
            "purposes": [purpose_title(code) for code in r["purposes"]],
            "categories": [category_label(code) for code in r["categories"]],
            "location": r["location"],
            "outside_eea": r["outside_eea"],
            "safeguard": safeguard_label(r["safeguard"]) if r["outside_eea"] else "",
        }
        for r in recipients
    ]
    third_party_rows = [
        {
            "name": r["name"],
            "role": role_label(r["role"]),
            "service": third_party_service(r["service"]),
            "purposes": [],
            "categories": [category_label(code) for code in r["categories"]],
            "location": third_party_location(r["location"]),
            "outside_eea": r["outside_eea"],
            "safeguard": safeguard_label(r["safeguard"]) if r["outside_eea"] else "",
        }
        for r in content.get("third_parties", [])
    ]
    controller: dict[str, Any] = dict(content.get("controller", {}))
    controller["country_name"] = country_label(controller.get("country", ""))
    cookie_counts = []
    from coursekeeper.cookies.models import CookieCategory

    for code, title in CookieCategory.choices:
        count = sum(1 for c in content.get("cookies", []) if c["category"] == code)
        cookie_counts.append({"code": code, "label": str(title), "count": count})
    links = {key: _url(name) for key, name in content.get("rights", RIGHTS_PAGES).items()}
    return {
        "controller": controller,
        "categories": categories,
        "purposes": purposes,
        "recipients": [*recipient_rows, *third_party_rows],
        "third_parties": third_party_rows,
        "transfers": [r for r in [*recipient_rows, *third_party_rows] if r["outside_eea"]],
        "cookie_counts": cookie_counts,
        "links": links,
        "has_consent_purposes": any(p["basis"] == LegalBasis.CONSENT for p in purposes),
        "has_objectable_purposes": any(p["objectable"] for p in purposes),
    }


def render_policy(content: dict[str, Any], language: str) -> str:
    """Return the privacy policy rendered from `content` in `language`, as an HTML fragment."""
    with translation.override(language):
        return render_to_string("privacy/policy/policy_text.html", policy_context(content))


def cookie_context(content: dict[str, Any], language: str) -> dict[str, Any]:
    from coursekeeper.cookies.models import CookieCategory, StorageKind

    kinds = dict(StorageKind.choices)
    groups = []
    for code, label in CookieCategory.choices:
        rows = [
            {
                "name": c["name"],
                "kind": str(kinds.get(c["kind"], c["kind"])),
                "provider": c["provider"],
                "first_party": c["first_party"],
                "purpose": (c["purpose"].get(language) or c["purpose"].get("en") or ""),
                "duration": duration_text(c["duration_seconds"]),
            }
            for c in content.get("cookies", [])
            if c["category"] == code
        ]
        groups.append({"code": code, "label": str(label), "entries": rows})
    return {
        "groups": groups,
        "links": {key: _url(name) for key, name in content.get("rights", RIGHTS_PAGES).items()},
        "controller": content.get("controller", {}),
    }


def render_cookie_policy(content: dict[str, Any], language: str) -> str:
    """Return the cookie policy rendered from the content's cookie registry, as HTML."""
    with translation.override(language):
        return render_to_string(
            "privacy/policy/cookie_text.html", cookie_context(content, language)
        )
