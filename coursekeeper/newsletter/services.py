"""The newsletter (R17, R18): double opt-in, one-click unsubscribe, drafts, discontinuing.

Signing up. The public form writes a `PendingSignup` (the digest of a random token, never the
token) and queues the confirmation email in the same transaction. Every address gets the same
answer, whether it is subscribed, has an account or is new; at most three links go to one
address an hour. Confirming (a POST from the page the link opens, so a link scanner confirms
nothing) records the consent in the ledger -- wording version, language, "double opt-in" -- and
deletes the pending rows of that address in one transaction. An expired or used link changes
nothing.

Unsubscribing. Every newsletter email carries a link, and the `List-Unsubscribe` and
`List-Unsubscribe-Post` headers (RFC 8058), to `/newsletter/unsubscribe/<token>/`. The token
is signed (django.core.signing, with its own salt), so it cannot be forged or guessed, and names
the consent (subscribers) or the account (customers), never an address: it ends up in server
logs. A POST withdraws the consent, or records an objection to customer offers, in one step and
without signing in; a second POST finds nothing in force and changes nothing.

Discontinuing (R29). Staff can end the newsletter as a service (`discontinue_newsletter`): the
privacy app records the end and ends every subscriber's consent at once, the sign-up closes,
links awaiting confirmation stop working, and the next retention sweep deletes those sign-ups.
Starting it again opens the sign-up; the former subscribers must subscribe anew.

Sending a newsletter through the outbox is in `dispatch`.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from coursekeeper.accounts.models import User, normalize_email
from coursekeeper.messaging.services import queue_email
from coursekeeper.newsletter import selectors
from coursekeeper.newsletter.errors import NewsletterError
from coursekeeper.newsletter.models import (
    LANGUAGES,
    Newsletter,
    NewsletterDelivery,
    PendingSignup,
)
from coursekeeper.newsletter.privacy import (
    CUSTOMER_OFFERS,
    NEWSLETTER,
)
from coursekeeper.newsletter.selectors import Recipient
from coursekeeper.newsletter.wording import CURRENT_VERSION, WORDINGS
from coursekeeper.privacy import consents, service_ends
from coursekeeper.privacy.access.roles import SEND_NEWSLETTERS, can
from coursekeeper.privacy.access.services import record_staff_change
from coursekeeper.privacy.gate import about_person
from coursekeeper.privacy.models import (
    Consent,
    ConsentText,
    Objection,
    ProviderSettings,
    ServiceEnd,
)
from coursekeeper.privacy.people import Person
from coursekeeper.security.services import pseudonym, token_digest

logger = logging.getLogger(__name__)

SIGNUP_VALID_FOR = dt.timedelta(days=3)
# Confirmation emails the public form sends one address per hour, at most.
MAX_SIGNUPS_PER_HOUR = 3
CONSENT_METHOD = "double opt-in"
UNSUBSCRIBE_SALT = "coursekeeper.newsletter.unsubscribe"


def school_name() -> str:
    return ProviderSettings.load().legal_name or settings.SCHOOL_NAME


# --- The consent wording ------------------------------------------------------------------------


def publish_wording() -> None:
    """Publish every version of the sign-up wording in the ledger (idempotent)."""
    for version, texts in WORDINGS.items():
        consents.ensure_wording(purpose=NEWSLETTER.code, version=version, texts=texts)


def wording_text(language: str, version: str = CURRENT_VERSION) -> str:
    """Return the published words of the consent in `language` (English if not written in it)."""
    publish_wording()
    texts = ConsentText.objects.filter(purpose=NEWSLETTER.code, version=version)
    row = texts.filter(language=language).first() or texts.filter(language="en").first()
    return row.text if row is not None else ""


# --- Double opt-in ------------------------------------------------------------------------------


def _subscribed(person: Person) -> bool:
    return Consent.objects.filter(
        about_person(person), purpose=NEWSLETTER.code, withdrawn_at__isnull=True
    ).exists()


@transaction.atomic
def sign_up(*, email: str, language: str, country: str = "", base_url: str) -> None:
    """Send a confirmation link to `email`; the caller answers the same whatever happens here.

    Nothing is sent to an address that is already subscribed, or that got MAX_SIGNUPS_PER_HOUR
    links in the last hour (someone may be typing it in to flood it); the links sent still work.
    """
    if is_discontinued():
        raise NewsletterError("discontinued")
    publish_wording()
    address = normalize_email(email)
    if language not in LANGUAGES:
        raise ValueError("Unknown newsletter language.")
    now = timezone.now()
    if _subscribed(Person.for_email(address)):
        logger.info("newsletter sign-up: already subscribed, nothing sent")
        return
    recent = PendingSignup.objects.filter(
        email=address, created_at__gte=now - dt.timedelta(hours=1)
    ).count()
    if recent >= MAX_SIGNUPS_PER_HOUR:
        logger.info("newsletter sign-up: hourly limit reached, nothing sent")
        return
    token = secrets.token_urlsafe(32)
    pending = PendingSignup.objects.create(
        email=address,
        language=language,
        country=country,
        wording_version=CURRENT_VERSION,
        token_digest=token_digest(token),
        created_at=now,
        expires_at=now + SIGNUP_VALID_FOR,
    )
    context = {
        "link": base_url.rstrip("/") + reverse("newsletter:confirm", args=[token]),
        "school": school_name(),
        "days": SIGNUP_VALID_FOR.days,
    }
    with translation.override(language):
        subject = render_to_string("newsletter/email/confirm_subject.txt", context).strip()
        body = render_to_string("newsletter/email/confirm_message.txt", context)
    queue_email(
        to=address,
        subject=subject,
        body_text=body,
        language=language,
        template="newsletter/confirm",
        recipient=User.objects.filter(email=address).first(),
    )
    logger.info("newsletter sign-up pending id=%s", pending.pk)


def pending_signup(token: str) -> PendingSignup | None:
    """Return the sign-up a confirmation link belongs to, or None if it expired or was used."""
    pending = PendingSignup.objects.filter(token_digest=token_digest(token)).first()
    if pending is None or pending.expires_at <= timezone.now():
        return None
    return pending


@transaction.atomic
def confirm_signup(*, token: str) -> Consent:
    """Record the consent of a confirmed sign-up (double opt-in) and forget the sign-up."""
    pending = (
        PendingSignup.objects.select_for_update().filter(token_digest=token_digest(token)).first()
    )
    if pending is None or pending.expires_at <= timezone.now():
        raise NewsletterError("link_invalid")
    if is_discontinued():
        raise NewsletterError("discontinued")
    publish_wording()
    user = User.objects.filter(email=pending.email).first()
    consent = consents.give_consent(
        purpose=NEWSLETTER.code,
        wording_version=pending.wording_version,
        language=pending.language,
        method=CONSENT_METHOD,
        email=pending.email,
        user=user,
        country=pending.country or (user.country if user is not None else ""),
    )
    PendingSignup.objects.filter(email=pending.email).delete()
    logger.info("newsletter subscription confirmed consent=%s", consent.pk)
    return consent


# --- Unsubscribing ------------------------------------------------------------------------------


def unsubscribe_token(recipient: Recipient) -> str:
    """Return the signed token of a recipient's unsubscribe link (consent or account id)."""
    if recipient.basis == NewsletterDelivery.Basis.CONSENT:
        payload = {"c": recipient.consent_id}
    else:
        payload = {"u": recipient.user_id}
    return signing.dumps(payload, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_url(recipient: Recipient, *, base_url: str) -> str:
    path = reverse("newsletter:unsubscribe", args=[unsubscribe_token(recipient)])
    return base_url.rstrip("/") + path


@dataclass(frozen=True)
class UnsubscribeTarget:
    """What an unsubscribe link stops: the newsletter consent, or offers to a customer."""

    purpose: str
    person: Person | None  # None: the consent or account no longer exists

    @property
    def customer(self) -> bool:
        return self.purpose == CUSTOMER_OFFERS.code


def unsubscribe_target(token: str) -> UnsubscribeTarget:
    """Read an unsubscribe token; raise NewsletterError for one we did not sign."""
    try:
        payload = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature as error:
        raise NewsletterError("unsubscribe_link_invalid") from error
    if not isinstance(payload, dict) or len(payload) != 1:
        raise NewsletterError("unsubscribe_link_invalid")
    if isinstance(payload.get("c"), int):
        consent = Consent.objects.select_related("user").filter(pk=payload["c"]).first()
        person = None
        if consent is not None:
            person = (
                Person.for_user(consent.user)
                if consent.user_id
                else Person.for_email(consent.email)
            )
        return UnsubscribeTarget(purpose=NEWSLETTER.code, person=person)
    if isinstance(payload.get("u"), int):
        user = User.objects.filter(pk=payload["u"]).first()
        person = Person.for_user(user) if user is not None else None
        return UnsubscribeTarget(purpose=CUSTOMER_OFFERS.code, person=person)
    raise NewsletterError("unsubscribe_link_invalid")


def _objected(person: Person) -> bool:
    return (
        Objection.objects.filter(about_person(person))
        .filter(Q(purpose="") | Q(purpose=CUSTOMER_OFFERS.code))
        .exists()
    )


def still_receives(target: UnsubscribeTarget) -> bool:
    """Answer whether the link's person still gets what the link stops."""
    if target.person is None:
        return False
    if target.customer:
        return not _objected(target.person)
    return _subscribed(target.person)


@transaction.atomic
def unsubscribe(*, token: str) -> bool:
    """Stop what the link names, in one step; return False when nothing was in force."""
    target = unsubscribe_target(token)
    person = target.person
    if person is None or not still_receives(target):
        return False
    if target.customer:
        user = person.user
        Objection.objects.create(
            user=user,
            email=normalize_email(user.email) if user is not None else person.primary_email,
            purpose=CUSTOMER_OFFERS.code,
        )
        logger.info("customer offers objected to by link person=%s", pseudonym(person.user_id))
        return True
    changed = consents.withdraw_consent(person=person, purpose=NEWSLETTER.code)
    logger.info("newsletter unsubscribed by link")
    return changed


# --- Writing ------------------------------------------------------------------------------------


def check_staff(acting_user) -> None:
    if not can(acting_user, SEND_NEWSLETTERS):
        raise NewsletterError("not_allowed")


# --- Discontinuing ------------------------------------------------------------------------------


def is_discontinued() -> bool:
    """Answer whether staff discontinued the newsletter and have not started it again."""
    return selectors.discontinued() is not None


@transaction.atomic
def discontinue_newsletter(*, acting_user) -> ServiceEnd:
    """Discontinue the newsletter (R29); see the module docstring. A second call changes nothing.

    A newsletter being sent when it ends goes to nobody more: the gate refuses every former
    subscriber, as their consents have ended.
    """
    check_staff(acting_user)
    return service_ends.end_service(purpose=NEWSLETTER.code, acting_user=acting_user)


@transaction.atomic
def restart_newsletter(*, acting_user) -> bool:
    """Open the sign-up again after the newsletter was discontinued; return whether it was.

    The former subscribers get the newsletter again only once they subscribe anew.
    """
    check_staff(acting_user)
    return (
        service_ends.restart_service(purpose=NEWSLETTER.code, acting_user=acting_user) is not None
    )


TEXT_FIELDS = tuple(f"{part}_{code}" for code in LANGUAGES for part in ("subject", "body"))


@transaction.atomic
def save_newsletter(
    *, acting_user, texts: dict[str, str], newsletter_id: int | None = None
) -> Newsletter:
    """Create a draft, or change one; `texts` maps subject_<lang> and body_<lang> to text."""
    check_staff(acting_user)
    newsletter: Newsletter | None
    if newsletter_id is None:
        newsletter = Newsletter(created_by=acting_user)
    else:
        newsletter = Newsletter.objects.select_for_update().filter(pk=newsletter_id).first()
        if newsletter is None:
            raise NewsletterError("newsletter_not_found")
        if newsletter.status != Newsletter.Status.DRAFT:
            raise NewsletterError("not_a_draft")
    for name in TEXT_FIELDS:
        setattr(newsletter, name, (texts.get(name) or "").strip())
    if not newsletter.languages():
        raise NewsletterError("no_language")
    created = newsletter.pk is None
    newsletter.save()
    record_staff_change(
        acting_user=acting_user,
        obj=newsletter,
        action=ADDITION if created else CHANGE,
        message="newsletter_written" if created else "newsletter_changed",
    )
    logger.info("newsletter saved id=%s by=%s", newsletter.pk, pseudonym(acting_user.pk))
    return newsletter
