"""The customer-relationship clock (R20): warn, then erase, accounts whose relationship is over.

An account is kept for the rule pack's period after its customer relationship ends: the
account's declaration says so (`AfterRelationshipEnds`, rule "customer_relationship": 5 years
in Denmark and Germany), and this module reads the rule from there, so the policy cannot say
one period while the clock counts another. When the relationship ends is `selectors`'s one
expression. The daily `privacy_relationship_clock` selects with one query each, then handles
one person per transaction:

1. Warn. An account whose period runs out within settings.RELATIONSHIP_WARNING_DAYS, and whose
   holder was not yet warned of this end, is sent the date it will be erased -- the period's
   end, or the lead time from today when the clock finds it later than that (first run) -- and
   a link to keep it. The email and its `RelationshipWarning` are written in one transaction.
   When the privacy gate stops the email, neither is written, and without a warning nothing is
   erased: a person who restricted processing asked us to keep their data rather than erase it
   (GDPR Art. 18(1)(b), (c)).
2. Erase. An account whose warning still holds and whose date has come goes through the
   erasure every account goes through (`privacy.jobs.request_erasure`: disabled and signed out
   at once, then the erasure job, the walk and the ledger), which keeps what a law holds
   (invoices, under their own Hold). The processing path asks the gate again first.

Keeping the account. A sign-in moves the relationship's end, and so does the button behind the
email's link (`keep_account`, which records `kept_at`): the warning no longer holds, so the
account is neither erased nor warned again until a new period runs out.

Reruns. Each person's step reads the relationship's end and the warning again under a lock on
the account, so a rerun, or two runs at once, warn and erase nobody twice: the warning is found
holding, and an account being erased is inactive, no customer any more. A run killed halfway
leaves whole people warned or erased; the next run does the rest. The one window: a sign-in
racing the erasure's commit signs in to an account already disabled, which stays erased.

Logs name people by pseudonym and count.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation

from coursekeeper.privacy.declarations import AfterRelationshipEnds, registry
from coursekeeper.privacy.errors import PrivacyError
from coursekeeper.privacy.models import ProviderSettings
from coursekeeper.privacy.people import Person
from coursekeeper.privacy.policy import POLICY_LANGUAGES
from coursekeeper.privacy.relationship.models import RelationshipWarning
from coursekeeper.privacy.relationship.selectors import (
    customers,
    ended_before,
    relationship_ended_at,
)
from coursekeeper.privacy.rules import expiry_cutoff, release_date
from coursekeeper.security.services import pseudonym, token_digest

logger = logging.getLogger(__name__)

WARNING_TEMPLATE = "privacy/relationship_warning"


def account_retention() -> AfterRelationshipEnds:
    """Return the account's declared retention: the rule the clock counts by."""
    declaration = registry.get(get_user_model())
    retention = declaration.retention if declaration is not None else None
    if not isinstance(retention, AfterRelationshipEnds):
        raise ImproperlyConfigured("The account must be declared AfterRelationshipEnds (R20).")
    return retention


def warning_lead() -> dt.timedelta:
    return dt.timedelta(days=settings.RELATIONSHIP_WARNING_DAYS)


def period_ends(ended_at: dt.datetime) -> dt.datetime:
    """Return when the account of a relationship that ended at `ended_at` may be erased."""
    retention = account_retention()
    return release_date(country=retention.pack_country(), rule=retention.rule, event_at=ended_at)


def _ended_before(as_of: dt.datetime) -> dt.datetime:
    """Return the cutoff: a relationship that ended before it has run its period by `as_of`."""
    retention = account_retention()
    return expiry_cutoff(country=retention.pack_country(), rule=retention.rule, as_of=as_of)


def _holding_warning(**filters) -> Exists:
    """Return "a warning of the current end exists" for an account annotated with its end."""
    return Exists(
        RelationshipWarning.objects.filter(
            user=OuterRef("pk"),
            relationship_ended_at__gte=OuterRef("relationship_ended_at"),
            **filters,
        )
    )


@dataclass
class ClockOutcome:
    warned: int = 0
    erased: int = 0


def run_relationship_clock(*, now: dt.datetime | None = None) -> ClockOutcome:
    """Warn whoever is due a warning, then erase the accounts whose warned date has come."""
    now = now or timezone.now()
    return ClockOutcome(
        warned=warn_ended_relationships(now=now), erased=erase_ended_relationships(now=now)
    )


# --- Warn ---------------------------------------------------------------------------------------


def warn_ended_relationships(*, now: dt.datetime | None = None) -> int:
    """Email each account holder whose period runs out within the lead time; return how many.

    The accounts due are one query; the ids are read at once, so the writes that follow do
    not disturb it.
    """
    now = now or timezone.now()
    cutoff = _ended_before(now + warning_lead())
    due = ended_before(cutoff).filter(~_holding_warning()).order_by("pk")
    warned = sum(
        _warn(user_id, now=now, cutoff=cutoff) for user_id in list(due.values_list("pk", flat=True))
    )
    logger.info("relationship clock: warned=%s", warned)
    return warned


