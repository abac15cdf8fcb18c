"""The email outbox: every email the platform sends is first a row here (see services.py)."""

from __future__ import annotations

import uuid
from email.utils import parseaddr

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from coursekeeper.jobs.models import LeasedJob


def message_id_domain() -> str:
    """Return the domain for Message-IDs: OUTBOX_MESSAGE_ID_DOMAIN, else DEFAULT_FROM_EMAIL's."""
    configured = getattr(settings, "OUTBOX_MESSAGE_ID_DOMAIN", "")
    if configured:
        return configured
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return address.rpartition("@")[2] or "localhost"


def new_message_id() -> str:
    """Return a fresh, globally unique Message-ID header value, angle brackets included."""
    return f"<{uuid.uuid4().hex}@{message_id_domain()}>"


class OutboxMessage(LeasedJob):
    """One email to one address, kept from the moment its cause commits until it is sent.

    `message_id` is fixed when the row is created and sent with every attempt, so a message that
    is sent again after a crash is the same message to every mail client, not a second one.
    """

    task_path = "coursekeeper.messaging.tasks.deliver_outbox_message"

    email = models.EmailField(_("recipient address"), max_length=254, db_index=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outbox_messages",
    )
    language = models.CharField(_("language"), max_length=8)
    subject = models.CharField(_("subject"), max_length=998)
    body_text = models.TextField(_("text body"))
    body_html = models.TextField(_("HTML body"), blank=True)
    headers = models.JSONField(_("extra headers"), default=dict, blank=True)
    message_id = models.CharField(
        _("Message-ID"), max_length=255, unique=True, default=new_message_id, editable=False
    )
    template = models.CharField(_("template"), max_length=200)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True, db_index=True)
    # Mail to someone the platform holds nothing else about (the answer to an erasure, a reset
    # asked for an unknown address): once the server has accepted it, or it is given up on, its
    # address and text are cleared, leaving only the fact that it went out (services.py).
    forget_after_sending = models.BooleanField(_("forget after sending"), default=False)

    class Meta(LeasedJob.Meta):
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")

    def __str__(self) -> str:
        # No address or subject: this string ends up in logs and admin breadcrumbs.
        return f"outbox message {self.pk} ({self.template}, {self.status})"
