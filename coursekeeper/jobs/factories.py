"""Test factories for the jobs app."""

from __future__ import annotations

import factory
from django.utils import timezone

from coursekeeper.jobs.models import ScheduledRun


class ScheduledRunFactory(factory.django.DjangoModelFactory[ScheduledRun]):
    class Meta:
        model = ScheduledRun

    job = "outbox_flush"
    slot = factory.LazyFunction(lambda: timezone.now().replace(second=0, microsecond=0))
