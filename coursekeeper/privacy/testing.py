"""Helpers for tests that walk the whole declaration."""

from __future__ import annotations

import factory.django
from django.db import models

from coursekeeper.privacy.checks import factory_models


def factories_by_model() -> dict[type[models.Model], type[factory.django.DjangoModelFactory]]:
    """Return, per model, its most basic factory (UserFactory rather than StaffFactory)."""
    factory_models()  # imports every app's factories module
    found: dict = {}
    pending = list(factory.django.DjangoModelFactory.__subclasses__())
    while pending:
        factory_class = pending.pop()
        pending.extend(factory_class.__subclasses__())
        model = factory_class._meta.model
        if model is None:
            continue
        depth = len(factory_class.__mro__)
        if model not in found or depth < len(found[model].__mro__):
            found[model] = factory_class
    return found
