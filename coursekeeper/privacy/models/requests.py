"""Rights requests on the legal clock (R32, GDPR Art. 12) and the history of each.

A request's every change of state is a `RightsRequestEvent`, written in the change's own
transaction (`privacy.rights`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RightsRequest(models.Model):
    """A request to exercise a data-protection right, on the legal clock (R32, GDPR Art. 12).

    Filed by the person from their account (signed in counts as verified), by a visitor through
    the public form (counted as received once they confirm from the email on record), or logged by
    staff when it came by email, post or phone. The answer is due one calendar month after
    receipt; staff may extend it by up to two more months, telling the person why. Every change
    of state writes a `RightsRequestEvent` in the same transaction.
    """

    class Kind(models.TextChoices):
        ACCESS = "access", _("Access to your data")
        PORTABILITY = "portability", _("Your data in a portable format")
        RECTIFICATION = "rectification", _("Correction of your data")
        ERASURE = "erasure", _("Erasure of your data")
        RESTRICTION = "restriction", _("Restriction of processing")
        OBJECTION = "objection", _("Objection to processing")

    class Channel(models.TextChoices):
        ACCOUNT = "account", _("from the account")
        WEB_FORM = "web_form", _("web form")
        EMAIL = "email", _("email")
        POST = "post", _("post")
        PHONE = "phone", _("phone")

    class Status(models.TextChoices):
        UNCONFIRMED = "unconfirmed", _("awaiting the person's confirmation")
        OPEN = "open", _("open")
        AWAITING_FEE = "awaiting_fee", _("awaiting the stated fee")
        ANSWERED = "answered", _("answered")
        REFUSED = "refused", _("refused")

    OPEN_STATUSES = (Status.OPEN, Status.AWAITING_FEE)

    kind = models.CharField(_("request"), max_length=16, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    email = models.EmailField(_("email on record"), blank=True, db_index=True)
    language = models.CharField(_("language"), max_length=8, default="en")
    details = models.TextField(_("details"), blank=True, max_length=4000)
    objection_purpose = models.CharField(_("purpose objected to"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True, db_index=True)
    extended_until = models.DateTimeField(_("extended until"), null=True, blank=True)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    possibly_excessive = models.BooleanField(_("possibly excessive"), default=False)
    fee_amount = models.DecimalField(
        _("fee"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    fee_currency = models.CharField(_("currency"), max_length=3, blank=True)
    refusal_reason = models.TextField(_("reason for refusing"), blank=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True, db_index=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("logged by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmation_digest = models.CharField(
        _("confirmation key (scrambled)"), max_length=64, blank=True, db_index=True
    )
    confirmation_expires_at = models.DateTimeField(null=True, blank=True)
    deadline_alerted_at = models.DateTimeField(null=True, blank=True)
    # A random key each form carries, so a double-clicked submit files one request, not two.
    submission_key = models.CharField(max_length=64, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("rights request")
        verbose_name_plural = _("rights requests")
        indexes = [models.Index(fields=["status", "due_at"], name="privacy_request_queue")]

    def __str__(self) -> str:
        return f"rights request {self.pk} ({self.kind}, {self.status})"

    @property
    def deadline(self):
        """The date the answer is due: the extended date if there is one."""
        return self.extended_until or self.due_at

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def platform_can_carry_out(self) -> bool:
        """Whether the platform does what is asked by itself (a correction is made by hand)."""
        return self.kind != self.Kind.RECTIFICATION and not (
            self.kind == self.Kind.OBJECTION and not self.objection_purpose
        )


class RightsRequestEvent(models.Model):
    """One change of a rights request's state, written in the change's own transaction."""

    class Action(models.TextChoices):
        FILED = "filed", _("filed")
        CONFIRMED = "confirmed", _("confirmed by the person")
        EXTENDED = "extended", _("deadline extended")
        MARKED_URGENT = "marked_urgent", _("marked urgent")
        FEE_REQUESTED = "fee_requested", _("fee requested")
        ANSWERED = "answered", _("answered")
        REFUSED = "refused", _("refused")
        CARRIED_OUT = "carried_out", _("carried out")
        NOTIFY_RECIPIENTS = "notify", _("recipients told of the change (Art. 19)")
        RECIPIENT_TOLD = "recipient_told", _("recipient told by hand (Art. 19)")
        RECIPIENT_LATE = "recipient_late", _("recipient not told in time: staff alerted")
        ALERTED = "alerted", _("deadline alert sent to staff")
        NOTE = "note", _("note")

    request = models.ForeignKey(
        RightsRequest, on_delete=models.CASCADE, related_name="events", verbose_name=_("request")
    )
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("rights request event")
        verbose_name_plural = _("rights request events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} at {self.at:%Y-%m-%d %H:%M}"
