"""Keep rights requests on the clock: alert staff before deadlines and about recipients not told
in time, drop unconfirmed requests."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from coursekeeper.privacy import rights
from coursekeeper.privacy.models import RightsRequest
from coursekeeper.privacy.recipient_notices.services import alert_staff_of_overdue_notices


class Command(BaseCommand):
    help = (
        "Email the privacy staff about requests within "
        f"{rights.ALERT_DAYS_BEFORE} days of their deadline (once per deadline) and about "
        "recipients still to be told of a change by hand after their due date (once per "
        "recipient), and delete visitor requests whose confirmation link expired unused. "
        "Rerunning is harmless."
    )

    def handle(self, *args, **options) -> None:
        now = timezone.now()
        dropped, _per_model = RightsRequest.objects.filter(
            status=RightsRequest.Status.UNCONFIRMED, confirmation_expires_at__lt=now
        ).delete()
        alerted = rights.alert_staff_of_deadlines(base_url=settings.SITE_URL, now=now)
        overdue = alert_staff_of_overdue_notices(base_url=settings.SITE_URL, now=now)
        self.stdout.write(
            f"alerted about {alerted} request(s) and {overdue} recipient(s) not told in time; "
            f"dropped {dropped} unconfirmed row(s)"
        )
