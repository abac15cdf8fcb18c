"""`manage.py commerce_sandbox_deliver`: the test provider's webhook retries and checkout expiry."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from coursekeeper.commerce.providers.sandbox import (
    deliver_pending_sandbox_events,
    expire_sandbox_checkouts,
)


class Command(BaseCommand):
    help = (
        "For the built-in test payment provider: expire abandoned test checkouts (each emits "
        '"checkout.expired") and deliver every webhook event a lost task left undelivered, '
        "each at most once. Runs every minute from the scheduler; a rerun delivers nothing twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=500, help="events per run at most")

    def handle(self, *args, limit: int, **options) -> None:
        expired = expire_sandbox_checkouts()
        delivered = deliver_pending_sandbox_events(limit=max(limit, 1))
        if options["verbosity"] >= 1:
            self.stdout.write(f"expired {expired} test checkouts; delivered {delivered} events")
