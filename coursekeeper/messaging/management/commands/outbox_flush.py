"""`manage.py outbox_flush`: send the due outbox messages (the scheduler runs it every minute)."""

from __future__ import annotations

import signal
import time

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from coursekeeper.messaging.services import DeliveryTally, deliver_due_messages


class Command(BaseCommand):
    help = "Send due outbox messages; with --loop, keep sending until stopped."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--limit", type=int, default=1000, help="Messages to attempt per run (default 1000)."
        )
        parser.add_argument(
            "--loop", action="store_true", help="Keep running, as a dedicated mail worker."
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="With --loop: seconds to wait when nothing is due (default 1).",
        )
        parser.add_argument(
            "--lease-seconds",
            type=float,
            default=None,
            help="How long a claim lasts (default: the outbox's own, 300).",
        )

    def handle(self, *args, limit: int, loop: bool, interval: float, lease_seconds, **options):
        verbosity = options["verbosity"]
        if not loop:
            self.report(deliver_due_messages(limit=limit, lease_seconds=lease_seconds), verbosity)
            return
        stopping = False

        def stop(signum, frame) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while not stopping:
            close_old_connections()
            tally = deliver_due_messages(
                limit=limit, lease_seconds=lease_seconds, stop_requested=lambda: stopping
            )
            if verbosity >= 2 or (verbosity >= 1 and tally.attempted):
                self.report(tally, verbosity)
            if not stopping and (tally.attempted == 0 or tally.retrying):
                time.sleep(interval)

    def report(self, tally: DeliveryTally, verbosity: int) -> None:
        if verbosity >= 1:
            self.stdout.write(
                f"sent {tally.sent}, retrying {tally.retrying}, failed {tally.failed}"
            )
