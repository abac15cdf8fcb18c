"""Test factories for the messaging app; every address carries a random token."""

from __future__ import annotations

import secrets

import factory

from coursekeeper.accounts.factories import UserFactory
from coursekeeper.messaging.models import OutboxMessage
from coursekeeper.privacy.paths import Rehearsal


class OutboxMessageFactory(factory.django.DjangoModelFactory[OutboxMessage]):
    """An outbox row as `queue_email` writes it, not tied to an account."""

    class Meta:
        model = OutboxMessage

    class Params:
        token = factory.LazyFunction(lambda: secrets.token_hex(5))

    email = factory.LazyAttribute(lambda o: f"outbox-{o.token}@example.org")
    language = "en"
    subject = factory.LazyAttribute(lambda o: f"A message {o.token}")
    body_text = factory.LazyAttribute(lambda o: f"Hello {o.token}, this is a test message.")
    template = "tests/outbox"


class AccountOutboxMessageFactory(OutboxMessageFactory):
    """An outbox row to a person with an account."""

    recipient = factory.SubFactory(UserFactory)
    email = factory.LazyAttribute(lambda o: o.recipient.email)


def rehearse_email(user, path) -> Rehearsal:
    """Queue one message of the email path's template to the person, as its cause does."""
    from django.db import transaction

    from coursekeeper.messaging.services import queue_email

    def run():
        with transaction.atomic():
            return queue_email(
                to=user.email,
                subject=f"A message of {path.template}",
                body_text="Hello, this is a test message.",
                language="en",
                template=path.template,
                recipient=user,
            )

    return Rehearsal(
        run=run,
        happened=lambda: OutboxMessage.objects.filter(
            email=user.email, template=path.template
        ).exists(),
    )
