"""Retention rules as the policy's content holds them, and back into words.

A declaration's retention becomes comparable data (its kind, event and numbers, a country's
period as the provider's rule pack has it now), so two contents can be compared; the data is
turned back into a retention object to say how long in the active language.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.utils import translation
from django.utils.translation import gettext_lazy

from coursekeeper.privacy.declarations import (
    After,
    AfterRelationshipEnds,
    Event,
    Hold,
    HoldReason,
    Retention,
    WhileAccountExists,
    registry,
    rule_country,
)
from coursekeeper.privacy.rules import hold_rule
from coursekeeper.privacy.texts import retention_text


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
        held = {
            "kind": "hold",
            "rule": retention.rule,
            "reason": retention.reason.value,
            "country": country,
            "years": years,
            "counted_from": counted_from,
            "law": law,
        }
        if retention.law_column:  # each record names its own law and period
            held["law_per_record"] = True
        return held
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
            law_column="law" if rule.get("law_per_record") else "",
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
