"""The newsletter (R17, R18): double opt-in, one-click unsubscribe, and sending through the outbox.

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

Sending. `start_sending` turns a draft into `sending` and creates its `NewsletterDispatch` row
(a LeasedJob) in one transaction; the dispatch task runs on commit and carries only the row id.
`run_dispatch` claims the row and lists the recipients (subscribers, plus customers if staff
included them), then queues their emails in batches. What is atomic: each batch is one
transaction holding its outbox messages, a `NewsletterDelivery` row per address (unique per
newsletter and address) and the dispatch's counts; the batch first re-reads the dispatch row
under a lock and stops if another worker has claimed it since. What a rerun does: a worker that
dies leaves the row `running`; when its lease runs out the scheduler (or `newsletter_dispatch`)
runs it again, and the rerun skips every address that already has a delivery row, so no one is
queued twice. The outbox then delivers each email at most once per claim, retries what a server
refused for now, and records what it refused for good; a refused recipient does not stop the
others. Each recipient is asked at queueing time through the privacy gate, so a withdrawal,
restriction, objection or erasure that happened after the sending started still stops their
email.

Discontinuing (R29). Staff can end the newsletter as a service (`discontinue_newsletter`): the
privacy app records the end and ends every subscriber's consent at once, the sign-up closes,
links awaiting confirmation stop working, and the next retention sweep deletes those sign-ups.
Starting it again opens the sign-up; the former subscribers must subscribe anew.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass
from itertools import islice

from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE
from django.core import signing
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from coursekeeper.accounts.models import User, normalize_email
from coursekeeper.jobs.leases import claim_due_jobs, due, mark_done
from coursekeeper.jobs.models import JobStatus
from coursekeeper.messaging.services import queue_email
from coursekeeper.newsletter import selectors
from coursekeeper.newsletter.errors import NewsletterError
from coursekeeper.newsletter.models import (
    LANGUAGES,
    Newsletter,
    NewsletterDelivery,
    NewsletterDispatch,
    PendingSignup,
)
from coursekeeper.newsletter.privacy import (
    CUSTOMER_OFFER_EMAIL,
    CUSTOMER_OFFERS,
    NEWSLETTER,
    NEWSLETTER_EMAIL,
)
from coursekeeper.newsletter.rules import OfferFacts, may_offer_without_consent
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
# Emails queued per transaction by the dispatch.
BATCH_SIZE = 200


def _school_name() -> str:
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
        "school": _school_name(),
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


def _check_staff(acting_user) -> None:
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
    _check_staff(acting_user)
    return service_ends.end_service(purpose=NEWSLETTER.code, acting_user=acting_user)


@transaction.atomic
def restart_newsletter(*, acting_user) -> bool:
    """Open the sign-up again after the newsletter was discontinued; return whether it was.

    The former subscribers get the newsletter again only once they subscribe anew.
    """
    _check_staff(acting_user)
    return (
        service_ends.restart_service(purpose=NEWSLETTER.code, acting_user=acting_user) is not None
    )


TEXT_FIELDS = tuple(f"{part}_{code}" for code in LANGUAGES for part in ("subject", "body"))


@transaction.atomic
def save_newsletter(
    *, acting_user, texts: dict[str, str], newsletter_id: int | None = None
) -> Newsletter:
    """Create a draft, or change one; `texts` maps subject_<lang> and body_<lang> to text."""
    _check_staff(acting_user)
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


# --- Sending ------------------------------------------------------------------------------------


@transaction.atomic
def start_sending(
    *,
    acting_user,
    newsletter_id: int,
    include_customers: bool = False,
    own_similar_products: bool = False,
    objection_offered_at_collection: bool = False,
) -> NewsletterDispatch:
    """Start sending a draft: the dispatch row is written now, its task runs after commit.

    Existing customers are included only when staff also state the two facts the law needs and
    the platform cannot show (see rules.py); otherwise nothing changes.
    """
    _check_staff(acting_user)
    newsletter = Newsletter.objects.select_for_update().filter(pk=newsletter_id).first()
    if newsletter is None:
        raise NewsletterError("newsletter_not_found")
    if newsletter.status != Newsletter.Status.DRAFT:
        raise NewsletterError("not_a_draft")
    if not newsletter.languages():
        raise NewsletterError("no_language")
    if is_discontinued():
        raise NewsletterError("discontinued_not_sent")
    if include_customers and not (own_similar_products and objection_offered_at_collection):
        raise NewsletterError("customer_statements_needed")
    now = timezone.now()
    newsletter.status = Newsletter.Status.SENDING
    newsletter.sent_by = acting_user
    newsletter.sending_started_at = now
    newsletter.save(update_fields=["status", "sent_by", "sending_started_at", "updated_at"])
    dispatch = NewsletterDispatch.objects.create(
        newsletter=newsletter,
        include_customers=include_customers,
        own_similar_products_stated=include_customers and own_similar_products,
        objection_at_collection_stated=include_customers and objection_offered_at_collection,
    )
    record_staff_change(
        acting_user=acting_user,
        obj=newsletter,
        action=CHANGE,
        message=(
            "newsletter_sending_started_customers"
            if include_customers
            else "newsletter_sending_started"
        ),
    )
    from coursekeeper.newsletter.tasks import run_newsletter_dispatch

    transaction.on_commit(lambda: run_newsletter_dispatch.enqueue(dispatch.pk))
    logger.info(
        "newsletter sending started id=%s customers=%s by=%s",
        newsletter.pk,
        include_customers,
        pseudonym(acting_user.pk),
    )
    return dispatch


def newsletter_footer(*, language: str, customer: bool, unsubscribe_link: str) -> str:
    """Return the part under every newsletter email: why it came, and the one-click way out."""
    context = {"school": _school_name(), "customer": customer, "unsubscribe_url": unsubscribe_link}
    with translation.override(language):
        return render_to_string("newsletter/email/footer.txt", context).strip()


def render_newsletter_email(
    newsletter: Newsletter, *, language: str, customer: bool, unsubscribe_link: str
) -> tuple[str, str]:
    """Return the subject and text of the newsletter in `language`, with its unsubscribe part.

    "-- " (with the space) is the signature separator mail clients recognise.
    """
    footer = newsletter_footer(
        language=language, customer=customer, unsubscribe_link=unsubscribe_link
    )
    body = f"{newsletter.body(language).strip()}\n\n-- \n{footer}\n"
    return newsletter.subject(language).strip(), body


def _may_receive(recipient: Recipient, dispatch: NewsletterDispatch) -> bool:
    """Ask the gate (and, for a customer, the country's rule) whether to queue this email."""
    if recipient.user_id is not None:
        user = User.objects.filter(pk=recipient.user_id).first()
        if user is None:  # the account went since the list was made
            return False
        person = Person.for_user(user)
    else:
        person = Person.for_email(recipient.email)
    if recipient.basis == NewsletterDelivery.Basis.CONSENT:
        return bool(NEWSLETTER_EMAIL.ask(person))
    decision = CUSTOMER_OFFER_EMAIL.ask(person)
    facts = OfferFacts(
        address_from_sale=recipient.user_id is not None
        and selectors.customers_from_sales().filter(pk=recipient.user_id).exists(),
        own_similar_products=dispatch.own_similar_products_stated,
        no_objection=decision.reason != "objected",
        objection_offered_at_collection=dispatch.objection_at_collection_stated,
        # The footer of every customer email states the right to object, with its link.
        objection_offered_in_every_email=True,
    )
    return decision.allowed and may_offer_without_consent(recipient.country, facts)


def _batches(items: list, size: int):
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _hold_claim(job: NewsletterDispatch) -> bool:
    """Lock the dispatch row and extend the lease, if this worker's claim is still the latest."""
    held = bool(
        NewsletterDispatch.objects.select_for_update()
        .filter(pk=job.pk, status=JobStatus.RUNNING, attempts=job.attempts)
        .values_list("pk", flat=True)
    )
    if held:
        NewsletterDispatch.objects.filter(pk=job.pk).update(
            claimed_until=timezone.now() + dt.timedelta(seconds=job.lease_seconds)
        )
    return held


def _queue_one(newsletter: Newsletter, recipient: Recipient, language: str) -> bool:
    """Queue the newsletter to one recipient and record the delivery; False: the outbox's
    own question to the gate was refused, so nothing was queued or recorded."""
    link = unsubscribe_url(recipient, base_url=settings.SITE_URL)
    customer = recipient.basis == NewsletterDelivery.Basis.CUSTOMER
    subject, body = render_newsletter_email(
        newsletter, language=language, customer=customer, unsubscribe_link=link
    )
    message = queue_email(
        to=recipient.email,
        subject=subject,
        body_text=body,
        language=language,
        template="newsletter/customer_offer" if customer else "newsletter/newsletter",
        recipient=User.objects.filter(pk=recipient.user_id).first() if recipient.user_id else None,
        headers={
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    if message is None:
        return False
    NewsletterDelivery.objects.create(
        newsletter=newsletter,
        email=recipient.email,
        user_id=recipient.user_id,
        basis=recipient.basis,
        language=language,
        outbox_message=message,
    )
    return True


def run_dispatch(*, dispatch_id: int, batch_size: int = BATCH_SIZE) -> bool:
    """Queue a newsletter's emails if its dispatch is due; return whether this call finished it.

    See the module docstring for what is atomic and what a rerun does.
    """
    claimed = claim_due_jobs(NewsletterDispatch, pk=dispatch_id)
    if not claimed:
        return False
    (job,) = claimed
    newsletter = Newsletter.objects.get(pk=job.newsletter_id)
    already = set(
        NewsletterDelivery.objects.filter(newsletter=newsletter).values_list("email", flat=True)
    )
    waiting = [
        recipient
        for recipient in selectors.recipients(include_customers=job.include_customers)
        if recipient.email not in already
    ]
    with transaction.atomic():
        if not _hold_claim(job):
            return False
        NewsletterDispatch.objects.filter(pk=job.pk).update(
            total=len(already) + len(waiting), queued_count=len(already), skipped_count=0
        )
    for batch in _batches(waiting, batch_size):
        with transaction.atomic():
            if not _hold_claim(job):
                logger.info("newsletter dispatch %s: claimed by another worker, stopping", job.pk)
                return False
            queued = skipped = 0
            for recipient in batch:
                language = newsletter.version_for(recipient.language)
                if (
                    language is None
                    or not _may_receive(recipient, job)
                    or not _queue_one(newsletter, recipient, language)
                ):
                    skipped += 1
                    continue
                queued += 1
            NewsletterDispatch.objects.filter(pk=job.pk).update(
                queued_count=F("queued_count") + queued, skipped_count=F("skipped_count") + skipped
            )
    with transaction.atomic():
        finished = mark_done(job)
        Newsletter.objects.filter(pk=newsletter.pk, status=Newsletter.Status.SENDING).update(
            status=Newsletter.Status.SENT, sent_at=timezone.now()
        )
    job.refresh_from_db()
    logger.info(
        "newsletter dispatch done id=%s queued=%s skipped=%s",
        job.pk,
        job.queued_count,
        job.skipped_count,
    )
    return finished


def run_due_dispatches() -> int:
    """Run every dispatch that is due (its task was lost, or its lease ran out); return how many
    this call finished. The safety net under the task, run by the scheduler."""
    now = timezone.now()
    due_ids = list(
        NewsletterDispatch.objects.filter(due(now), attempts__lt=F("max_attempts"))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return sum(run_dispatch(dispatch_id=pk) for pk in due_ids)
