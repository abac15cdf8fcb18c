"""What the privacy gate reads (consent, restriction, objection) and the provider's own details.

A person here is an account or, for someone without one (a newsletter subscriber, a visitor who
wrote to us), a normalised email address; every row names one of the two, both indexed.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coursekeeper.accounts.choices import COUNTRY_CHOICES
from coursekeeper.jobs.models import LeasedJob


class PersonReference(models.Model):
    """Abstract: a row about an account or, without one, about an email address."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    email = models.EmailField(blank=True, db_index=True)

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=~Q(user__isnull=True, email=""),
                name="%(app_label)s_%(class)s_names_a_person",
            )
        ]


class Consent(PersonReference):
    """One consent to one purpose: what was agreed to, in which words, how, and its withdrawal.

    The consent ledger (R31, R46) builds on this row; the gate reads only `purpose`,
    `given_at` and `withdrawn_at`.
    """

    purpose = models.CharField(_("purpose"), max_length=64, db_index=True)
    wording_version = models.CharField(_("wording version"), max_length=32)
    language = models.CharField(_("language"), max_length=8)
    method = models.CharField(_("how it was given"), max_length=32)
    given_at = models.DateTimeField(_("given at"), default=timezone.now, db_index=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True, db_index=True)

    class Meta(PersonReference.Meta):
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self) -> str:
        return f"consent {self.pk} to {self.purpose}"


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


class ProviderSettings(models.Model):
    """The course provider — the controller — as its privacy policy and invoices name it.

    One row per database (`load()`); with many schools, each school's schema holds its own.
    """

    legal_name = models.CharField(_("legal name"), max_length=200, blank=True)
    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=16, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, choices=COUNTRY_CHOICES, default="DK")
    company_number = models.CharField(
        _("company number"), max_length=32, blank=True, help_text=_("CVR, HRB or similar.")
    )
    vat_number = models.CharField(_("VAT number"), max_length=32, blank=True)
    email = models.EmailField(_("email for privacy questions"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    supervisory_authority = models.CharField(
        _("supervisory authority"),
        max_length=200,
        blank=True,
        help_text=_("For example Datatilsynet, or the data-protection authority of your state."),
    )
    supervisory_authority_url = models.URLField(_("supervisory authority's website"), blank=True)
    dpo_name = models.CharField(_("data-protection officer"), max_length=200, blank=True)
    dpo_email = models.EmailField(_("data-protection officer's email"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("provider settings")
        verbose_name_plural = _("provider settings")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="provider_settings_is_a_singleton")
        ]

    def __str__(self) -> str:
        return self.legal_name or str(_("Provider settings"))

    def save(self, *args, **kwargs) -> None:
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> ProviderSettings:
        settings_row, _created = cls.objects.get_or_create(pk=1)
        return settings_row

    REQUIRED_FOR_PUBLISHING = (
        "legal_name",
        "street_address",
        "postal_code",
        "city",
        "country",
        "company_number",
        "email",
        "supervisory_authority",
    )

    def missing_for_publishing(self) -> list[str]:
        """Return the verbose names of fields a published policy cannot do without."""
        return [
            str(self._meta.get_field(name).verbose_name)
            for name in self.REQUIRED_FOR_PUBLISHING
            if not getattr(self, name)
        ]

    def clean(self) -> None:
        if self.dpo_email and not self.dpo_name:
            raise ValidationError({"dpo_name": _("Name the officer whose email you give.")})


class ErasureJob(LeasedJob):
    """A person's confirmed erasure, carried out by a worker in one transaction (R29).

    The row outlives the person as the proof that the erasure happened: its link to the account
    is SET_NULL and `outcome` holds only counts per model, nothing about the person.
    """

    task_path = "coursekeeper.privacy.tasks.run_erasure_job"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now, db_index=True)
    outcome = models.JSONField(_("outcome"), default=dict, blank=True)

    class Meta(LeasedJob.Meta):
        verbose_name = _("erasure job")
        verbose_name_plural = _("erasure jobs")

    def __str__(self) -> str:
        return f"erasure job {self.pk} ({self.status})"


class ExportJob(LeasedJob):
    """A person's copy of their data, built by a worker; the file expires after 7 days (R28)."""

    task_path = "coursekeeper.privacy.tasks.run_export_job"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    file = models.FileField(_("file"), upload_to="exports/", blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True, db_index=True)

    class Meta(LeasedJob.Meta):
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")

    def __str__(self) -> str:
        return f"export job {self.pk} ({self.status})"
