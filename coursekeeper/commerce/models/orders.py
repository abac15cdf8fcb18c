"""A sale: the order and its lines, the sign-up waiting at the provider, the waiver (R12, R15).

The order copies the price and the VAT decided at checkout, so a later change of the
catalogue's prices or of the rates never changes what was sold.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coursekeeper.accounts.choices import LANGUAGE_CHOICES
from coursekeeper.commerce.models.catalogue import Coupon, Product
from coursekeeper.commerce.models.shop import Currency, VatScheme


class Order(models.Model):
    """One checkout: what was bought, by whom, at what price and VAT, and how it was paid."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for payment")
        PAID = "paid", _("paid")
        FAILED = "failed", _("payment failed")
        EXPIRED = "expired", _("abandoned")
        REFUNDED = "refunded", _("refunded")
        PARTIALLY_REFUNDED = "partially_refunded", _("partly refunded")

    public_id = models.UUIDField(
        _("order reference"), default=uuid.uuid4, unique=True, editable=False
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders",
        verbose_name=_("buyer"),
    )
    email = models.EmailField(_("email"), db_index=True)
    full_name = models.CharField(_("name"), max_length=200)
    company_name = models.CharField(_("company"), max_length=200, blank=True)
    vat_number = models.CharField(_("VAT number"), max_length=20, blank=True)
    street_address = models.CharField(_("street address"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=16)
    city = models.CharField(_("city"), max_length=100)
    country = models.CharField(_("country"), max_length=2)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES)
    seats = models.PositiveIntegerField(_("seats"), default=1)
    for_others = models.BooleanField(
        _("bought for others"),
        default=False,
        help_text=_("An employer buying seats for its staff: the learners get invitations."),
    )
    coupon = models.ForeignKey(
        Coupon,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders",
        verbose_name=_("coupon"),
    )
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    subtotal_minor = models.PositiveIntegerField(_("price without VAT, before discount"))
    discount_minor = models.PositiveIntegerField(_("discount"), default=0)
    vat_minor = models.PositiveIntegerField(_("VAT"))
    total_minor = models.PositiveIntegerField(_("total"))
    vat_rate = models.DecimalField(_("VAT rate, percent"), max_digits=5, decimal_places=2)
    vat_country = models.CharField(_("VAT country"), max_length=2, blank=True)
    vat_scheme = models.CharField(_("VAT scheme"), max_length=16, choices=VatScheme.choices)
    provider = models.CharField(_("payment provider"), max_length=16)
    provider_session_id = models.CharField(
        _("payment provider's checkout reference"), max_length=255, blank=True, db_index=True
    )
    provider_payment_ref = models.CharField(
        _("provider's transaction reference"), max_length=255, blank=True
    )
    card_last4 = models.CharField(_("last 4 digits of the card"), max_length=4, blank=True)
    card_exp_month = models.PositiveSmallIntegerField(_("card expiry month"), null=True, blank=True)
    card_exp_year = models.PositiveSmallIntegerField(_("card expiry year"), null=True, blank=True)
    immediate_start_requested_at = models.DateTimeField(
        _("asked to start at once"),
        null=True,
        blank=True,
        help_text=_(
            "When the buyer asked for access (or the service) to start within the 14 days of "
            "the right of withdrawal."
        ),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("checkout expires at"))
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    # Empty for a sale to an account, which goes with the account once the customer
    # relationship has long ended (R20, privacy.relationship).
    keep_until = models.DateTimeField(
        _("kept until"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_(
            "An abandoned checkout goes after 30 days; a sale's record 5 years after the "
            "customer relationship ends."
        ),
    )
    # Added by the checkout: the provider's payment page, so a double-submitted checkout form
    # sends the second request to the same page instead of opening a second payment; and the
    # digest of the random token the buyer's browser holds, so only that browser is signed in
    # on return (cleared once used, and never set when the order joins an existing account).
    provider_checkout_url = models.URLField(max_length=1000, blank=True)
    browser_digest = models.CharField(
        _("key of the browser that paid (scrambled)"), max_length=64, blank=True
    )

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "expires_at"], name="commerce_order_open"),
            # A "charge.refunded" webhook names the payment, not our order.
            models.Index(
                fields=["provider", "provider_payment_ref"], name="commerce_order_payment"
            ),
        ]

    def __str__(self) -> str:
        return f"order {self.public_id}"


class OrderLine(models.Model):
    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="lines", verbose_name=_("order")
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    description = models.CharField(_("description"), max_length=200)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    unit_net_minor = models.PositiveIntegerField(_("unit price without VAT"))
    net_minor = models.PositiveIntegerField(_("without VAT, after discount"))
    vat_minor = models.PositiveIntegerField(_("VAT"))

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")

    def __str__(self) -> str:
        return self.description


class PendingCheckout(models.Model):
    """A guest's sign-up waiting while they pay at the provider (R12).

    The password is already hashed. Whichever comes first — the buyer's return or the provider's
    confirmation — turns it into an account and deletes it; unpaid, it goes after a day.
    """

    order = models.OneToOneField(
        Order, on_delete=models.CASCADE, related_name="pending", verbose_name=_("order")
    )
    email = models.EmailField(_("email"), db_index=True)
    full_name = models.CharField(_("name"), max_length=200)
    password_hash = models.CharField(_("password (scrambled)"), max_length=255)
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Copenhagen")
    adult_confirmed_at = models.DateTimeField(_("confirmed being an adult at"))
    browser_digest = models.CharField(
        _("key of the browser that paid (scrambled)"), max_length=64, db_index=True
    )
    expires_at = models.DateTimeField(_("expires at"), db_index=True)

    class Meta:
        verbose_name = _("pending checkout")
        verbose_name_plural = _("pending checkouts")

    def __str__(self) -> str:
        return f"pending checkout {self.pk}"


class WithdrawalWaiver(models.Model):
    """The buyer's express request to start at once, and what it costs them (R15).

    For digital content it waives the right of withdrawal (CRD Art. 16(m)); for a service it
    means a withdrawal owes a proportionate amount (Art. 14(3)). Kept as proof for the
    limitation period of the seller's country.
    """

    class Kind(models.TextChoices):
        DIGITAL_CONTENT = "digital", _("immediate access to digital content")
        SERVICE = "service", _("a service starting within the withdrawal period")

    order = models.ForeignKey(
        Order,
        null=True,
        on_delete=models.SET_NULL,
        related_name="waivers",
        verbose_name=_("order"),
    )
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    email = models.EmailField(_("email"), db_index=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    wording = models.TextField(_("wording the buyer agreed to"))
    language = models.CharField(_("language"), max_length=8)
    given_at = models.DateTimeField(_("given at"), default=timezone.now)
    proof_release_at = models.DateTimeField(_("proof kept until"), db_index=True)

    class Meta:
        verbose_name = _("withdrawal waiver")
        verbose_name_plural = _("withdrawal waivers")

    def __str__(self) -> str:
        return f"withdrawal waiver {self.pk}"
