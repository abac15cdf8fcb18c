"""Published versions of the policy: which is in effect, what publishing now would do, publishing.

`publish_policy` stores a new `PolicyVersion` with its texts and changes, and for a material
change one notice per account holder, in one transaction; versions take effect in the order
they were published.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.contrib.admin.models import ADDITION
from django.db import transaction
from django.db.models import Max
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy

from coursekeeper.privacy import policy
from coursekeeper.privacy.access.roles import PUBLISH_POLICY, can
from coursekeeper.privacy.access.services import record_staff_change
from coursekeeper.privacy.errors import PrivacyError
from coursekeeper.privacy.models import PolicyNotice, PolicyVersion, ProviderSettings, Recipient
from coursekeeper.privacy.publishing.changes import Change, diff_content
from coursekeeper.privacy.publishing.notices import send_policy_notices
from coursekeeper.security.services import pseudonym

logger = logging.getLogger(__name__)

NOTICE_PERIOD = dt.timedelta(days=28)

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
    """Publish the current policy as a new version; see the package docstring.

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


def ensure_policy_published(*, acting_user) -> PolicyVersion:
    """Return the latest version, publishing the first one if there is none (the demo seed).

    Idempotent: once a version exists nothing is published, so a second seed run changes
    nothing. The provider's details must be complete first (see `publish_policy`).
    """
    existing = latest_version()
    if existing is not None:
        return existing
    return publish_policy(acting_user=acting_user)
