"""`manage.py privacy_expire_exports`: delete the copies of people's data whose 7 days are over."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from coursekeeper.privacy.exports import EXPIRY_BATCH_SIZE, expire_exports, remove_orphaned_files


class Command(BaseCommand):
    help = (
        "Delete the file and the row of every export past its expiry date, in batches, and any "
        "stored export file no row names any more. Runs hourly from the scheduler; a rerun "
        "finds nothing left to do."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=EXPIRY_BATCH_SIZE)

    def handle(self, *args, batch_size: int, **options) -> None:
        deleted = expire_exports(batch_size=max(batch_size, 1))
        orphans = remove_orphaned_files()
        if options["verbosity"] >= 1:
            self.stdout.write(f"deleted {deleted} expired exports and {orphans} orphaned files")
