"""Who received a person's data: the recipients the provider works with, and disclosures.

The access export (Art. 15(1)(c)) and the notice after a correction, an erasure or a restriction
(Art. 19) both ask `recipients_for(person)`. A routine recipient counts when it receives a
category of data the person has with us; a disclosure counts when it was about the person.

Each line also says how the recipient knows the person (`known_as`): the email address it
received, and only if it received the person's contact details at all. The Art. 19 notice names
the person by that and nothing else.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from coursekeeper.accounts.models import normalize_email
from coursekeeper.privacy.declarations import Category, registry
from coursekeeper.privacy.models import Disclosure, Recipient
from coursekeeper.privacy.people import Person


@dataclass(frozen=True)
class RecipientLine:
    name: str
    role: str
    service: str
    categories: tuple[str, ...]  # labels, in the active language
    location: str
    safeguard: str
    disclosed_at: dt.datetime | None = None  # set for a one-off disclosure
    reason: str = ""
    recipient_id: int | None = None
    # The email address(es) the recipient received about the person; empty when it received
    # no contact details.
    known_as: tuple[str, ...] = ()


def categories_held(person: Person) -> set[str]:
    """Return the codes of the categories of data held about `person` now."""
    held: set[str] = set()
    for declaration in registry:
        categories = {c.value for c in declaration.categories()}
        if categories - held and declaration.rows_for(person).exists():
            held |= categories
    return held


def _labels(codes) -> tuple[str, ...]:
    known = dict(Category.choices)
    return tuple(str(known[code]) for code in codes if code in known)


def _addresses(person: Person) -> tuple[str, ...]:
    """Return the address routine recipients received: the account's, else the ones we hold."""
    if person.user_id is not None and person.user.email:
        return (normalize_email(person.user.email),)
    return tuple(sorted(person.emails))


def recipients_for(person: Person, *, categories: set[str] | None = None) -> list[RecipientLine]:
    """Return who received the person's data: routine recipients first, then disclosures."""
    held = categories_held(person) if categories is None else categories
    contact = Category.CONTACT.value
    lines = []
    for recipient in Recipient.objects.filter(active=True):
        shared = [code for code in recipient.categories if code in held]
        if shared:
            lines.append(
                RecipientLine(
                    name=recipient.name,
                    role=recipient.get_role_display(),
                    service=recipient.service,
                    categories=_labels(shared),
                    location=recipient.location,
                    safeguard=recipient.get_safeguard_display() if recipient.outside_eea else "",
                    recipient_id=recipient.pk,
                    known_as=_addresses(person) if contact in shared else (),
                )
            )
    from coursekeeper.privacy.gate import about_person

    disclosures = (
        Disclosure.objects.filter(about_person(person))
        .select_related("recipient")
        .order_by("disclosed_at")
    )
    for disclosure in disclosures:
        recipient = disclosure.recipient
        if contact not in disclosure.categories:
            known_as: tuple[str, ...] = ()
        elif disclosure.email:
            known_as = (normalize_email(disclosure.email),)
        else:
            known_as = _addresses(person)
        lines.append(
            RecipientLine(
                name=recipient.name,
                role=recipient.get_role_display(),
                service=recipient.service,
                categories=_labels(disclosure.categories),
                location=recipient.location,
                safeguard=recipient.get_safeguard_display() if recipient.outside_eea else "",
                disclosed_at=disclosure.disclosed_at,
                reason=disclosure.reason,
                recipient_id=recipient.pk,
                known_as=known_as,
            )
        )
    return lines
