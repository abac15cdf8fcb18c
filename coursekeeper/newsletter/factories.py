"""Test factories for the newsletter app; every address carries a random token."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import factory
from django.utils import timezone

from coursekeeper.newsletter.models import Newsletter, NewsletterDelivery, PendingSignup
from coursekeeper.newsletter.wording import CURRENT_VERSION


class PendingSignupFactory(factory.django.DjangoModelFactory[PendingSignup]):
    class Meta:
        model = PendingSignup

    class Params:
        token = factory.LazyFunction(lambda: secrets.token_hex(5))

    email = factory.LazyAttribute(lambda o: f"signup-{o.token}@example.org")
    language = "da"
    country = "DK"
    wording_version = CURRENT_VERSION
    token_digest = factory.LazyFunction(
        lambda: hashlib.sha256(secrets.token_urlsafe(32).encode()).hexdigest()
    )
    expires_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=3))


class NewsletterFactory(factory.django.DjangoModelFactory[Newsletter]):
    class Meta:
        model = Newsletter

    subject_en = factory.Sequence(lambda n: f"News from the school, issue {n}")
    body_en = "Three new courses start in March.\n\nSee you there."
    subject_da = factory.Sequence(lambda n: f"Nyt fra skolen, nummer {n}")
    body_da = "Tre nye kurser starter i marts.\n\nVi ses."


class NewsletterDeliveryFactory(factory.django.DjangoModelFactory[NewsletterDelivery]):
    """That a newsletter was queued for an address (of someone without an account, unless a
    `user` is given)."""

    class Meta:
        model = NewsletterDelivery

    class Params:
        token = factory.LazyFunction(lambda: secrets.token_hex(5))

    newsletter = factory.SubFactory(NewsletterFactory)
    email = factory.LazyAttribute(lambda o: f"reader-{o.token}@example.org")
    user = None
    basis = NewsletterDelivery.Basis.CONSENT
    language = "en"
