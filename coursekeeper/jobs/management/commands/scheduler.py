"""`manage.py scheduler`: drive time for the periodic jobs (see coursekeeper.jobs.scheduler)."""

from __future__ import annotations

import signal
import time
from argparse import ArgumentTypeError
from datetime import datetime

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from coursekeeper.jobs.scheduler import TickReport, run_tick


def aware_datetime(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as error:
        raise ArgumentTypeError(f"not an ISO 8601 date and time: {value!r}") from error
    if moment.tzinfo is None:
        raise ArgumentTypeError("needs a time zone, e.g. 2026-01-01T00:00:00Z")
    return moment


class Command(BaseCommand):
    help = "Start due periodic jobs once per slot and requeue jobs whose lease ran out."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run a single tick and exit.")
        parser.add_argument(
            "--now",
            type=aware_datetime,
            help="Pretend it is this moment (ISO 8601 with a time zone); implies one tick.",
        )
        parser.add_argument(
            "--interval", type=float, default=10.0, help="Seconds between ticks (default: 10)."
        )

    def handle(self, *args, once: bool, now: datetime | None, interval: float, **options):
        verbosity = options["verbosity"]
        if once or now is not None:
            self.report(run_tick(now=now), verbosity=verbosity, show_skipped=True)
            return
        stopping = False

        def stop(signum, frame) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while not stopping:
            close_old_connections()
            self.report(run_tick(), verbosity=verbosity, show_skipped=verbosity >= 2)
            deadline = time.monotonic() + interval
            while not stopping and time.monotonic() < deadline:
                time.sleep(min(0.5, interval))

    def report(self, report: TickReport, *, verbosity: int, show_skipped: bool) -> None:
        if verbosity < 1:
            return
        for name in report.started:
            self.stdout.write(f"started {name} slot={report.slot_by_job[name].isoformat()}")
        if show_skipped:
            for name in report.skipped:
                self.stdout.write(f"skipped {name} slot={report.slot_by_job[name].isoformat()}")
        for label, count in report.requeued.items():
            self.stdout.write(f"requeued {count} {label}")
