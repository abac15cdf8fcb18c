"""Create the demo school: an owner (the provider), an instructor, a staff member and a learner.

Running it again changes nothing that is already there, so `make run` can call it every time.
Staff and the instructor get an authenticator with a fixed secret, so the demo can be signed in
to; `manage.py demo_totp EMAIL` prints the current code.
"""

from __future__ import annotations

import datetime as dt

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from coursekeeper.accounts.choices import Role
from coursekeeper.accounts.models import User
from coursekeeper.accounts.services import assign_role
from coursekeeper.privacy import rights
from coursekeeper.privacy.models import ProviderSettings, Recipient, RightsRequest
from coursekeeper.privacy.services import update_provider_settings

DEMO_PASSWORD = "demo-school-2026"  # noqa: S105 - printed for the demo on purpose
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105 - demo accounts only

DEMO_PEOPLE = [
    # email, full name, role, language, time zone
    ("owner@demo.coursekeeper.test", "Karen Holm", Role.OWNER, "da", "Europe/Copenhagen"),
    ("instructor@demo.coursekeeper.test", "Jonas Weber", Role.INSTRUCTOR, "de", "Europe/Berlin"),
    ("staff@demo.coursekeeper.test", "Mette Skov", Role.SUPPORT, "da", "Europe/Copenhagen"),
    ("learner@demo.coursekeeper.test", "Alex Morgan", Role.LEARNER, "en", "Europe/Copenhagen"),
    ("dpo@demo.coursekeeper.test", "Sofie Lund", Role.PRIVACY_OFFICER, "da", "Europe/Copenhagen"),
]

# A typical set of recipients for a school hosted in the EU (R37).
DEMO_RECIPIENTS = [
    # name, role, service, purposes, categories, location, outside EEA, safeguard
    (
        "Hetzner Online GmbH",
        "processor",
        "hosting and backups",
        ["account", "security", "service_email", "platform_operation", "privacy_rights"],
        ["identity", "contact", "credentials", "technical", "usage", "profile", "content"],
        "Germany",
        False,
        "",
    ),
    (
        "Mailgun Technologies, Inc.",
        "processor",
        "email delivery",
        ["service_email"],
        ["contact", "communication"],
        "EU region (Germany), support from the USA",
        True,
        "dpf",
    ),
    (
        "Stripe Payments Europe, Ltd.",
        "controller",
        "card payments and MobilePay",
        ["account"],
        ["identity", "contact", "payment"],
        "Ireland",
        False,
        "",
    ),
    (
        "Whereby AS",
        "processor",
        "video meetings for live sessions",
        ["account"],
        ["identity", "technical", "recording"],
        "Norway",
        False,
        "",
    ),
]


class Command(BaseCommand):
    help = "Create the demo school (idempotent) and print its logins."

    def _seed_requests(self, *, base_url: str) -> None:
        """Two requests in the privacy queue: one due soon, one logged from a phone call."""
        if RightsRequest.objects.exists():
            return
        learner = User.objects.get(email="learner@demo.coursekeeper.test")
        officer = User.objects.get(email="dpo@demo.coursekeeper.test")
        rights.file_request(
            kind=RightsRequest.Kind.RECTIFICATION,
            channel=RightsRequest.Channel.ACCOUNT,
            user=learner,
            details="My certificate shows my old surname; please correct it to Morgan.",
            base_url=base_url,
            received_at=timezone.now() - dt.timedelta(days=26),
        )
        rights.file_request(
            kind=RightsRequest.Kind.ACCESS,
            channel=RightsRequest.Channel.PHONE,
            email="caller@example.org",
            language="da",
            details="Called to ask what we hold about her since a free download in 2025.",
            acting_user=officer,
            base_url=base_url,
            received_at=timezone.now() - dt.timedelta(days=3),
        )

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        domain = settings.SITE_URL.split("://", 1)[-1].rstrip("/")
        owner = None
        for email, full_name, role, language, time_zone in DEMO_PEOPLE:
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(
                    email,
                    DEMO_PASSWORD,
                    full_name=full_name,
                    language=language,
                    time_zone=time_zone,
                    country="DK" if language == "da" else "DE" if language == "de" else "",
                )
                user.adult_confirmed_at = timezone.now()
                user.save(update_fields=["adult_confirmed_at"])
                EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
                owner = owner or user
                assign_role(user=user, role=role, acting_user=owner)
                if role == Role.OWNER:
                    user.is_superuser = True
                    user.save(update_fields=["is_superuser"])
            owner = owner or user
            if (
                user.requires_two_factor
                and not Authenticator.objects.filter(
                    user=user, type=Authenticator.Type.TOTP
                ).exists()
            ):
                TOTP.activate(user, DEMO_TOTP_SECRET)

        provider = ProviderSettings.load()
        if not provider.legal_name:
            update_provider_settings(
                acting_user=owner,
                changes={
                    "legal_name": "Holm Kursus ApS",
                    "street_address": "Vestergade 12",
                    "postal_code": "8000",
                    "city": "Aarhus C",
                    "country": "DK",
                    "company_number": "CVR 12345678",
                    "vat_number": "DK12345678",
                    "email": "privacy@demo.coursekeeper.test",
                    "phone": "+45 70 20 30 40",
                    "supervisory_authority": "Datatilsynet",
                    "supervisory_authority_url": "https://www.datatilsynet.dk",
                },
            )
        for (
            name,
            recipient_role,
            service,
            purposes,
            categories,
            location,
            outside,
            safeguard,
        ) in DEMO_RECIPIENTS:
            Recipient.objects.update_or_create(
                name=name,
                defaults={
                    "role": recipient_role,
                    "service": service,
                    "purposes": purposes,
                    "categories": categories,
                    "location": location,
                    "outside_eea": outside,
                    "safeguard": safeguard,
                    "agreement_date": dt.date(2026, 1, 15),
                },
            )
        self._seed_requests(base_url=f"http://{domain}/")
        call_command("seed_courses", stdout=self.stdout)
        call_command("seed_shop", stdout=self.stdout)
        # The privacy and cookie policies are generated from what the demo now does; the first
        # version takes effect at once (later material changes wait 4 weeks).
        from coursekeeper.privacy.publishing import ensure_policy_published

        ensure_policy_published(acting_user=owner)
        self.stdout.write(self.style.SUCCESS(f"Demo school ready. Sign in at http://{domain}/"))
        self.stdout.write(f"  password for every demo account: {DEMO_PASSWORD}")
        for email, _name, role, _language, _tz in DEMO_PEOPLE:
            self.stdout.write(f"  {role.label:<28} {email}")
        self.stdout.write(
            "  staff and the instructor need a two-factor code: "
            f"authenticator secret {DEMO_TOTP_SECRET}, or run "
            "`.venv/bin/python manage.py demo_totp EMAIL`"
        )
