"""Test factories for the cookies app."""

from __future__ import annotations

import datetime as dt
import secrets

import factory
from django.utils import timezone

from coursekeeper.accounts.factories import UserFactory
from coursekeeper.cookies.models import CookieChoice


class CookieChoiceFactory(factory.django.DjangoModelFactory[CookieChoice]):
    class Meta:
        model = CookieChoice

    choice_id = factory.LazyFunction(lambda: secrets.token_urlsafe(16))
    user = factory.SubFactory(UserFactory)
    registry_version = "0123456789ab"
    statistics = True
    method = CookieChoice.Method.CHOOSE
    language = "en"
    made_at = factory.LazyFunction(timezone.now)
    proof_release_at = factory.LazyAttribute(lambda o: o.made_at + dt.timedelta(days=4 * 365))
