"""`manage.py prune_scheduled_runs`: forget scheduler slots older than the kept window."""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from coursekeeper.jobs.models import ScheduledRun

DEFAULT_KEEP_DAYS = 30


class Command(BaseCommand):
    help = "Delete ScheduledRun rows whose slot is older than --keep-days (default 30)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--keep-days", type=int, default=DEFAULT_KEEP_DAYS)

    def handle(self, *args, keep_days: int, **options) -> None:
        cutoff = timezone.now() - timedelta(days=keep_days)
        with transaction.atomic():
            deleted, _ = ScheduledRun.objects.filter(slot__lt=cutoff).delete()
        if options["verbosity"] >= 1:
            self.stdout.write(f"deleted {deleted} scheduled runs")
