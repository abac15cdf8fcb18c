"""Reports that an account belongs to someone under 18 (R1), and where their reporters hear back.

Two people are named, so there are two rows. A `MinorReport` is about the account it reports:
what the reporter typed to name it, why they think so, and the account once it is known
(matched by its address when the report names one, or linked by the privacy officer). A
`ReporterAddress` is the reporter's own, optional reply address, kept apart so that the account
holder's copy of their data (R28) never shows who reported them, and deleted as soon as the
outcome mail is queued. See `coursekeeper.privacy.minors.services` for the flow.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

ABOUT_MAX_LENGTH = 300
REASONS_MAX_LENGTH = 5000
NOTE_MAX_LENGTH = 2000


class MinorReport(models.Model):
    """That someone told us an account belongs to a minor, and what the privacy officer decided.

    A confirmed report ends in the account's erasure; the erasure clears what the report says
    about the person and the link to the account, and keeps that a report was decided, when and
    by whom, until the report's own retention ends.
    """

    class Status(models.TextChoices):
        RECEIVED = "received", _("waiting for review")
        DISMISSED = "dismissed", _("dismissed")
        CONFIRMED = "confirmed", _("confirmed: the account is erased")
        CLOSED = "closed", _("closed: the account was erased before a decision")

    about = models.CharField(_("account reported"), max_length=ABOUT_MAX_LENGTH)
    reasons = models.TextField(_("why the person is thought to be under 18"))
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        # The account's erasure empties the report (its declaration); an account deleted any
        # other way leaves the decided report to its own retention.
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.RECEIVED
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decision_note = models.TextField(_("reason for the decision"), blank=True)
    erased_at = models.DateTimeField(_("account erased at"), null=True, blank=True)
    submission_key = models.CharField(max_length=64, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("report of a minor's account")
        verbose_name_plural = _("reports of minors' accounts")
        indexes = [models.Index(fields=["status", "created_at"], name="privacy_minor_report_queue")]

    def __str__(self) -> str:
        return f"minor report {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.RECEIVED


class ReporterAddress(models.Model):
    """Where the reporter asked to hear that their report was looked into; nothing more."""

    report = models.OneToOneField(
        MinorReport,
        verbose_name=_("report"),
        on_delete=models.CASCADE,
        related_name="reporter_address",
    )
    email = models.EmailField(_("reply address"), max_length=254, db_index=True)
    language = models.CharField(_("language"), max_length=8, default="en")
    created_at = models.DateTimeField(_("given at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("reporter's reply address")
        verbose_name_plural = _("reporters' reply addresses")

    def __str__(self) -> str:
        # No address: this string may end up in logs.
        return f"reporter address {self.pk}"
