"""The privacy and cookie policies, generated from what the platform really does (R41, R42).

Design. The policy has two layers:

1. The *content* (`current_content()`): a JSON-serialisable dict of codes and numbers, not
   sentences — the controller's details, each purpose with its legal basis, the categories it
   uses and its retention rules (as comparable data), the recipients with their transfers, the
   cookie registry and the pages where a person uses their rights, and for each purpose its
   processing paths with the exception of Art. 18(2) each relies on, so the policy says what a
   restriction and an objection really do; and the third parties a page can load after consent
   (`cookies.third_parties`: configured marketing tags, embedded video players), each shaped
   like a recipient. It is built only from the declaration registry, `ALL_PURPOSES`, the
   processing paths, the `Recipient` rows, the cookie registry (with the configured tags'
   entries), the lessons' embeds and the `ProviderSettings`, so it cannot drift from what the
   code and the data say. Comparing two contents (`publishing.diff_content`) is what makes a
   change material or not; a purpose's description is not in the content, so rewording it
   changes nothing that matters.
2. The *texts* (`render_policy`, `render_cookie_policy`): HTML fragments rendered from a content
   in Danish, German or English by the templates under `privacy/policy/`. Labels (category,
   purpose titles, legal bases, retention wording) are looked up at render time in the active
   language; a published version stores its rendered texts, so it reads the same years later.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from coursekeeper.privacy import service_ends
from coursekeeper.privacy.declarations import (
    After,
    AfterRelationshipEnds,
    Category,
    Declaration,
    Event,
    Hold,
    HoldReason,
    Retention,
    WhileAccountExists,
    registry,
    rule_country,
)
from coursekeeper.privacy.gate import DespiteRestriction
from coursekeeper.privacy.paths import ProcessingPath, all_paths, path_named
from coursekeeper.privacy.purposes import ALL_PURPOSES, LegalBasis, Purpose
from coursekeeper.privacy.rules import hold_rule
from coursekeeper.privacy.texts import retention_text

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

SOURCES = {
    "person": gettext_lazy("what you give us"),
    "use": gettext_lazy("what your use of the platform produces"),
    "staff": gettext_lazy("what our staff record"),
    "system": gettext_lazy("what the platform records"),
    "others": gettext_lazy("what others tell us about you"),
}


# --- Content ------------------------------------------------------------------------------------


def explanation_key(explanation: Any) -> str:
    """Return the untranslated message id of a (lazily translated) explanation."""
    with translation.override(None):
        return str(explanation)


def retention_rule(retention: Retention, *, country: str) -> dict[str, Any]:
    """Return a retention rule as comparable data: its kind, event and numbers."""
    if isinstance(retention, After) and retention.rule:
        # A country's period: its numbers as the provider's rule pack has them now, so a change
        # of country (or of the pack) shows as a change of the policy.
        try:
            rule = hold_rule(country, retention.rule)
            years, counted_from, law = rule.years, rule.counted_from, rule.law
        except LookupError:
            years, counted_from, law = None, "", ""
        return {
            "kind": "after",
            "event": retention.event.value,
            "years": years,
            "days": 0,
            "explanation": None,
            "rule": retention.rule,
            "country": country,
            "counted_from": counted_from,
            "law": law,
        }
    if isinstance(retention, After):
        return {
            "kind": "after",
            "event": retention.event.value,
            "years": retention.years,
            "days": retention.days,
            "explanation": (
                explanation_key(retention.explanation)
                if retention.explanation is not None
                else None
            ),
        }
    if isinstance(retention, Hold):
        try:
            rule = hold_rule(country, retention.rule)
            years, counted_from, law = rule.years, rule.counted_from, rule.law
        except LookupError:
            years, counted_from, law = None, "", ""
        return {
            "kind": "hold",
            "rule": retention.rule,
            "reason": retention.reason.value,
            "country": country,
            "years": years,
            "counted_from": counted_from,
            "law": law,
        }
    if isinstance(retention, WhileAccountExists):
        return {"kind": "while_account"}
    if isinstance(retention, AfterRelationshipEnds):
        # The period of the pack the clock counts by (privacy.relationship), so a change of
        # country or of the pack shows as a change of the policy.
        pack = rule_country(country)
        rule = hold_rule(pack, retention.rule)
        return {
            "kind": "after_relationship",
            "rule": retention.rule,
            "country": pack,
            "years": rule.years,
            "law": rule.law,
            "dated": (
                retention_rule(retention.dated, country=country) if retention.dated else None
            ),
        }
    return {"kind": "other", "describe": retention.describe()}


def rule_object(rule: dict[str, Any]) -> Retention | None:
    """Rebuild the retention object a content rule came from, for `retention_text`."""
    kind = rule.get("kind")
    if kind == "after" and rule.get("rule"):
        return After(event=Event(rule["event"]), column="", rule=rule["rule"])
    if kind == "after":
        explanation = rule.get("explanation")
        return After(
            event=Event(rule["event"]),
            column="",
            years=rule.get("years") or 0,
            days=rule.get("days") or 0,
            explanation=gettext_lazy(explanation) if explanation else None,
        )
    if kind == "hold":
        # Contents published before holds named their reason: the limitation rule was always
        # kept for legal claims, every other rule under a legal obligation.
        default = "legal_claims" if rule["rule"] == "limitation" else "legal_obligation"
        return Hold(
            rule=rule["rule"],
            release_column="",
            reason=HoldReason(rule.get("reason", default)),
        )
    if kind == "while_account":
        return WhileAccountExists()
    if kind == "after_relationship":
        dated = rule_object(rule["dated"]) if rule.get("dated") else None
        return AfterRelationshipEnds(
            rule=rule["rule"],
            dated=dated if isinstance(dated, After) else None,
            country=rule.get("country", ""),
        )
    return None


def rule_text(rule: dict[str, Any]) -> str:
    """Return how long, in words, in the active language ("2 years after your last contact")."""
    retention = rule_object(rule)
    if retention is None:
        return str(rule.get("describe", ""))
    return retention_text(retention)


def item_text(item: dict[str, Any], *, country: str) -> str:
    """Return how long a content's retention item keeps its data, in the active language.

    When the declaration it came from still has the same rule, its own retention object is
    used, so an explanation composed from several texts (a contact's keep-until) renders in
    full; otherwise the rule is rebuilt from the content.
    """
    try:
        declaration = registry.get(apps.get_model(item["data"]))
    except (LookupError, ValueError):
        declaration = None
    if (
        declaration is not None
        and retention_rule(declaration.retention, country=country) == (item["rule"])
    ):
        return retention_text(declaration.retention)
    return rule_text(item["rule"])


def _ordered_categories(codes: Iterable[str]) -> list[str]:
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
        "categories": _ordered_categories(row.categories or []),
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
    """Return the policy's content from these sources (see the module docstring).

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
            entry["categories"] = _ordered_categories([*entry["categories"], *categories])
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
            for code in _ordered_categories(category_purposes)
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


# --- Labels -------------------------------------------------------------------------------------


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


def _url(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


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


# --- Rendering ----------------------------------------------------------------------------------


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


def announced_purposes(content: dict[str, Any]) -> list[str]:
    """Return the codes of the purposes a content announces."""
    return [entry["code"] for entry in content.get("purposes", [])]
