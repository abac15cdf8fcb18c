"""The course provider's own details: the controller, as its privacy policy and invoices name it.

One row per database, with the figures and tags the provider configures (the smallest group
shown to instructors, the marketing and statistics tags).
"""

from __future__ import annotations

from typing import cast

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from coursekeeper.accounts.choices import COUNTRY_CHOICES
from coursekeeper.cookies.tags import GOOGLE_TAG_ID, LINKEDIN_PARTNER_ID, META_PIXEL_ID


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
    # Figures shown to instructors hide any group of learners smaller than this (R34).
    min_group_size = models.PositiveSmallIntegerField(
        _("smallest group shown in teaching figures"),
        default=5,
        validators=[MinValueValidator(2), MaxValueValidator(50)],
        help_text=_(
            "Instructors see progress under pseudonyms; any figure about fewer learners than "
            "this is hidden, so no one can be picked out of a small group."
        ),
    )
    # The owner's marketing and statistics tags (R22): each loads only for a device whose cookie
    # choice accepts its category, and only while configured is its operator in the registry
    # and the policies (`cookies.tags`). The validators hold each to its vendor's format; the
    # lengths leave room, so a wrong id is refused by the message that says what is right.
    meta_pixel_id = models.CharField(
        _("Meta pixel ID"),
        max_length=32,
        blank=True,
        validators=[META_PIXEL_ID],
        help_text=_("Loaded only for visitors who allow marketing cookies."),
    )
    google_tag_id = models.CharField(
        _("Google tag ID"),
        max_length=32,
        blank=True,
        validators=[GOOGLE_TAG_ID],
        help_text=_(
            "G-… for Google Analytics, loaded only for visitors who allow statistics cookies; "
            "AW-… for Google Ads, loaded only for visitors who allow marketing cookies."
        ),
    )
    linkedin_partner_id = models.CharField(
        _("LinkedIn Insight Tag partner ID"),
        max_length=32,
        blank=True,
        validators=[LINKEDIN_PARTNER_ID],
        help_text=_("Loaded only for visitors who allow marketing cookies."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # What the policy, the register and the provider settings page show of the controller.
    PUBLISHED_FIELDS = (
        "legal_name",
        "street_address",
        "postal_code",
        "city",
        "country",
        "company_number",
        "vat_number",
        "email",
        "phone",
        "supervisory_authority",
        "supervisory_authority_url",
        "dpo_name",
        "dpo_email",
    )

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
            str(cast(models.Field, self._meta.get_field(name)).verbose_name)
            for name in self.REQUIRED_FOR_PUBLISHING
            if not getattr(self, name)
        ]

    def clean(self) -> None:
        if self.dpo_email and not self.dpo_name:
            raise ValidationError({"dpo_name": _("Name the officer whose email you give.")})
