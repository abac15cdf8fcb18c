"""`manage.py prune_task_results`: delete task results older than a week, on every DB backend.

Task results hold only row ids and job names, never personal data, but they grow without end.
Finished results go through django-tasks-db's own `prune_db_task_results`. That command leaves
results stuck in RUNNING, which is what a worker killed mid-task leaves behind (the durable state
is in our job rows, which the scheduler requeues); those are deleted here once they are as old.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from django_tasks import task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

DEFAULT_MIN_AGE_DAYS = 7


class Command(BaseCommand):
    help = "Delete finished (and abandoned running) task results older than --min-age-days."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--min-age-days", type=int, default=DEFAULT_MIN_AGE_DAYS)

    def handle(self, *args, min_age_days: int, **options) -> None:
        verbosity = options["verbosity"]
        cutoff = timezone.now() - timedelta(days=min_age_days)
        for alias in task_backends.settings:
            if not isinstance(task_backends[alias], DatabaseBackend):
                continue
            # As arguments, not keywords: the command converts --backend with its argparse type.
            call_command(
                "prune_db_task_results",
                f"--backend={alias}",
                "--queue-name=*",
                f"--min-age-days={min_age_days}",
                verbosity=verbosity,
                stdout=self.stdout,
            )
            abandoned, _ = (
                DBTaskResult.objects.running()
                .filter(backend_name=alias, started_at__lt=cutoff)
                .delete()
            )
            if verbosity >= 1:
                self.stdout.write(f"deleted {abandoned} abandoned running task results")
