"""`manage.py privacy_policy_notices`: queue the emails of every policy-change notice still waiting.

The safety net under the task that publishing a material change enqueues (run it every few
minutes): notices whose task was lost, or whose worker died mid-batch, are picked up here. A
notice once queued is never queued again, so running it twice sends nothing twice.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from coursekeeper.privacy.publishing import dispatch_policy_notices


class Command(BaseCommand):
    help = "Queue the emails announcing a material change of the privacy policy."

    def handle(self, *args, **options):
        queued = dispatch_policy_notices()
        if options["verbosity"] >= 1:
            self.stdout.write(f"policy change notices queued: {queued}")
