"""`manage.py privacy_reapply_erasures`: erase again the accounts a restored backup brought back.

Run it after every restore of a backup, before the site is opened again. It is safe to run at
any time: an account that matches nothing in the erasure ledger is left alone.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from coursekeeper.privacy.ledger import DEFAULT_BATCH_SIZE, reapply_erasures, restored_account_ids


class Command(BaseCommand):
    help = (
        "Erase again every account that a restored backup brought back after it had been "
        "erased, using the erasure ledger. Run this after EVERY restore of a backup, before the "
        "site is opened again. Entries the restored ledger table lacks are first copied back from "
        "the journal kept outside the database (COURSEKEEPER_ERASURE_LEDGER_JOURNAL)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Only count the accounts that would be erased again; change nothing.",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=DEFAULT_BATCH_SIZE,
            help=f"Accounts hashed per database query (default {DEFAULT_BATCH_SIZE}).",
        )

    def handle(self, *args, dry_run: bool, batch_size: int, **options) -> None:
        if dry_run:
            count = sum(1 for _ in restored_account_ids(batch_size=batch_size))
            self.stdout.write(f"Would erase again: {count} account(s) restored from a backup.")
        else:
            count = reapply_erasures(batch_size=batch_size)
            self.stdout.write(f"Erased again: {count} account(s) restored from a backup.")
