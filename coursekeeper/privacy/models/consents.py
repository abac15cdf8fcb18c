"""What the privacy gate reads: consents and their wordings, restrictions, objections.

The consent ledger keeps the proof of a consent after its withdrawal; the end of a service a
consent-based purpose serves ends its consents (R29).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coursekeeper.privacy.models.base import PersonReference


class ConsentText(models.Model):
    """The exact words a consent was given to, per purpose, version and language (Art. 7(1)).

    A consent row names its wording by (purpose, version); this table keeps the words, so the
    proof shows what the person saw. A published version is never edited: a new wording is a
    new version.
    """

    purpose = models.CharField(_("purpose"), max_length=64)
    version = models.CharField(_("version"), max_length=32)
    language = models.CharField(_("language"), max_length=8)
    text = models.TextField(_("wording"))
    published_at = models.DateTimeField(_("published at"), default=timezone.now)

    class Meta:
        verbose_name = _("consent wording")
        verbose_name_plural = _("consent wordings")
        constraints = [
            models.UniqueConstraint(
                fields=["purpose", "version", "language"], name="privacy_consent_text_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {self.version} ({self.language})"


class Consent(PersonReference):
    """One consent to one purpose: what was agreed to, in which words, how, and its withdrawal.

    This is the consent ledger (R31, R46): the proof of consent is kept after a withdrawal,
    and through an erasure, until the limitation period of the person's country has run out
    (`proof_release_at`, set when the consent ends). The gate reads only `purpose` and
    `withdrawn_at`. The address is always kept on the row, so the proof outlives the account.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    purpose = models.CharField(_("purpose"), max_length=64, db_index=True)
    wording_version = models.CharField(_("wording version"), max_length=32)
    language = models.CharField(_("language"), max_length=8)
    method = models.CharField(_("how it was given"), max_length=32)
    given_at = models.DateTimeField(_("given at"), default=timezone.now, db_index=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True, db_index=True)
    country = models.CharField(
        _("country"),
        max_length=2,
        blank=True,
        help_text=_("Whose limitation period decides how long the proof is kept."),
    )
    proof_release_at = models.DateTimeField(
        _("proof kept until"), null=True, blank=True, db_index=True
    )

    class Meta(PersonReference.Meta):
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self) -> str:
        return f"consent {self.pk} to {self.purpose}"


class ServiceEnd(models.Model):
    """That the service a consent-based purpose serves ended (R29): a newsletter discontinued.

    Written by `privacy.service_ends.end_service`, which the app running the service calls from
    its staff action; the consents in force for the purpose end with it, and the retention sweep
    deletes what was recorded only on them before `ended_at`. A service started again keeps the
    row (`restarted_at`): what was recorded before the end still goes, what is recorded on the
    new consents after it stays.
    """

    purpose = models.CharField(_("purpose"), max_length=64, db_index=True)
    ended_at = models.DateTimeField(_("ended at"), default=timezone.now, db_index=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ended by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    restarted_at = models.DateTimeField(_("started again at"), null=True, blank=True)
    restarted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started again by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("end of a service")
        verbose_name_plural = _("ends of services")
        ordering = ["-ended_at", "-pk"]
        constraints = [
            # A service is ended once at a time: it must be started again before it ends again.
            models.UniqueConstraint(
                fields=["purpose"],
                condition=Q(restarted_at__isnull=True),
                name="privacy_one_open_service_end_per_purpose",
            )
        ]

    def __str__(self) -> str:
        return f"end of the {self.purpose} service {self.pk}"


class Restriction(PersonReference):
    """A restriction of processing (GDPR Art. 18): only storage until it is lifted."""

    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True, db_index=True)

    class Meta(PersonReference.Meta):
        verbose_name = _("restriction of processing")
        verbose_name_plural = _("restrictions of processing")

    def __str__(self) -> str:
        return f"restriction {self.pk}"


class Objection(PersonReference):
    """An objection (GDPR Art. 21) to one purpose, or to every legitimate-interest purpose."""

    purpose = models.CharField(
        _("purpose"), max_length=64, blank=True, help_text=_("Empty: every purpose it can cover.")
    )
    made_at = models.DateTimeField(_("made at"), default=timezone.now, db_index=True)

    class Meta(PersonReference.Meta):
        verbose_name = _("objection")
        verbose_name_plural = _("objections")

    def __str__(self) -> str:
        return f"objection {self.pk} to {self.purpose or 'all'}"
