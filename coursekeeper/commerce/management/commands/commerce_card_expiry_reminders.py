"""`manage.py commerce_card_expiry_reminders`: tell subscribers whose card expires first (R13).

Run daily. Each active subscription charged within 30 days whose card expires before that charge
gets one email per period; a rerun sends none again.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from coursekeeper.commerce.subscriptions import remind_expiring_cards


class Command(BaseCommand):
    help = (
        "Email each subscriber whose card on file expires before their next payment "
        "(once per period)."
    )

    def handle(self, *args, **options) -> None:
        sent = remind_expiring_cards()
        if options["verbosity"] >= 1:
            self.stdout.write(f"card expiry reminders queued: {sent}")
