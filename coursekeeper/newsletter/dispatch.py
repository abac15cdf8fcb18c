"""Sending a newsletter (R17, R18) through the outbox.

`start_sending` turns a draft into `sending` and creates its `NewsletterDispatch` row
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
"""

from __future__ import annotations

import datetime as dt
import logging
from itertools import islice

from django.conf import settings
from django.contrib.admin.models import CHANGE
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation

from coursekeeper.accounts.models import User
from coursekeeper.jobs.leases import claim_due_jobs, due, mark_done
from coursekeeper.jobs.models import JobStatus
from coursekeeper.messaging.services import queue_email
from coursekeeper.newsletter import selectors
from coursekeeper.newsletter.errors import NewsletterError
from coursekeeper.newsletter.models import Newsletter, NewsletterDelivery, NewsletterDispatch
from coursekeeper.newsletter.privacy import CUSTOMER_OFFER_EMAIL, NEWSLETTER_EMAIL
from coursekeeper.newsletter.rules import OfferFacts, may_offer_without_consent
from coursekeeper.newsletter.selectors import Recipient
from coursekeeper.newsletter.services import (
    check_staff,
    is_discontinued,
    school_name,
    unsubscribe_url,
)
from coursekeeper.privacy.access.services import record_staff_change
from coursekeeper.privacy.people import Person
from coursekeeper.security.services import pseudonym

logger = logging.getLogger(__name__)

# Emails queued per transaction by the dispatch.
BATCH_SIZE = 200


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
    check_staff(acting_user)
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
    context = {"school": school_name(), "customer": customer, "unsubscribe_url": unsubscribe_link}
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
