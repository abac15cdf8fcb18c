"""Test factories for the contact app; every thread carries a random token in its details."""

from __future__ import annotations

import secrets

import factory
from django.utils import timezone

from coursekeeper.contact.models import Contact, ContactEntry


class ContactFactory(factory.django.DjangoModelFactory[Contact]):
    """A thread, one per address: building another for the same address returns the first."""

    class Meta:
        model = Contact
        django_get_or_create = ("email",)

    class Params:
        token = factory.LazyFunction(lambda: secrets.token_hex(5))

    email = factory.LazyAttribute(lambda o: f"contact-{o.token}@example.org")
    name = factory.LazyAttribute(lambda o: f"Connie {o.token} Contact")
    phone = factory.LazyAttribute(lambda o: f"+45 {int(o.token, 16) % 10**8:08d}")
    postal_address = factory.LazyAttribute(lambda o: f"Kontaktvej {o.token}\n5000 Odense C")
    unread = True


class ContactEntryFactory(factory.django.DjangoModelFactory[ContactEntry]):
    """A message that came through the contact form."""

    class Meta:
        model = ContactEntry

    contact = factory.SubFactory(ContactFactory)
    channel = ContactEntry.Channel.WEB_FORM
    direction = ContactEntry.Direction.IN
    text = factory.LazyAttribute(lambda o: f"Hello, this is {o.contact.name}. When is the course?")
    at = factory.LazyFunction(timezone.now)


# --- Rehearsals: each of the app's processing paths, ready to run for one person --------------


def rehearse_receive_message(user, path):
    from coursekeeper.contact.services import receive_message
    from coursekeeper.privacy.paths import Rehearsal

    return Rehearsal(
        run=lambda: receive_message(
            name=user.full_name, email=user.email, message="When does the course start?"
        ),
        happened=lambda: ContactEntry.objects.filter(contact__email=user.email).exists(),
    )


def rehearse_reply_by_email(user, path):
    from coursekeeper.accounts.factories import StaffFactory
    from coursekeeper.contact.services import reply_by_email
    from coursekeeper.privacy.paths import Rehearsal

    contact = ContactFactory(email=user.email, user=user, name=user.full_name)
    ContactEntryFactory(contact=contact)
    staff = StaffFactory()
    return Rehearsal(
        run=lambda: reply_by_email(
            acting_user=staff, contact_id=contact.pk, subject="Your question", text="On Monday."
        ),
        happened=lambda: ContactEntry.objects.filter(
            contact=contact, direction=ContactEntry.Direction.OUT
        ).exists(),
    )
