"""Publishing the privacy policy: versions, what changed, notices of a material change (R21).

Design. `publish_policy` compares the current content (`policy.current_content`) with the last
published version and stores a new `PolicyVersion` — the content, the texts rendered in every
language, the list of changes — in one transaction. A change is *material* when it adds a kind
of data (overall or to a purpose), a purpose, a recipient or a transfer, or keeps data longer
(`diff_content`); then the version takes effect no sooner than four weeks after publishing, and
every account holder is told by email. Other changes take effect at once. Versions take effect
in the order they were published: a version's date is never before its predecessor's.

What is atomic. The version and one `PolicyNotice` row per account holder (unique per version
and account, written in batches) commit together, so a published material change cannot lose
its notices. The emails are written later by `dispatch_policy_notices` (a task enqueued on
commit, and the `privacy_policy_notices` command as the safety net): each batch of about 200
notices is one transaction that locks its rows (SKIP LOCKED on PostgreSQL), queues their outbox
emails and marks them queued.

What a rerun does. A notice marked queued is never picked again, so a rerun, a second worker or
the periodic command sends nothing twice; a killed worker rolls its batch back whole.

The gate (`privacy.gate.may_process`) reads `version_in_effect()`: once a version is in
effect, a purpose it does not announce is not carried out (R21). The platform's own pages
announce a coming version too (`privacy.policy_announcements`).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.admin.models import ADDITION
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from coursekeeper.privacy import policy
from coursekeeper.privacy.access.roles import PUBLISH_POLICY, can
from coursekeeper.privacy.access.services import record_staff_change
from coursekeeper.privacy.errors import PrivacyError
from coursekeeper.privacy.models import PolicyNotice, PolicyVersion, ProviderSettings, Recipient
from coursekeeper.security.services import pseudonym

logger = logging.getLogger(__name__)

NOTICE_PERIOD = dt.timedelta(days=28)
NOTICE_BATCH_SIZE = 200

MESSAGES = {
    "not_allowed": gettext_lazy("Your role does not allow this."),
    "settings_missing": gettext_lazy(
        "The policy cannot be published until the provider's details are complete. "
        "Missing: %(missing)s."
    ),
    "transfer_without_safeguard": gettext_lazy(
        "Data goes outside the EU/EEA without a safeguard to: %(names)s. "
        "Name the safeguard of each transfer first."
    ),
    "nothing_changed": gettext_lazy(
        "Nothing has changed since version %(number)s was published; there is nothing to publish."
    ),
    "too_soon": gettext_lazy(
        "This version has material changes, so it can take effect on %(earliest)s at the "
        "earliest: four weeks after it is announced."
    ),
    "before_previous": gettext_lazy(
        "A version cannot take effect before %(earliest)s: now, or when the version before it "
        "takes effect."
    ),
    "effective_date_invalid": gettext_lazy("Give the date the version takes effect."),
}


class PolicyError(PrivacyError):
    """A refusal to publish, with the details its message names; nothing was changed."""

    messages = MESSAGES


# --- What changed -------------------------------------------------------------------------------


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
    for code in policy._ordered_categories(new_categories - old_categories):
        changes.append(Change("category_added", True, code))
    for code in policy._ordered_categories(old_categories - new_categories):
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


# --- Versions -----------------------------------------------------------------------------------


def latest_version() -> PolicyVersion | None:
    return PolicyVersion.objects.order_by("-number").first()


def version_in_effect(now: dt.datetime | None = None) -> PolicyVersion | None:
    """Return the version in effect at `now` (the newest whose date has come), or None."""
    now = now or timezone.now()
    return PolicyVersion.objects.filter(effective_at__lte=now).order_by("-number").first()


def pending_version(now: dt.datetime | None = None) -> PolicyVersion | None:
    """Return the next published version that has not taken effect yet, or None."""
    now = now or timezone.now()
    return (
        PolicyVersion.objects.filter(effective_at__gt=now)
        .order_by("effective_at", "number")
        .first()
    )


def announced_purpose_codes(now: dt.datetime | None = None) -> set[str] | None:
    """Return the purposes the version in effect announces, or None when none is in effect."""
    now = now or timezone.now()
    content = (
        PolicyVersion.objects.filter(effective_at__lte=now)
        .order_by("-number")
        .values_list("purposes", flat=True)
        .first()
    )
    return None if content is None else set(content)


@dataclass
class Preview:
    """What publishing now would do: the content, the changes against the latest version."""

    content: dict[str, Any]
    previous: PolicyVersion | None
    changes: list[Change]
    earliest: dt.datetime
    problems: list[str]

    @property
    def material(self) -> bool:
        return any(change.material for change in self.changes)


def _problems(provider: ProviderSettings) -> list[PolicyError]:
    problems = []
    missing = provider.missing_for_publishing()
    if missing:
        problems.append(PolicyError("settings_missing", missing=", ".join(missing)))
    unsafe = list(
        Recipient.objects.filter(active=True, outside_eea=True, safeguard="").values_list(
            "name", flat=True
        )
    )
    if unsafe:
        problems.append(PolicyError("transfer_without_safeguard", names=", ".join(unsafe)))
    return problems


def preview_publication(now: dt.datetime | None = None) -> Preview:
    """Return what `publish_policy` would publish now, and what stands in its way."""
    now = now or timezone.now()
    content = policy.current_content()
    previous = latest_version()
    changes = diff_content(previous.content, content) if previous else []
    material = any(change.material for change in changes)
    earliest = now + NOTICE_PERIOD if material else now
    if previous is not None and previous.effective_at > earliest:
        earliest = previous.effective_at
    problems = [error.message for error in _problems(ProviderSettings.load())]
    return Preview(content, previous, changes, earliest, problems)


def render_texts(content: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """Return the policy and the cookie policy rendered in every language."""
    texts = {
        language: policy.render_policy(content, language) for language in policy.POLICY_LANGUAGES
    }
    cookie_texts = {
        language: policy.render_cookie_policy(content, language)
        for language in policy.POLICY_LANGUAGES
    }
    return texts, cookie_texts


@transaction.atomic
def publish_policy(*, acting_user, effective_at: dt.datetime | None = None) -> PolicyVersion:
    """Publish the current policy as a new version; see the module docstring.

    The first version has nothing to be compared with and takes effect at once (or at
    `effective_at`). Refused, with nothing changed, when the provider's details are incomplete,
    a transfer has no safeguard, nothing changed, or a material change would take effect
    in under four weeks.
    """
    if not can(acting_user, PUBLISH_POLICY):
        raise PolicyError("not_allowed")
    # The provider row is the lock that makes two publications one after the other.
    provider = ProviderSettings.objects.select_for_update().get_or_create(pk=1)[0]
    problems = _problems(provider)
    if problems:
        raise problems[0]
    now = timezone.now()
    content = policy.current_content()
    previous = latest_version()
    changes = diff_content(previous.content, content) if previous else []
    if previous is not None and not changes:
        raise PolicyError("nothing_changed", number=previous.number)
    material = any(change.material for change in changes)
    earliest = now + NOTICE_PERIOD if material else now
    if previous is not None and previous.effective_at > earliest:
        earliest = previous.effective_at
    if effective_at is None:
        effective_at = earliest
    # A minute's leeway, so a date picked on the preview page is not refused for its seconds.
    if effective_at < earliest - dt.timedelta(minutes=1):
        shown = formats.date_format(timezone.localtime(earliest), "DATETIME_FORMAT")
        raise PolicyError("too_soon" if material else "before_previous", earliest=shown)
    texts, cookie_texts = render_texts(content)
    number = (PolicyVersion.objects.aggregate(highest=Max("number"))["highest"] or 0) + 1
    version = PolicyVersion.objects.create(
        number=number,
        content=content,
        purposes=policy.announced_purposes(content),
        texts=texts,
        cookie_texts=cookie_texts,
        published_at=now,
        effective_at=effective_at,
        material=material,
        changes=[change.as_dict() for change in changes],
        published_by=acting_user,
    )
    record_staff_change(
        acting_user=acting_user, obj=version, action=ADDITION, message=[{"added": {}}]
    )
    if material:
        count = create_notices(version=version)
        transaction.on_commit(lambda: send_policy_notices.enqueue())
    else:
        count = 0
    logger.info(
        "privacy policy version %s published material=%s notices=%s by=%s",
        version.number,
        material,
        count,
        pseudonym(acting_user.pk),
    )
    return version


def create_notices(*, version: PolicyVersion, batch_size: int = 1000) -> int:
    """Write one notice per active account for `version`, in batches; return how many."""
    from coursekeeper.accounts.models import User

    created = 0
    batch: list[PolicyNotice] = []
    users = User.objects.filter(is_active=True).order_by("pk").values_list("pk", "language")
    for user_id, language in users.iterator(chunk_size=batch_size):
        batch.append(PolicyNotice(version=version, user_id=user_id, language=language))
        if len(batch) >= batch_size:
            PolicyNotice.objects.bulk_create(batch, ignore_conflicts=True)
            created += len(batch)
            batch = []
    if batch:
        PolicyNotice.objects.bulk_create(batch, ignore_conflicts=True)
        created += len(batch)
    return created


# --- Notices ------------------------------------------------------------------------------------


def _site_url() -> str:
    return getattr(settings, "SITE_URL", "").rstrip("/")


def diff_url(version: PolicyVersion) -> str:
    """Return the address of the comparison of `version` with the one before it."""
    previous = PolicyVersion.objects.filter(number__lt=version.number).order_by("-number").first()
    if previous is None:
        return _site_url() + reverse("privacy:policy")
    return _site_url() + reverse("privacy:policy_diff", args=[previous.number, version.number])


def render_notice(version: PolicyVersion, *, language: str) -> tuple[str, str]:
    """Return the subject and text of the email announcing `version`, in `language`."""
    provider = ProviderSettings.load()
    with translation.override(language):
        changes = sorted(version.changes, key=lambda change: not change["material"])
        context = {
            "school": provider.legal_name or getattr(settings, "SCHOOL_NAME", ""),
            "version": version,
            "effective": formats.date_format(
                timezone.localtime(version.effective_at), "DATE_FORMAT"
            ),
            "material": [describe_change(c) for c in changes if c["material"]],
            "other": [describe_change(c) for c in changes if not c["material"]],
            "diff_url": diff_url(version),
            "policy_url": _site_url() + reverse("privacy:policy"),
        }
        subject = render_to_string("privacy/policy/email/notice_subject.txt", context).strip()
        body = render_to_string("privacy/policy/email/notice.txt", context).strip() + "\n"
    return " ".join(subject.split()), body


def _queue_notice(notice: PolicyNotice, user) -> None:
    from coursekeeper.messaging.services import queue_email

    language = user.language if user.language in policy.POLICY_LANGUAGES else "en"
    subject, body = render_notice(notice.version, language=language)
    notice.outbox_message = queue_email(
        to=user.email,
        subject=subject,
        body_text=body,
        language=language,
        template="privacy/policy_notice",
        recipient=user,
    )
    notice.language = language


def dispatch_policy_notices(*, batch_size: int = NOTICE_BATCH_SIZE) -> int:
    """Queue the emails of every notice not yet queued, a batch per transaction; return how many.

    Safe to run from several workers and again after a crash (see the module docstring).
    An account closed since the version was published gets no email; its notice is marked
    done without one.
    """
    queued = 0
    while True:
        with transaction.atomic():
            batch = list(
                PolicyNotice.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(queued_at__isnull=True)
                .select_related("version", "user")
                .order_by("pk")[:batch_size]
            )
            if not batch:
                break
            now = timezone.now()
            for notice in batch:
                if notice.user.is_active and notice.user.email:
                    _queue_notice(notice, notice.user)
                    queued += 1
                notice.queued_at = now
            PolicyNotice.objects.bulk_update(batch, ["queued_at", "outbox_message", "language"])
    if queued:
        logger.info("privacy policy notices queued=%s", queued)
    return queued


@task()
def send_policy_notices() -> None:
    """Queue the emails of the policy-change notices that are waiting; safe to run again.

    Defined here rather than in tasks.py to keep the policy in its own modules; it carries
    no arguments and only calls the service.
    """
    dispatch_policy_notices()


def ensure_policy_published(*, acting_user) -> PolicyVersion:
    """Return the latest version, publishing the first one if there is none (the demo seed).

    Idempotent: once a version exists nothing is published, so a second seed run changes
    nothing. The provider's details must be complete first (see `publish_policy`).
    """
    existing = latest_version()
    if existing is not None:
        return existing
    return publish_policy(acting_user=acting_user)
