"""The shop's settings and the VAT it knows: currencies, VAT schemes, the settings row, rates.

These are the shop's own data, not a sale's: a sale copies what it needs of them (the rate, the
scheme) onto the order and the invoice when it is made.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Currency(models.TextChoices):
    DKK = "DKK", "DKK"
    EUR = "EUR", "EUR"


class VatScheme(models.TextChoices):
    DOMESTIC = "domestic", _("VAT of the seller's country (domestic sale)")
    OSS = "oss", _("VAT of the buyer's country (One-Stop-Shop)")
    HOME_BELOW_THRESHOLD = "home", _("VAT of the seller's country (below the EU threshold)")
    REVERSE_CHARGE = "reverse_charge", _("Reverse charge: the buyer accounts for the VAT")
    EVENT_VENUE = "venue", _("VAT of the country where the event takes place")
    EXEMPT = "exempt", _("Exempt education")
    OUTSIDE_EU = "outside_eu", _("Outside the scope of EU VAT")


class ShopSettings(models.Model):
    """The shop's settings: one row per school's database (pk 1)."""

    class Provider(models.TextChoices):
        TEST = "test", _("Built-in test provider (no real money)")
        STRIPE = "stripe", _("Stripe")

    payment_provider = models.CharField(
        _("payment provider"), max_length=16, choices=Provider.choices, default=Provider.TEST
    )
    keep_card_details = models.BooleanField(
        _("keep the card's last 4 digits and expiry"),
        default=False,
        help_text=_(
            "Only the payment provider ever sees the full card number. Tick this to keep the "
            "last 4 digits and the expiry, so subscribers can be told before their card "
            "expires without asking the provider each time."
        ),
    )
    # Whether online courses sold to consumers in other EU countries carry the seller's own VAT
    # is computed from the sales (commerce.oss, VAT Directive Art. 59c); the owner may only opt
    # for the buyer's country's VAT from the first euro, which binds for two calendar years.
    destination_vat_chosen_at = models.DateTimeField(
        _("chose the buyer's country's VAT from the first euro"),
        null=True,
        blank=True,
        help_text=_(
            "Set on the shop's VAT page. Empty: the seller's own VAT applies to consumers in "
            "other EU countries while the EUR 10,000 threshold is not passed."
        ),
    )
    financial_year_end_month = models.PositiveSmallIntegerField(
        _("financial year ends: month"), default=12
    )
    financial_year_end_day = models.PositiveSmallIntegerField(
        _("financial year ends: day"), default=31
    )
    invoice_prefix = models.CharField(
        _("invoice number prefix"), max_length=12, blank=True, help_text=_("For example: INV-")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("shop settings")
        verbose_name_plural = _("shop settings")

    def __str__(self) -> str:
        return str(_("shop settings"))

    @classmethod
    def current(cls) -> ShopSettings:
        settings_row, _created = cls.objects.get_or_create(pk=1)
        return settings_row


class VatRate(models.Model):
    """A country's standard VAT rate, as data: staff update it when a country changes it."""

    country = models.CharField(_("country"), max_length=2, unique=True)
    rate = models.DecimalField(_("standard rate, percent"), max_digits=5, decimal_places=2)
    in_eu = models.BooleanField(_("EU member state"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("VAT rate")
        verbose_name_plural = _("VAT rates")
        ordering = ["country"]

    def __str__(self) -> str:
        return f"{self.country} {self.rate}%"
