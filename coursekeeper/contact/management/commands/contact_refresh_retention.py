"""`manage.py contact_refresh_retention`: move threads' keep-until with customer relationships."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from coursekeeper.contact.retention import REFRESH_BATCH_SIZE, refresh_all


class Command(BaseCommand):
    help = (
        "Link contact threads to the accounts their addresses belong to, and recompute the day "
        "each linked thread may be deleted from its last contact and its customer relationship "
        "(R19, R20). Runs daily from the scheduler; a rerun changes nothing more."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=REFRESH_BATCH_SIZE)

    def handle(self, *args, batch_size: int, **options) -> None:
        outcome = refresh_all(batch_size=max(batch_size, 1))
        if options["verbosity"] >= 1:
            self.stdout.write(
                f"linked {outcome.linked} threads to accounts; "
                f"moved the keep-until of {outcome.changed}"
            )
