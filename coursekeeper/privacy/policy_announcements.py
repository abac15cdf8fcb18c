"""A policy version not in effect yet, announced on the platform's own pages (R21).

The email (`publishing.dispatch_policy_notices`) tells every account holder of a material
change once; the platform tells them too, on every page they open while signed in, until the
version takes effect: when, a link to the new version and one to what changes, in their
language. A person may hide the notice of a version, without JavaScript (a small form), and it
stays hidden for that version on every device; a later version is announced afresh. The policy
page itself announces every pending version to everyone, signed in or not.

Where it is kept. Hiding writes `dismissed_at` on the person's `PolicyNotice` row of that
version, the row their email notice is recorded on. Someone who opened their account after the
version was published has no such row; hiding writes one, marked queued without an email, as
the dispatch marks a closed account's -- so hiding never sends an email, and never stops one
that is still to go.

Cost. One query for a signed-in page, none for a visitor's: the pending versions (an index
range on `effective_at`, usually empty), each with the number of the version before it, less
those the person hid, without loading any version's texts.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from coursekeeper.privacy.models import PolicyNotice, PolicyVersion
from coursekeeper.security.services import pseudonym

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PendingChange:
    """A published version of the policy that takes effect later, as a notice shows it."""

    number: int
    effective_at: dt.datetime
    previous_number: int | None

    @property
    def version_url(self) -> str:
        return reverse("privacy:policy_version", args=[self.number])

    @property
    def diff_url(self) -> str:
        """The comparison with the version before it ("" for the first version)."""
        if self.previous_number is None:
            return ""
        return reverse("privacy:policy_diff", args=[self.previous_number, self.number])


def pending_changes(*, user=None, now: dt.datetime | None = None) -> list[PendingChange]:
    """Return the versions not in effect at `now`, soonest first.

    With `user`: only the material ones (those R21 makes wait four weeks), less those the
    person hid. Without: every pending version, as the policy page lists them.
    """
    now = now or timezone.now()
    versions = PolicyVersion.objects.filter(effective_at__gt=now)
    if user is not None:
        hidden = PolicyNotice.objects.filter(
            version=OuterRef("pk"), user_id=user.pk, dismissed_at__isnull=False
        )
        versions = versions.filter(material=True).exclude(Exists(hidden))
    before = PolicyVersion.objects.filter(number__lt=OuterRef("number")).order_by("-number")
    rows = (
        versions.annotate(previous_number=Subquery(before.values("number")[:1]))
        .order_by("effective_at", "number")
        .values("number", "effective_at", "previous_number")
    )
    return [PendingChange(**row) for row in rows]


@transaction.atomic
def hide_policy_notice(*, user, version_number: int) -> bool:
    """Hide the notice of a pending version from `user`'s pages; return whether it was shown.

    A version that is not pending (in effect already, or unknown) changes nothing; hiding
    twice keeps the first moment.
    """
    now = timezone.now()
    version = PolicyVersion.objects.filter(number=version_number, effective_at__gt=now).first()
    if version is None:
        return False
    notice, _created = PolicyNotice.objects.get_or_create(
        version=version,
        user=user,
        # No email for a row written now: see the module docstring.
        defaults={"language": user.language, "queued_at": now},
    )
    hidden = PolicyNotice.objects.filter(pk=notice.pk, dismissed_at__isnull=True).update(
        dismissed_at=now
    )
    if hidden:
        logger.info("policy notice hidden version=%s person=%s", version.number, pseudonym(user.pk))
    return bool(hidden)
