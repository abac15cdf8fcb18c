"""How long a contact thread is kept (R19, R20), as one computed column: `Contact.keep_until`.

The rules, counted from the thread's last contact (an entry of either direction: our answer is
contact too):
- only contact-form messages, and our email replies from the inbox: 2 years (R19);
- staff logged a phone call or an email by hand: 5 years. R19 allows "up to 5 years"; we take
  the whole 5, because a logged call or email is how offers and complaints usually arrive, and
  a shorter period would lose them before a claim about them is out of time;
- the address belongs to a customer (`is_customer`): also at least 5 years after the customer
  relationship ends (R20), whichever is later.

The relationship's end is R20's one definition (`privacy.relationship.selectors`): the latest
of the account's last sign-in, purchase and paid access, the day the account itself is erased
from. While the person keeps using the platform the end keeps moving, and the daily
`contact_refresh_retention` job moves `keep_until` with it; each new entry in a thread
recomputes it at once.

The declaration reads only the column: `After(Event.EXPIRED, column="keep_until", days=0)`, so
the retention sweep deletes a thread with one indexed comparison, and the thread's entries and
view log go with it.

Reruns are harmless: a refresh computes the same value from the same rows. The one window: a
person who becomes a customer less than a day before their thread's `keep_until`, with the sweep
running before the day's refresh, loses the thread a refresh would have kept.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Exists, Max, Min, OuterRef, Q
from django.utils.functional import lazy
from django.utils.translation import gettext, ngettext

from coursekeeper.accounts.models import User, normalize_email
from coursekeeper.contact.models import Contact, ContactEntry
from coursekeeper.learning.models import Enrollment
from coursekeeper.privacy.declarations import add_years
from coursekeeper.privacy.relationship import selectors as relationship

logger = logging.getLogger(__name__)

FORM_YEARS = 2
LOGGED_CONTACT_YEARS = 5
AFTER_RELATIONSHIP_YEARS = 5
# Entries only staff create by hand: they make a thread a 5-year one.
HAND_LOGGED = (ContactEntry.Channel.PHONE, ContactEntry.Channel.EMAIL)
REFRESH_BATCH_SIZE = 500


def _retention_explanation() -> str:
    form = ngettext(
        "%(count)d year after your last contact with us",
        "%(count)d years after your last contact with us",
        FORM_YEARS,
    ) % {"count": FORM_YEARS}
    logged = ngettext(
        "%(count)d year if we also spoke by phone or email",
        "%(count)d years if we also spoke by phone or email",
        LOGGED_CONTACT_YEARS,
    ) % {"count": LOGGED_CONTACT_YEARS}
    customer = ngettext(
        "if you become our customer, until %(count)d year after the customer relationship ends",
        "if you become our customer, until %(count)d years after the customer relationship ends",
        AFTER_RELATIONSHIP_YEARS,
    ) % {"count": AFTER_RELATIONSHIP_YEARS}
    return gettext("until %(form)s (%(logged)s); %(customer)s") % {
        "form": form,
        "logged": logged,
        "customer": customer,
    }


# Rendered in the reader's language each time the policy or a notice is shown.
RETENTION_EXPLANATION = lazy(_retention_explanation, str)()


def account_for_email(email: str) -> User | None:
    """Return the account this address belongs to: its sign-in address or a verified one."""
    from allauth.account.models import EmailAddress

    email = normalize_email(email)
    user = User.objects.filter(email=email).first()
    if user is not None:
        return user
    address = EmailAddress.objects.filter(email=email, verified=True).select_related("user")
    found = address.first()
    return found.user if found is not None else None


def is_customer(email: str) -> bool:
    """Return whether the address belongs to a customer: an account with an enrolment.

    Until the commerce app exists, enrolling is what makes a customer; commerce will narrow
    this to people who bought something, here and nowhere else.
    """
    user = account_for_email(email)
    return user is not None and Enrollment.objects.filter(learner=user).exists()


def relationship_ended_at(user_id: int | None) -> dt.datetime | None:
    """Return when the customer relationship of the account ended (so far); None for an
    account that is not a customer's (`is_customer`)."""
    if user_id is None or not Enrollment.objects.filter(learner_id=user_id).exists():
        return None
    return relationship.relationship_ended_at(user_id)


