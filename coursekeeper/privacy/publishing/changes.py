"""What changed between two policy contents, and whether it needs four weeks' notice (R21).

A change is material when it adds a kind of data (overall or to a purpose), a purpose, a
recipient or a transfer, or keeps data longer; `describe_change` says a change in words, in the
active language.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from coursekeeper.privacy import policy


@dataclass(frozen=True)
class Change:
    """One difference between two contents; `material` when it needs four weeks' notice."""

    kind: str
    material: bool
    subject: str = ""  # the code it is about: a purpose, category, recipient id, cookie name
    detail: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _rule_length(rule: dict[str, Any]) -> int | None:
    """Return a rule's length in days, for comparing two rules of the same kind and event."""
    if rule.get("kind") == "after":
        return (rule.get("years") or 0) * 365 + (rule.get("days") or 0)
    if rule.get("kind") in ("hold", "after_relationship") and rule.get("years") is not None:
        return rule["years"] * 365
    return None


def _same_measure(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Return whether two rules count from the same thing, so their numbers compare."""
    if old.get("kind") != new.get("kind"):
        return False
    if old["kind"] == "after":
        # A fixed period counts from the event itself, as a rule pack's "event" period does.
        return (
            old.get("event") == new.get("event")
            and old.get("explanation") == new.get("explanation")
            and old.get("counted_from", "event") == new.get("counted_from", "event")
        )
    if old["kind"] == "hold":
        return old.get("rule") == new.get("rule") and old.get("counted_from") == new.get(
            "counted_from"
        )
    if old["kind"] == "after_relationship":
        return old.get("rule") == new.get("rule") and old.get("dated") == new.get("dated")
    return old == new


def compare_rules(old: dict[str, Any], new: dict[str, Any]) -> str:
    """Return "same", "shorter", "longer" or "different" (another kind, event or rule)."""
    if old == new:
        return "same"
    if not _same_measure(old, new):
        return "different"
    old_length, new_length = _rule_length(old), _rule_length(new)
    if old_length is None or new_length is None:
        return "same" if old_length == new_length else "different"
    if new_length > old_length:
        return "longer"
    if new_length < old_length:
        return "shorter"
    return "same"


def _covered(rule: dict[str, Any], by: list[dict[str, Any]]) -> bool:
    """Return whether an older rule already allowed keeping data at least as long as `rule`."""
    return any(compare_rules(old, rule) in ("same", "shorter") for old in by)


def _diff_purposes(old: dict, new: dict) -> list[Change]:
    changes: list[Change] = []
    old_purposes = {p["code"]: p for p in old.get("purposes", [])}
    new_purposes = {p["code"]: p for p in new.get("purposes", [])}
    for code in new_purposes.keys() - old_purposes.keys():
        changes.append(Change("purpose_added", True, code))
    for code in old_purposes.keys() - new_purposes.keys():
        changes.append(Change("purpose_removed", False, code))
    for code in sorted(new_purposes.keys() & old_purposes.keys()):
        before, after = old_purposes[code], new_purposes[code]
        if before["basis"] != after["basis"]:
            changes.append(
                Change("basis_changed", True, code, {"old": before["basis"], "new": after["basis"]})
            )
        if before.get("objectable") != after.get("objectable"):
            changes.append(
                Change(
                    "objection_changed",
                    not after.get("objectable"),
                    code,
                    {"objectable": bool(after.get("objectable"))},
                )
            )
        if bool(before.get("ends_with_service")) != bool(after.get("ends_with_service")):
            # Deleting sooner needs no notice; no longer deleting when the service ends keeps
            # data longer, which does (R21).
            ends = bool(after.get("ends_with_service"))
            changes.append(
                Change("service_end_added" if ends else "service_end_removed", not ends, code)
            )
        if before.get("paths", []) != after.get("paths", []):
            # Where the purpose is carried out, and what a restriction leaves of it: told, but
            # not one of the changes R21 makes wait (no new data, purpose or recipient).
            changes.append(Change("restriction_changed", False, code))
        for category in set(after["categories"]) - set(before["categories"]):
            changes.append(Change("purpose_category_added", True, code, {"category": category}))
        for category in set(before["categories"]) - set(after["categories"]):
            changes.append(Change("purpose_category_removed", False, code, {"category": category}))
        changes.extend(_diff_retention(code, before, after))
    return changes


def _diff_retention(code: str, before: dict, after: dict) -> list[Change]:
    changes: list[Change] = []
    old_items = {item["data"]: item for item in before.get("retention", [])}
    new_items = {item["data"]: item for item in after.get("retention", [])}
    for data in sorted(new_items.keys() & old_items.keys()):
        old_rule, new_rule = old_items[data]["rule"], new_items[data]["rule"]
        verdict = compare_rules(old_rule, new_rule)
        if verdict == "same":
            continue
        kind = {
            "longer": "retention_lengthened",
            "shorter": "retention_shortened",
            "different": "retention_changed",
        }[verdict]
        changes.append(
            Change(
                kind, verdict != "shorter", code, {"data": data, "old": old_rule, "new": new_rule}
            )
        )
    for data in sorted(new_items.keys() - old_items.keys()):
        item = new_items[data]
        # New data under a purpose: material when, for a kind of data it holds, no rule of the
        # old policy for that purpose and kind allowed keeping it as long.
        longer = [
            category
            for category in item["categories"]
            if category in before["categories"]
            and not _covered(
                item["rule"],
                [old["rule"] for old in old_items.values() if category in old["categories"]],
            )
        ]
        if longer:
            changes.append(
                Change("retention_lengthened", True, code, {"data": data, "new": item["rule"]})
            )
        else:
            changes.append(Change("data_added", False, code, {"data": data}))
    for data in sorted(old_items.keys() - new_items.keys()):
        changes.append(Change("data_removed", False, code, {"data": data}))
    return changes


def _diff_recipients(old: dict, new: dict) -> list[Change]:
    changes: list[Change] = []
    # The third parties a page loads after consent are recipients too (`cookies.third_parties`):
    # a new one, and the transfer it makes, is material like any other.
    old_rows = {
        str(r["id"]): r for r in [*old.get("recipients", []), *old.get("third_parties", [])]
    }
    new_rows = {
        str(r["id"]): r for r in [*new.get("recipients", []), *new.get("third_parties", [])]
    }
    for key in sorted(new_rows.keys() - old_rows.keys()):
        row = new_rows[key]
        changes.append(Change("recipient_added", True, key, {"name": row["name"]}))
        if row["outside_eea"]:
            changes.append(
                Change(
                    "transfer_added",
                    True,
                    key,
                    {"name": row["name"], "safeguard": row["safeguard"]},
                )
            )
    for key in sorted(old_rows.keys() - new_rows.keys()):
        changes.append(Change("recipient_removed", False, key, {"name": old_rows[key]["name"]}))
    for key in sorted(new_rows.keys() & old_rows.keys()):
        before, after = old_rows[key], new_rows[key]
        name = after["name"]
        if after["outside_eea"] and (
            not before["outside_eea"] or before["safeguard"] != after["safeguard"]
        ):
            changes.append(
                Change("transfer_added", True, key, {"name": name, "safeguard": after["safeguard"]})
            )
        elif before["outside_eea"] and not after["outside_eea"]:
            changes.append(Change("transfer_ended", False, key, {"name": name}))
        more_purposes = sorted(set(after["purposes"]) - set(before["purposes"]))
        more_categories = sorted(set(after["categories"]) - set(before["categories"]))
        if more_purposes or more_categories:
            changes.append(
                Change(
                    "recipient_receives_more",
                    True,
                    key,
                    {"name": name, "purposes": more_purposes, "categories": more_categories},
                )
            )
        fewer = set(before["purposes"]) - set(after["purposes"]) or set(before["categories"]) - set(
            after["categories"]
        )
        other = any(before[f] != after[f] for f in ("name", "role", "service", "location"))
        if fewer or other:
            changes.append(Change("recipient_changed", False, key, {"name": name}))
    return changes


def _diff_cookies(old: dict, new: dict) -> list[Change]:
    # Cookie changes are not material here: the registry version changes with them, so the
    # banner asks everyone again before anything new is stored (R23).
    def key(cookie):
        return f"{cookie['name']} ({cookie['provider'] or cookie['kind']})"

    old_rows = {key(c): c for c in old.get("cookies", [])}
    new_rows = {key(c): c for c in new.get("cookies", [])}
    changes = [Change("cookie_added", False, k) for k in sorted(new_rows.keys() - old_rows.keys())]
    changes += [
        Change("cookie_removed", False, k) for k in sorted(old_rows.keys() - new_rows.keys())
    ]
    changes += [
        Change("cookie_changed", False, k)
        for k in sorted(new_rows.keys() & old_rows.keys())
        if new_rows[k] != old_rows[k]
    ]
    return changes


def diff_content(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Return what changed from `old` to `new`, each change marked material or not (R21)."""
    changes: list[Change] = []
    old_categories = {c["code"] for c in old.get("categories", [])}
    new_categories = {c["code"] for c in new.get("categories", [])}
    for code in policy.ordered_categories(new_categories - old_categories):
        changes.append(Change("category_added", True, code))
    for code in policy.ordered_categories(old_categories - new_categories):
        changes.append(Change("category_removed", False, code))
    changes.extend(_diff_purposes(old, new))
    changes.extend(_diff_recipients(old, new))
    if old.get("controller") != new.get("controller"):
        before, after = old.get("controller", {}), new.get("controller", {})
        fields = sorted(
            name for name in after.keys() | before.keys() if before.get(name) != after.get(name)
        )
        changes.append(Change("controller_changed", False, "", {"fields": fields}))
    changes.extend(_diff_cookies(old, new))
    if old.get("rights") != new.get("rights"):
        changes.append(Change("rights_pages_changed", False))
    if old.get("format") != new.get("format") and not changes:
        changes.append(Change("format_changed", False))
    return changes


def _new_rule_text(detail: dict[str, Any]) -> str:
    if "new" not in detail:
        return ""
    item = {"data": detail.get("data", ""), "rule": detail["new"]}
    return policy.item_text(item, country=detail["new"].get("country", ""))


def describe_change(change: dict[str, Any]) -> str:
    """Return a change in words, in the active language."""
    kind, subject = change["kind"], change.get("subject", "")
    # Every text below is formatted, whatever the kind: a missing key reads as empty rather
    # than failing a change whose detail names no recipient.
    detail = defaultdict(str, change.get("detail", {}))
    purpose = policy.purpose_title(subject) if subject else ""
    texts = {
        "category_added": _("We process a new kind of data: %(category)s.")
        % {"category": policy.category_label(subject)},
        "category_removed": _("We no longer process this kind of data: %(category)s.")
        % {"category": policy.category_label(subject)},
        "purpose_added": _("A new purpose: %(purpose)s.") % {"purpose": purpose},
        "purpose_removed": _("A purpose ended: %(purpose)s.") % {"purpose": purpose},
        "basis_changed": _("%(purpose)s now rests on another legal basis: %(basis)s.")
        % {"purpose": purpose, "basis": policy.basis_label(detail.get("new", ""))},
        "objection_changed": _("%(purpose)s: whether you can object to it has changed.")
        % {"purpose": purpose},
        "service_end_added": _(
            "%(purpose)s: the data held only on your consent is deleted when the service ends."
        )
        % {"purpose": purpose},
        "service_end_removed": _(
            "%(purpose)s: the data held only on your consent is no longer deleted when the "
            "service ends."
        )
        % {"purpose": purpose},
        "restriction_changed": _(
            "%(purpose)s: where it is carried out, or what a restriction pauses, has changed."
        )
        % {"purpose": purpose},
        "purpose_category_added": _("%(purpose)s now uses %(category)s.")
        % {"purpose": purpose, "category": policy.category_label(detail.get("category", ""))},
        "purpose_category_removed": _("%(purpose)s no longer uses %(category)s.")
        % {"purpose": purpose, "category": policy.category_label(detail.get("category", ""))},
        "retention_lengthened": _("%(purpose)s: %(data)s are kept longer: %(new)s.")
        % {
            "purpose": purpose,
            "data": policy.data_label(detail.get("data", "")),
            "new": _new_rule_text(detail),
        },
        "retention_shortened": _("%(purpose)s: %(data)s are kept for a shorter time: %(new)s.")
        % {
            "purpose": purpose,
            "data": policy.data_label(detail.get("data", "")),
            "new": _new_rule_text(detail),
        },
        "retention_changed": _("%(purpose)s: %(data)s are kept by another rule: %(new)s.")
        % {
            "purpose": purpose,
            "data": policy.data_label(detail.get("data", "")),
            "new": _new_rule_text(detail),
        },
        "data_added": _("%(purpose)s: %(data)s are now listed too.")
        % {"purpose": purpose, "data": policy.data_label(detail.get("data", ""))},
        "data_removed": _("%(purpose)s: %(data)s are no longer kept.")
        % {"purpose": purpose, "data": policy.data_label(detail.get("data", ""))},
        "recipient_added": _("A new recipient of data: %(name)s.") % detail,
        "recipient_removed": _("%(name)s no longer receives data.") % detail,
        "recipient_receives_more": _("%(name)s receives more data than before.") % detail,
        "recipient_changed": _("The details of %(name)s changed.") % detail,
        "transfer_added": _(
            "Data goes outside the EU/EEA to %(name)s, protected by: %(safeguard)s."
        )
        % {
            "name": detail.get("name", ""),
            "safeguard": policy.safeguard_label(detail.get("safeguard", "")),
        },
        "transfer_ended": _("Data no longer goes outside the EU/EEA to %(name)s.") % detail,
        "controller_changed": _("Our contact details changed."),
        "cookie_added": _("A new cookie or storage key: %(name)s.") % {"name": subject},
        "cookie_removed": _("A cookie or storage key is no longer used: %(name)s.")
        % {"name": subject},
        "cookie_changed": _("The details of a cookie or storage key changed: %(name)s.")
        % {"name": subject},
        "rights_pages_changed": _("The pages where you use your rights changed."),
        "format_changed": _("The way the policy is put together changed."),
    }
    return texts.get(kind, kind)
