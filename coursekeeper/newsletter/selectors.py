"""Reads of the newsletter app: who may receive a newsletter, and how far its sending got."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from coursekeeper.accounts.models import User, normalize_email
from coursekeeper.jobs.models import JobStatus
from coursekeeper.newsletter.models import Newsletter, NewsletterDelivery, NewsletterDispatch
from coursekeeper.newsletter.privacy import NEWSLETTER
from coursekeeper.newsletter.rules import CUSTOMER_OFFER_RULES
from coursekeeper.privacy.models import Consent, ServiceEnd
from coursekeeper.privacy.service_ends import current_end


@dataclass(frozen=True)
class Recipient:
    """Someone a newsletter may go to, and on which ground.

    The gate and, for customers, the country's rule are asked again when the email is queued;
    being listed here does not yet mean the person gets it.
    """

    email: str
    language: str
    basis: str  # NewsletterDelivery.Basis
    user_id: int | None = None
    consent_id: int | None = None
    country: str = ""


def customers_from_sales() -> QuerySet[User]:
    """Return the accounts whose address came from a sale (the existing-customer exception).

    That is an account with a paid order it kept, which is what markedsføringsloven § 10(2) and
    UWG § 7(3) mean by an address obtained in connection with a sale; a free enrolment or a free
    download is not one.
    """
    from coursekeeper.commerce.selectors import customer_account_ids

    return User.objects.filter(is_active=True, pk__in=customer_account_ids()).order_by("pk")


def subscribers() -> list[Recipient]:
    """Return everyone with a consent in force to the newsletter, one entry per address.

    The newsletter goes to the account's current address when the consent names an account,
    in the language the person subscribed in.
    """
    rows = (
        Consent.objects.filter(purpose=NEWSLETTER.code, withdrawn_at__isnull=True)
        .select_related("user")
        .order_by("pk")
    )
    found: dict[str, Recipient] = {}
    for consent in rows:
        address = normalize_email(consent.user.email if consent.user else consent.email)
        if not address or address in found:
            continue
        found[address] = Recipient(
            email=address,
            language=consent.language,
            basis=NewsletterDelivery.Basis.CONSENT,
            user_id=consent.user_id,
            consent_id=consent.pk,
            country=consent.country,
        )
    return list(found.values())


def customers_in_offer_countries() -> list[Recipient]:
    """Return the customers whose country has an existing-customer rule at all.

    Whether each may really get an offer (the rule's conditions, their objection) is decided
    when the email is queued; this is the list that decision is made on.
    """
    customers = customers_from_sales().filter(country__in=sorted(CUSTOMER_OFFER_RULES))
    return [
        Recipient(
            email=normalize_email(user.email),
            language=user.language,
            basis=NewsletterDelivery.Basis.CUSTOMER,
            user_id=user.pk,
            country=user.country,
        )
        for user in customers.only("pk", "email", "language", "country")
    ]


def recipients(*, include_customers: bool) -> list[Recipient]:
    """Return the people a newsletter may go to, sorted by address; a subscriber who is also a
    customer is listed once, as a subscriber."""
    found = {recipient.email: recipient for recipient in subscribers()}
    if include_customers:
        for recipient in customers_in_offer_countries():
            found.setdefault(recipient.email, recipient)
    return [found[address] for address in sorted(found)]


@dataclass(frozen=True)
class Audience:
    subscribers: int
    customers: int


def audience() -> Audience:
    """Return how many subscribers there are, and how many more customers could be added."""
    subscribed = subscribers()
    addresses = {recipient.email for recipient in subscribed}
    customers = [r for r in customers_in_offer_countries() if r.email not in addresses]
    return Audience(subscribers=len(subscribed), customers=len(customers))


def discontinued() -> ServiceEnd | None:
    """Return the newsletter's end while staff have not started it again, else None."""
    return current_end(NEWSLETTER.code)


def newsletters_for_staff() -> QuerySet[Newsletter]:
    return Newsletter.objects.select_related("dispatch").order_by("-created_at", "-pk")


def newsletter_by_id(pk: int) -> Newsletter | None:
    return (
        Newsletter.objects.select_related("dispatch", "created_by", "sent_by").filter(pk=pk).first()
    )


@dataclass(frozen=True)
class Progress:
    """How far the sending of one newsletter got: queued into the outbox, then delivered."""

    status: str
    total: int
    processed: int
    queued: int
    skipped: int
    delivered: int
    waiting: int
    failed: int

    @property
    def finished_queueing(self) -> bool:
        return self.status in {JobStatus.DONE, JobStatus.FAILED}

    @property
    def percent(self) -> int:
        if not self.total:
            return 100 if self.finished_queueing else 0
        return round(100 * self.processed / self.total)


def progress(newsletter: Newsletter) -> Progress | None:
    """Return the sending progress, or None while the newsletter is a draft."""
    dispatch = NewsletterDispatch.objects.filter(newsletter=newsletter).first()
    if dispatch is None:
        return None
    outcome = NewsletterDelivery.objects.filter(newsletter=newsletter).aggregate(
        delivered=Count("pk", filter=Q(outbox_message__status=JobStatus.DONE)),
        failed=Count("pk", filter=Q(outbox_message__status=JobStatus.FAILED)),
        waiting=Count(
            "pk", filter=Q(outbox_message__status__in=[JobStatus.QUEUED, JobStatus.RUNNING])
        ),
    )
    return Progress(
        status=dispatch.status,
        total=dispatch.total,
        processed=dispatch.processed,
        queued=dispatch.queued_count,
        skipped=dispatch.skipped_count,
        delivered=outcome["delivered"],
        waiting=outcome["waiting"],
        failed=outcome["failed"],
    )
