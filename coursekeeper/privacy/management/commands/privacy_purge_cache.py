"""`manage.py privacy_purge_cache`: delete the cache's expired rows, which it otherwise keeps."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from coursekeeper.privacy.cache import purge_expired_cache_entries


class Command(BaseCommand):
    help = (
        "Delete every expired row of the database cache: it removes them only when a write "
        "finds it full, so rate limits about people would stay long after they ran out. Runs "
        "hourly from the scheduler; a rerun finds nothing left to do."
    )

    def handle(self, *args, **options) -> None:
        deleted = purge_expired_cache_entries()
        if options["verbosity"] >= 1:
            self.stdout.write(f"deleted {deleted} expired cache entries")
