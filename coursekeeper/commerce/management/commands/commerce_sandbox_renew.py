"""`manage.py commerce_sandbox_renew`: the test provider's billing clock for subscriptions."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from coursekeeper.commerce.providers.sandbox import renew_sandbox_subscriptions


class Command(BaseCommand):
    help = (
        "For the built-in test payment provider: charge test subscriptions whose period ended "
        '("invoice.paid"), end those cancelled at period end ("subscription.deleted") and '
        'decline the renewal of those whose card expired ("invoice.payment_failed"). This is '
        "how the demo's subscriptions renew offline; a rerun changes nothing more."
    )

    def handle(self, *args, **options) -> None:
        counts = renew_sandbox_subscriptions()
        if options["verbosity"] >= 1:
            self.stdout.write(
                f"renewed {counts.renewed}, ended {counts.ended}, declined {counts.declined}"
            )