def keep_until_for(
    *,
    last_contact_at: dt.datetime,
    years_after_last_contact: int,
    relationship_ended_at: dt.datetime | None,
) -> dt.datetime:
    """Return the day a thread may go, from its last contact and a customer relationship."""
    keep_until = add_years(last_contact_at, years_after_last_contact)
    if relationship_ended_at is not None:
        keep_until = max(keep_until, add_years(relationship_ended_at, AFTER_RELATIONSHIP_YEARS))
    return keep_until


def refresh_keep_until(contact: Contact) -> dt.datetime:
    """Recompute a thread's dates and `keep_until` from its entries and the account; save them.

    Call it inside the transaction that changed the thread. It also links the thread to the
    account its address belongs to, once there is one.
    """
    found = contact.entries.aggregate(
        first=Min("at"),
        last=Max("at"),
        hand_logged=Count("pk", filter=Q(channel__in=HAND_LOGGED)),
    )
    if found["last"] is not None:
        contact.first_contact_at = found["first"]
        contact.last_contact_at = found["last"]
    contact.years_after_last_contact = LOGGED_CONTACT_YEARS if found["hand_logged"] else FORM_YEARS
    if contact.user_id is None:
        contact.user = account_for_email(contact.email)
    contact.keep_until = keep_until_for(
        last_contact_at=contact.last_contact_at,
        years_after_last_contact=contact.years_after_last_contact,
        relationship_ended_at=relationship_ended_at(contact.user_id),
    )
    contact.save(
        update_fields=[
            "first_contact_at",
            "last_contact_at",
            "years_after_last_contact",
            "user",
            "keep_until",
        ]
    )
    return contact.keep_until


@dataclass
class RefreshOutcome:
    linked: int = 0
    changed: int = 0


def link_threads_to_accounts() -> int:
    """Link every thread without an account to the account its address now belongs to."""
    from allauth.account.models import EmailAddress

    unlinked = Contact.objects.filter(user__isnull=True).values("email")
    pairs = dict(
        EmailAddress.objects.filter(verified=True, email__in=unlinked).values_list(
            "email", "user_id"
        )
    )
    # An account's sign-in address wins over another account's verified one.
    pairs.update(User.objects.filter(email__in=unlinked).values_list("email", "pk"))
    linked = 0
    for email, user_id in sorted(pairs.items()):
        linked += Contact.objects.filter(email=email, user__isnull=True).update(user_id=user_id)
    return linked


def refresh_all(*, batch_size: int = REFRESH_BATCH_SIZE) -> RefreshOutcome:
    """Link threads to accounts and move each linked thread's `keep_until` with its customer
    relationship; one transaction per batch, so a killed run keeps what it finished."""
    outcome = RefreshOutcome(linked=link_threads_to_accounts())
    customer = Exists(Enrollment.objects.filter(learner_id=OuterRef("user_id")))
    after = 0
    while True:
        with transaction.atomic():
            batch = list(
                Contact.objects.select_for_update(of=("self",))
                .filter(user__isnull=False, pk__gt=after)
                .order_by("pk")
                .annotate(customer=customer, relationship_end=relationship.relationship_end("user"))
                .only("pk", "last_contact_at", "years_after_last_contact", "keep_until")[
                    :batch_size
                ]
            )
            if not batch:
                break
            changed = []
            for contact in batch:
                keep_until = keep_until_for(
                    last_contact_at=contact.last_contact_at,
                    years_after_last_contact=contact.years_after_last_contact,
                    relationship_ended_at=contact.relationship_end if contact.customer else None,
                )
                if keep_until != contact.keep_until:
                    contact.keep_until = keep_until
                    changed.append(contact)
            Contact.objects.bulk_update(changed, ["keep_until"])
            outcome.changed += len(changed)
            after = batch[-1].pk
    logger.info("contact retention refreshed linked=%s changed=%s", outcome.linked, outcome.changed)
    return outcome
