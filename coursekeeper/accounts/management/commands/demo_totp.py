"""Print the current two-factor code of a demo account (the demo's secret is public)."""

import time

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.management.base import BaseCommand, CommandError

from coursekeeper.accounts.management.commands.seed_demo import DEMO_PEOPLE, DEMO_TOTP_SECRET


class Command(BaseCommand):
    help = "Print the current authenticator code of a demo staff account."

    def add_arguments(self, parser) -> None:
        parser.add_argument("email")

    def handle(self, *args, email: str, **options) -> None:
        if email not in {person[0] for person in DEMO_PEOPLE}:
            raise CommandError("Only the demo accounts have a public authenticator secret.")
        counter = int(time.time()) // mfa_settings.TOTP_PERIOD
        self.stdout.write(format_hotp_value(hotp_value(DEMO_TOTP_SECRET, counter)))
