"""`manage.py privacy_relationship_clock`: warn, then erase, accounts whose customer relationship
ended the rule pack's period ago (R20)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from coursekeeper.privacy.relationship.services import run_relationship_clock


class Command(BaseCommand):
    help = (
        "Email each account holder whose customer relationship ended so long ago that the "
        "account goes within COURSEKEEPER_RELATIONSHIP_WARNING_DAYS, with the date and a link "
        "to keep it, and request the erasure of each warned account whose date has come. Runs "
        "daily from the scheduler; rerunning warns and erases nobody twice."
    )

    def handle(self, *args, **options) -> None:
        outcome = run_relationship_clock()
        if options["verbosity"] >= 1:
            self.stdout.write(
                f"warned {outcome.warned} account holder(s); "
                f"requested the erasure of {outcome.erased} account(s)"
            )
