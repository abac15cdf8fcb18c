"""The shop's emails to its customers and how they read dates, amounts and links in them."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation

from coursekeeper.messaging.models import OutboxMessage
from coursekeeper.messaging.services import queue_email


def format_moment(moment: dt.datetime, *, user=None, language: str = "en") -> str:
    """Return a date as the person reads it: their language and time zone."""
    zone_name = getattr(user, "time_zone", "") or settings.TIME_ZONE
    with translation.override(language):
        return formats.date_format(timezone.localtime(moment, ZoneInfo(zone_name)), "DATE_FORMAT")


def format_money(amount_minor: int, currency: str, language: str | None = None) -> str:
    """Return an amount as people write it in `language` (default: the active one)."""
    from coursekeeper.commerce.templatetags.money import format_money as written

    return written(amount_minor, currency, language)


def email_customer(
    *, name: str, to: str, language: str, context: dict, recipient=None
) -> OutboxMessage | None:
    """Queue `commerce/email/<name>_subject.txt` and `_message.txt` in the person's language.

    Must run inside the transaction of the email's cause (the outbox requires it). Return the
    outbox row, or None when the privacy gate stopped the message (`commerce.privacy` names
    which of the shop's emails go on while a person's processing is restricted).
    """
    language = language if language in {"da", "de", "en"} else "en"
    with translation.override(language):
        subject = render_to_string(f"commerce/email/{name}_subject.txt", context).strip()
        body = render_to_string(f"commerce/email/{name}_message.txt", context)
    return queue_email(
        to=to,
        subject=" ".join(subject.split()),
        body_text=body,
        language=language,
        template=f"commerce/{name}",
        recipient=recipient,
    )


def site_url() -> str:
    return getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/")