def _warn(user_id: int, *, now: dt.datetime, cutoff: dt.datetime) -> int:
    from coursekeeper.messaging.services import queue_email

    with transaction.atomic():
        # Lock first, then read: the statements after the lock see what a sign-in or a keep
        # committed meanwhile (one statement would judge by what it saw before it waited).
        user = customers().select_for_update().filter(pk=user_id).first()
        ended_at = relationship_ended_at(user_id)
        if user is None or ended_at is None or ended_at >= cutoff:
            return 0  # erased, or signed in, since the selection
        held = RelationshipWarning.objects.filter(user=user, relationship_ended_at__gte=ended_at)
        if held.exists():
            return 0
        erase_on = max(period_ends(ended_at), now + warning_lead())
        token = secrets.token_urlsafe(32)
        subject, body, language = render_warning(
            user, ended_at=ended_at, erase_on=erase_on, token=token
        )
        queued = queue_email(
            to=user.email,
            subject=subject,
            body_text=body,
            language=language,
            template=WARNING_TEMPLATE,
            recipient=user,
        )
        if queued is None:  # the gate said no: no warning, so no erasure
            return 0
        RelationshipWarning.objects.update_or_create(
            user=user,
            defaults={
                "relationship_ended_at": ended_at,
                "warned_at": now,
                "erase_on": erase_on,
                "token_digest": token_digest(token),
            },
        )
    logger.info("relationship clock: warned person=%s", pseudonym(user_id))
    return 1


def render_warning(
    user, *, ended_at: dt.datetime, erase_on: dt.datetime, token: str
) -> tuple[str, str, str]:
    """Return the subject, text and language of the warning, in the person's language."""
    language = user.language if user.language in POLICY_LANGUAGES else "en"
    zone = zoneinfo.ZoneInfo(user.time_zone or settings.TIME_ZONE)
    site = settings.SITE_URL.rstrip("/")
    with translation.override(language):
        context = {
            "name": user.full_name,
            "school": ProviderSettings.load().legal_name or settings.SCHOOL_NAME,
            "ended": formats.date_format(timezone.localtime(ended_at, zone), "DATE_FORMAT"),
            "erase_on": formats.date_format(timezone.localtime(erase_on, zone), "DATE_FORMAT"),
            "years": account_retention().years(),
            "keep_link": site + reverse("privacy:keep_account", args=[token]),
            "sign_in_link": site + reverse("account_login"),
        }
        subject = render_to_string("privacy/email/relationship_warning_subject.txt", context)
        body = render_to_string("privacy/email/relationship_warning_message.txt", context)
    return " ".join(subject.split()), body, language


# --- Erase --------------------------------------------------------------------------------------


def erase_ended_relationships(*, now: dt.datetime | None = None) -> int:
    """Request the erasure of each warned account whose date has come; return how many."""
    now = now or timezone.now()
    cutoff = _ended_before(now)
    due = ended_before(cutoff).filter(_holding_warning(erase_on__lte=now)).order_by("pk")
    erased = sum(
        _erase(user_id, now=now, cutoff=cutoff)
        for user_id in list(due.values_list("pk", flat=True))
    )
    logger.info("relationship clock: erasures requested=%s", erased)
    return erased


def _erase(user_id: int, *, now: dt.datetime, cutoff: dt.datetime) -> int:
    from coursekeeper.privacy.jobs import request_erasure
    from coursekeeper.privacy.privacy import ERASE_AFTER_RELATIONSHIP

    with transaction.atomic():
        user = customers().select_for_update().filter(pk=user_id).first()  # as in `_warn`
        ended_at = relationship_ended_at(user_id)
        if user is None or ended_at is None or ended_at >= cutoff:
            return 0
        warned = RelationshipWarning.objects.filter(
            user=user, relationship_ended_at__gte=ended_at, erase_on__lte=now
        )
        if not warned.exists():
            return 0
        if not ERASE_AFTER_RELATIONSHIP.ask(Person.for_user(user)):
            return 0
        request_erasure(user=user)
    logger.info("relationship clock: erasure requested person=%s", pseudonym(user_id))
    return 1


# --- Keep ---------------------------------------------------------------------------------------


@transaction.atomic
def keep_account(*, token: str) -> RelationshipWarning:
    """Keep the account behind a warning's link: its relationship goes on from now.

    Locks the account too, so a keep and the clock's erasure never both happen. Raises
    PrivacyError("keep_link_invalid") for an unknown link or an account being erased; then
    nothing changed.
    """
    warning = (
        RelationshipWarning.objects.select_for_update()
        .select_related("user")
        .filter(token_digest=token_digest(token or ""), user__is_active=True)
        .first()
    )
    if warning is None:
        raise PrivacyError("keep_link_invalid")
    warning.kept_at = timezone.now()
    warning.save(update_fields=["kept_at"])
    logger.info("relationship clock: account kept person=%s", pseudonym(warning.user_id))
    return warning
