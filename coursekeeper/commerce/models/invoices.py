"""The bookkeeping of a sale: invoice numbers, invoices and credit notes, VAT evidence (R11, R14).

These rows are held for the law that requires them, not for the sale: they point at the order
and the account with SET_NULL and keep copies of the details, so an erasure leaves them
standing until their hold ends.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coursekeeper.accounts.choices import LANGUAGE_CHOICES
from coursekeeper.commerce.models.orders import Order
from coursekeeper.commerce.models.shop import Currency, VatScheme


class InvoiceCounter(models.Model):
    """The last invoice number used per seller and year; locked in the issuing transaction.

    A database sequence would leave gaps when a transaction rolls back; a locked counter row
    does not, which is what bookkeeping law asks of invoice numbers.
    """

    seller = models.CharField(max_length=32, default="main")
    year = models.PositiveSmallIntegerField()
    last_sequence = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("invoice counter")
        verbose_name_plural = _("invoice counters")
        constraints = [
            models.UniqueConstraint(fields=["seller", "year"], name="commerce_one_counter_a_year")
        ]

    def __str__(self) -> str:
        return f"{self.seller} {self.year}: {self.last_sequence}"


class Invoice(models.Model):
    """An invoice or credit note: the buyer's details copied on, held for the bookkeeping law.

    It points at the account and the order with SET_NULL, so an erasure leaves it standing with
    the copied details until `release_at`, the date the seller country's rule pack computes.
    """

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Invoice")
        CREDIT_NOTE = "credit_note", _("Credit note")

    seller = models.CharField(max_length=32, default="main")
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    number = models.CharField(_("invoice number"), max_length=32)
    kind = models.CharField(
        _("invoice or credit note"), max_length=16, choices=Kind.choices, default=Kind.INVOICE
    )
    # A credit note names the invoice it corrects by number, which stays on it when the sweep
    # deletes the older invoice first (its hold ends earlier).
    credit_for = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="credit_notes"
    )
    credited_number = models.CharField(_("corrects invoice"), max_length=32, blank=True)
    order = models.ForeignKey(
        Order,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invoices",
        verbose_name=_("order"),
    )
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invoices",
    )
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES)
    seller_name = models.CharField(_("seller"), max_length=200)
    seller_address = models.TextField(_("seller's address"))
    seller_country = models.CharField(_("seller's country"), max_length=2)
    seller_vat_number = models.CharField(_("seller's VAT number"), max_length=32, blank=True)
    seller_company_number = models.CharField(
        _("seller's company number"), max_length=32, blank=True
    )
    buyer_name = models.CharField(_("buyer's name"), max_length=200)
    buyer_company = models.CharField(_("buyer's company"), max_length=200, blank=True)
    buyer_email = models.EmailField(_("buyer's email"), db_index=True)
    buyer_address = models.TextField(_("buyer's address"))
    buyer_country = models.CharField(_("buyer's country"), max_length=2)
    buyer_vat_number = models.CharField(_("buyer's VAT number"), max_length=20, blank=True)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    net_minor = models.BigIntegerField(_("without VAT"))
    vat_minor = models.BigIntegerField(_("VAT"))
    total_minor = models.BigIntegerField(_("total"))
    vat_rate = models.DecimalField(_("VAT rate, percent"), max_digits=5, decimal_places=2)
    vat_country = models.CharField(_("VAT country"), max_length=2, blank=True)
    vat_scheme = models.CharField(_("VAT scheme"), max_length=16, choices=VatScheme.choices)
    hold_country = models.CharField(_("kept under the law of"), max_length=2)
    release_at = models.DateTimeField(_("kept until"), db_index=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issued_at", "-sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["seller", "year", "sequence"], name="commerce_invoice_number_once"
            )
        ]

    def __str__(self) -> str:
        return self.number


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    description = models.CharField(_("description"), max_length=200)
    quantity = models.IntegerField(_("quantity"), default=1)
    unit_net_minor = models.BigIntegerField(_("unit price without VAT"))
    net_minor = models.BigIntegerField(_("without VAT"))
    vat_minor = models.BigIntegerField(_("VAT"))

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")

    def __str__(self) -> str:
        return self.description


class VatEvidence(models.Model):
    """The evidence of where a consumer is, kept for the One-Stop-Shop (10 years, Art. 369k).

    Two non-contradictory items decide the country (Implementing Regulation 282/2011 Art. 24b):
    the billing address's country and the card's country, with the IP address's country when a
    lookup is configured. Only countries are kept, never the address or the IP itself.
    """

    order = models.OneToOneField(
        Order,
        null=True,
        on_delete=models.SET_NULL,
        related_name="vat_evidence",
        verbose_name=_("order"),
    )
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    invoice_number = models.CharField(_("invoice number"), max_length=32, blank=True)
    billing_country = models.CharField(_("billing address country"), max_length=2)
    card_country = models.CharField(_("card country"), max_length=2, blank=True)
    ip_country = models.CharField(_("IP address country"), max_length=2, blank=True)
    charged_country = models.CharField(_("VAT charged for"), max_length=2)
    consistent = models.BooleanField(_("two items agree"), default=True)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    release_at = models.DateTimeField(_("kept until"), db_index=True)

    class Meta:
        verbose_name = _("VAT location evidence")
        verbose_name_plural = _("VAT location evidence")

    def __str__(self) -> str:
        return f"VAT evidence {self.pk}"
