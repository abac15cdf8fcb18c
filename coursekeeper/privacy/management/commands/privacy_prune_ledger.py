"""`manage.py privacy_prune_ledger`: forget erasure-ledger entries older than the backups kept."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from coursekeeper.privacy.ledger import prune_ledger


class Command(BaseCommand):
    help = (
        "Delete erasure-ledger entries older than COURSEKEEPER_BACKUP_RETENTION_DAYS: no backup "
        "kept can bring those accounts back any more. Runs daily from the scheduler."
    )

    def handle(self, *args, **options) -> None:
        deleted = prune_ledger()
        if options["verbosity"] >= 1:
            self.stdout.write(f"deleted {deleted} erasure ledger entries")
