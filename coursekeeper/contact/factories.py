"""Test factories for the contact app; every thread carries a random token in its details."""

from __future__ import annotations

import secrets

import factory
from django.utils import timezone

from coursekeeper.contact.models import Contact, ContactEntry


class ContactFactory(factory.django.DjangoModelFactory):
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


class ContactEntryFactory(factory.django.DjangoModelFactory):
    """A message that came through the contact form."""

    class Meta:
        model = ContactEntry

    contact = factory.SubFactory(ContactFactory)
    channel = ContactEntry.Channel.WEB_FORM
    direction = ContactEntry.Direction.IN
    text = factory.LazyAttribute(lambda o: f"Hello, this is {o.contact.name}. When is the course?")
    at = factory.LazyFunction(timezone.now)
