"""Telling recipients of a correction, an erasure or a restriction (GDPR Art. 19).

One row per recipient and request: either the notice mailed to the recipient's privacy contact,
or, for a recipient without one, the task of telling them by hand, due on a date, which staff
mark done. See `coursekeeper.privacy.recipient_notices.services` for when rows are written.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coursekeeper.privacy.models import Recipient, RightsRequest


class RecipientNotice(models.Model):
    """That `recipient` is to be told of what a request changed, and how and when it was.

    Mailed (`outbox_message` set, `sent_to` the contact it went to) or a staff task (no
    outbox message) that is open until `done_at`. While a task is open, `identifiers` holds
    the email address(es) the recipient knows the person by, so staff can tell them whom the
    change is about even after an erasure; marking the task done clears them. A mailed notice
    never stores them: they travel only in the outbox message, which forgets its text once sent.
    """

    class Change(models.TextChoices):
        RECTIFIED = "rectified", _("corrected")
        ERASED = "erased", _("erased")
        RESTRICTED = "restricted", _("restricted")

    # SET_NULL, not CASCADE: the row is held through an erasure (privacy.E005), and the proof
    # that a recipient was told may outlive the request's own retention by a little.
    request = models.ForeignKey(
        RightsRequest,
        verbose_name=_("request"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="recipient_notices",
    )
    recipient = models.ForeignKey(
        Recipient, verbose_name=_("recipient"), on_delete=models.PROTECT, related_name="+"
    )
    change = models.CharField(_("change"), max_length=16, choices=Change.choices)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    due_at = models.DateTimeField(_("to tell by"))
    sent_to = models.EmailField(_("sent to"), blank=True)
    outbox_message = models.ForeignKey(
        "messaging.OutboxMessage",
        verbose_name=_("email"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    identifiers = models.JSONField(_("the person as the recipient knows them"), default=list)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True, db_index=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True, max_length=1000)
    overdue_alerted_at = models.DateTimeField(null=True, blank=True)
    # When the row may go: the limitation period after it was done (None while open).
    release_at = models.DateTimeField(_("kept until"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("recipient notice")
        verbose_name_plural = _("recipient notices")
        ordering = ["pk"]
        constraints = [
            # A request carried out twice, or an erasure job run again, tells no one twice.
            models.UniqueConstraint(
                fields=["request", "recipient"], name="privacy_one_notice_per_recipient"
            ),
            # Done means done by mail or by a staff member; open means no mail was sent.
            models.CheckConstraint(
                condition=Q(done_at__isnull=False) | Q(sent_to=""),
                name="privacy_recipient_notice_mailed_is_done",
            ),
        ]
        indexes = [
            # The queue and the clock ask for the open tasks, by due date.
            models.Index(
                fields=["due_at"], condition=Q(done_at__isnull=True), name="privacy_open_notices"
            )
        ]

    def __str__(self) -> str:
        return f"recipient notice {self.pk} ({self.change})"

    @property
    def mailed(self) -> bool:
        return bool(self.sent_to)

    @property
    def is_open(self) -> bool:
        return self.done_at is None

    def overdue(self, now=None) -> bool:
        return self.is_open and self.due_at < (now or timezone.now())
