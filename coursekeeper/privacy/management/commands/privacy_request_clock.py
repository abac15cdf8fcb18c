"""Keep rights requests on the clock: alert staff before deadlines, drop unconfirmed requests."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from coursekeeper.privacy import rights
from coursekeeper.privacy.models import RightsRequest


class Command(BaseCommand):
    help = (
        "Email the privacy staff about requests within "
        f"{rights.ALERT_DAYS_BEFORE} days of their deadline (once per deadline), and delete "
        "visitor requests whose confirmation link expired unused. Rerunning is harmless."
    )

    def handle(self, *args, **options) -> None:
        now = timezone.now()
        dropped, _per_model = RightsRequest.objects.filter(
            status=RightsRequest.Status.UNCONFIRMED, confirmation_expires_at__lt=now
        ).delete()
        alerted = rights.alert_staff_of_deadlines(base_url=settings.SITE_URL, now=now)
        self.stdout.write(
            f"alerted about {alerted} request(s); dropped {dropped} unconfirmed row(s)"
        )
