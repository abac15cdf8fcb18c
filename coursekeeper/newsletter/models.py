"""The newsletter (R17, R18): sign-ups awaiting confirmation, newsletters, and their dispatch.

Who subscribes is not stored here. A subscriber is a consent in force for the purpose
`newsletter` in the consent ledger (`privacy.Consent`, given on confirmation of the double
opt-in), so the ledger's withdrawal, an erasure, a restriction or an objection stops the mail
without this app keeping a second list that could drift from it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coursekeeper.accounts.choices import COUNTRY_CHOICES, LANGUAGE_CHOICES
from coursekeeper.jobs.models import LeasedJob
from coursekeeper.messaging.models import OutboxMessage

LANGUAGES = tuple(code for code, _name in LANGUAGE_CHOICES)
# A recipient whose language a newsletter lacks gets this version, if it has one.
FALLBACK_LANGUAGE = "en"


class PendingSignup(models.Model):
    """A sign-up waiting for the person to confirm it from their inbox (double opt-in).

    Only a digest of the link's token is stored, never the token. The row goes when the
    sign-up is confirmed (the consent then takes over) or when it expires.
    """

    email = models.EmailField(_("email address"), db_index=True)
    language = models.CharField(_("newsletter language"), max_length=8, choices=LANGUAGE_CHOICES)
    country = models.CharField(_("country"), max_length=2, choices=COUNTRY_CHOICES, blank=True)
    wording_version = models.CharField(_("wording version"), max_length=32)
    token_digest = models.CharField(_("confirmation key (scrambled)"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("link sent at"), default=timezone.now, db_index=True)
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        verbose_name = _("newsletter sign-up awaiting confirmation")
        verbose_name_plural = _("newsletter sign-ups awaiting confirmation")

    def __str__(self) -> str:
        # No address: this string may end up in logs.
        return f"pending sign-up {self.pk}"


class Newsletter(models.Model):
    """One newsletter, written by staff in Danish, German and/or English (plain text)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")

    subject_da = models.CharField(_("subject in Danish"), max_length=200, blank=True)
    body_da = models.TextField(_("text in Danish"), blank=True)
    subject_de = models.CharField(_("subject in German"), max_length=200, blank=True)
    body_de = models.TextField(_("text in German"), blank=True)
    subject_en = models.CharField(_("subject in English"), max_length=200, blank=True)
    body_en = models.TextField(_("text in English"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sending_started_at = models.DateTimeField(_("sending started at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("every email queued at"), null=True, blank=True)

    class Meta:
        verbose_name = _("newsletter")
        verbose_name_plural = _("newsletters")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title or f"newsletter {self.pk}"

    def subject(self, language: str) -> str:
        return getattr(self, f"subject_{language}", "")

    def body(self, language: str) -> str:
        return getattr(self, f"body_{language}", "")

    def languages(self) -> list[str]:
        """Return the languages this newsletter is written in (subject and text both given)."""
        return [
            code for code in LANGUAGES if self.subject(code).strip() and self.body(code).strip()
        ]

    def version_for(self, language: str) -> str | None:
        """Return the language a recipient of `language` gets, or None when there is none."""
        written = self.languages()
        if language in written:
            return language
        if FALLBACK_LANGUAGE in written:
            return FALLBACK_LANGUAGE
        return None

    @property
    def title(self) -> str:
        """The subject staff see in lists: the English one, else the first written."""
        for code in (FALLBACK_LANGUAGE, *LANGUAGES):
            if self.subject(code).strip():
                return self.subject(code)
        return ""


class NewsletterDispatch(LeasedJob):
    """Sending one newsletter: a worker queues its emails in the outbox, batch by batch.

    `total` is how many recipients the last run found, `queued_count` how many emails are in
    the outbox (from every run), `skipped_count` how many recipients the last run left out
    (the gate said no, or no version in their language). See dispatch.run_dispatch.
    """

    task_path = "coursekeeper.newsletter.tasks.run_newsletter_dispatch"

    newsletter = models.OneToOneField(
        Newsletter, on_delete=models.CASCADE, related_name="dispatch", verbose_name=_("newsletter")
    )
    include_customers = models.BooleanField(_("also to existing customers"), default=False)
    # What staff stated when they included customers: the facts rules.py needs and no data in
    # the platform can show yet.
    own_similar_products_stated = models.BooleanField(
        _("offers only our own courses similar to those the customers bought"), default=False
    )
    objection_at_collection_stated = models.BooleanField(
        _("customers were told at the sale that they may object to such emails"), default=False
    )
    total = models.PositiveIntegerField(_("recipients"), default=0)
    queued_count = models.PositiveIntegerField(_("emails queued"), default=0)
    skipped_count = models.PositiveIntegerField(_("recipients left out"), default=0)

    class Meta(LeasedJob.Meta):
        verbose_name = _("newsletter dispatch")
        verbose_name_plural = _("newsletter dispatches")

    def __str__(self) -> str:
        return f"newsletter dispatch {self.pk} ({self.status})"

    @property
    def processed(self) -> int:
        return min(self.queued_count + self.skipped_count, self.total)


class NewsletterDelivery(models.Model):
    """That one newsletter was queued for one address: at most once (the unique constraint).

    Written in the same transaction as the outbox message, so a rerun of the dispatch finds
    it and queues nothing twice.
    """

    class Basis(models.TextChoices):
        CONSENT = "consent", _("subscriber (consent)")
        CUSTOMER = "customer", _("existing customer (no consent needed in their country)")

    newsletter = models.ForeignKey(
        Newsletter,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("newsletter"),
    )
    email = models.EmailField(_("email address"), db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    basis = models.CharField(_("why they receive it"), max_length=16, choices=Basis.choices)
    language = models.CharField(_("language"), max_length=8)
    outbox_message = models.ForeignKey(
        OutboxMessage,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("email"),
    )
    queued_at = models.DateTimeField(_("queued at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("newsletter delivery")
        verbose_name_plural = _("newsletter deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["newsletter", "email"], name="newsletter_one_delivery_per_address"
            )
        ]

    def __str__(self) -> str:
        return f"newsletter delivery {self.pk}"
