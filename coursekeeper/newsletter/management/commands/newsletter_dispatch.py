"""`manage.py newsletter_dispatch`: queue the emails of every newsletter dispatch that is due.

The safety net under the dispatch task (the scheduler runs it every five minutes): a dispatch
whose task was lost, or whose worker died and whose lease ran out, is picked up here. A rerun
never queues an address twice.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from coursekeeper.newsletter.dispatch import run_due_dispatches


class Command(BaseCommand):
    help = "Queue the emails of every newsletter whose sending is due."

    def handle(self, *args, **options):
        finished = run_due_dispatches()
        if options["verbosity"] >= 1:
            self.stdout.write(f"newsletter dispatches finished: {finished}")
