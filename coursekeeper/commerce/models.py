"""The shop: products and prices, orders, invoices, subscriptions, refunds (R11-R16).

Money is held as whole minor units (øre, cent) in integer columns, as the payment providers
count it, so no sum is ever rounded twice. Prices are net (without VAT); the VAT of an order is
decided at checkout from the buyer's country and status and copied onto the order and the
invoice, so a later change of rates never changes what was sold.

Card numbers and security codes never reach these tables: the buyer types them on the payment
provider's own page. What an order keeps of the card (last 4 digits, expiry) it keeps only when
the shop's settings say so.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coursekeeper.accounts.choices import COUNTRY_CHOICES, LANGUAGE_CHOICES


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


class Product(models.Model):
    class Kind(models.TextChoices):
        COURSE = "course", _("Course")
        BUNDLE = "bundle", _("Bundle of courses")
        EVENT = "event", _("Event or space ticket")
        SUBSCRIPTION = "subscription", _("Subscription")

    class Interval(models.TextChoices):
        NONE = "", _("one-off")
        MONTH = "month", _("monthly")
        YEAR = "year", _("yearly")

    class Attendance(models.TextChoices):
        """How an event is attended, which decides where its VAT is due (see commerce.vat)."""

        IN_PERSON = "in_person", _("in person, at a venue")
        ONLINE = "online", _("live online (streamed)")

    slug = models.SlugField(_("slug"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    interval = models.CharField(
        _("billing interval"), max_length=8, choices=Interval.choices, blank=True
    )
    courses = models.ManyToManyField(
        "learning.Course",
        blank=True,
        related_name="products",
        verbose_name=_("courses it gives access to"),
    )
    event_starts_at = models.DateTimeField(_("event starts at"), null=True, blank=True)
    event_ends_at = models.DateTimeField(_("event ends at"), null=True, blank=True)
    event_attendance = models.CharField(
        _("how the event is attended"),
        max_length=16,
        choices=Attendance.choices,
        blank=True,
        help_text=_(
            "Events only. Admission to an event attended in person carries the VAT of the "
            "country where it takes place; a live-streamed one, the VAT of the buyer's country."
        ),
    )
    event_country = models.CharField(
        _("country where the event takes place"),
        max_length=2,
        choices=COUNTRY_CHOICES,
        blank=True,
        help_text=_("Events attended in person only."),
    )
    vat_exempt_education = models.BooleanField(
        _("VAT-exempt education"),
        default=False,
        help_text=_("Tick only when your tax authority has confirmed the exemption."),
    )
    gift_description = models.CharField(
        _("welcome gift"),
        max_length=200,
        blank=True,
        help_text=_("Leave empty when the product ships no gift."),
    )
    gift_supplier = models.ForeignKey(
        "privacy.Recipient",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("who ships the gift"),
    )
    gift_supplier_email = models.EmailField(_("where the shipping address is sent"), blank=True)
    active = models.BooleanField(_("for sale"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="subscription", interval__in=["month", "year"])
                | (~Q(kind="subscription") & Q(interval="")),
                name="commerce_product_interval_matches_kind",
            ),
            models.CheckConstraint(
                condition=Q(gift_description="") | Q(gift_supplier__isnull=False),
                name="commerce_product_gift_has_a_supplier",
            ),
            # An event says how it is attended, and one attended in person where; nothing
            # else carries either.
            models.CheckConstraint(
                condition=Q(kind="event", event_attendance="online", event_country="")
                | (Q(kind="event", event_attendance="in_person") & ~Q(event_country=""))
                | (~Q(kind="event") & Q(event_attendance="", event_country="")),
                name="commerce_product_event_attendance",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_service(self) -> bool:
        """Events and subscriptions are services in consumer law; courses are digital content."""
        return self.kind in (self.Kind.EVENT, self.Kind.SUBSCRIPTION)


class Price(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="prices")
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    amount_minor = models.PositiveIntegerField(_("price without VAT, in øre or cent"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("price")
        verbose_name_plural = _("prices")
        constraints = [
            models.UniqueConstraint(
                fields=["product", "currency"],
                condition=Q(active=True),
                name="commerce_one_active_price_per_currency",
            )
        ]

    def __str__(self) -> str:
        return f"{self.product} {self.amount_minor / 100:.2f} {self.currency}"


class Coupon(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    percent_off = models.PositiveSmallIntegerField(_("percent off"), null=True, blank=True)
    amount_off_minor = models.PositiveIntegerField(
        _("amount off, in øre or cent"), null=True, blank=True
    )
    currency = models.CharField(
        _("currency of the amount"), max_length=3, choices=Currency.choices, blank=True
    )
    valid_from = models.DateTimeField(_("valid from"), default=timezone.now)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    max_uses = models.PositiveIntegerField(
        _("how many times it may be used"), null=True, blank=True
    )
    products = models.ManyToManyField(
        Product,
        blank=True,
        related_name="coupons",
        verbose_name=_("products (none: every product)"),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("coupon")
        verbose_name_plural = _("coupons")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(percent_off__isnull=False, amount_off_minor__isnull=True, currency="")
                    & Q(percent_off__gte=1, percent_off__lte=100)
                )
                | Q(
                    percent_off__isnull=True,
                    amount_off_minor__isnull=False,
                    currency__in=["DKK", "EUR"],
                ),
                name="commerce_coupon_percent_or_amount",
            )
        ]

    def __str__(self) -> str:
        return self.code


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


class Refund(models.Model):
    class Reason(models.TextChoices):
        WITHDRAWAL = "withdrawal", _("withdrawal from the contract")
        STAFF = "staff", _("refunded by staff")
        PROVIDER = "provider", _("refunded at the payment provider")

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SUCCEEDED = "succeeded", _("refunded")
        FAILED = "failed", _("failed")

    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="refunds", verbose_name=_("order")
    )
    amount_minor = models.PositiveIntegerField(_("amount"))
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    provider_ref = models.CharField(
        _("payment provider's refund reference"), max_length=255, blank=True, db_index=True
    )
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    credit_note = models.OneToOneField(
        Invoice,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="refund",
        verbose_name=_("credit note"),
    )

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")

    def __str__(self) -> str:
        return f"refund {self.pk}"


class Subscription(models.Model):
    """A recurring payment for a subscription product (R13); access lasts while paid time does."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        PAST_DUE = "past_due", _("payment overdue")
        CANCELLED = "cancelled", _("cancelled: ends with the paid period")
        ENDED = "ended", _("ended")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions"
    )
    order = models.OneToOneField(
        Order,
        null=True,
        on_delete=models.SET_NULL,
        related_name="subscription",
        verbose_name=_("order"),
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    provider = models.CharField(_("payment provider"), max_length=16)
    provider_ref = models.CharField(
        _("payment provider's subscription reference"), max_length=255, db_index=True
    )
    current_period_end = models.DateTimeField(_("paid until"), db_index=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    card_exp_month = models.PositiveSmallIntegerField(_("card expiry month"), null=True, blank=True)
    card_exp_year = models.PositiveSmallIntegerField(_("card expiry year"), null=True, blank=True)
    expiry_reminder_for = models.DateTimeField(
        _("card-expiry reminder sent for the charge on"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_ref"], name="commerce_subscription_once"
            )
        ]

    def __str__(self) -> str:
        return f"subscription {self.pk}"


class SeatInvitation(models.Model):
    """A seat an employer bought, offered to one of its people by email (the buyer is not the
    learner): accepting it enrols the learner."""

    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("order")
    )
    email = models.EmailField(_("email"), db_index=True)
    token_digest = models.CharField(_("invitation key (scrambled)"), max_length=64, unique=True)
    invited_at = models.DateTimeField(_("invited at"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("seat invitation")
        verbose_name_plural = _("seat invitations")
        constraints = [
            models.UniqueConstraint(fields=["order", "email"], name="commerce_invite_once")
        ]

    def __str__(self) -> str:
        return f"seat invitation {self.pk}"


class GiftShipment(models.Model):
    """A welcome gift's shipping address, passed to the named supplier (R16)."""

    order = models.OneToOneField(
        Order, on_delete=models.CASCADE, related_name="gift_shipment", verbose_name=_("order")
    )
    supplier = models.ForeignKey(
        "privacy.Recipient",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("supplier"),
    )
    name = models.CharField(_("name"), max_length=200)
    street_address = models.CharField(_("street address"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=16)
    city = models.CharField(_("city"), max_length=100)
    country = models.CharField(_("country"), max_length=2)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(_("sent to the supplier at"), null=True, blank=True)

    class Meta:
        verbose_name = _("gift shipment")
        verbose_name_plural = _("gift shipments")

    def __str__(self) -> str:
        return f"gift shipment {self.pk}"


class WebhookEvent(models.Model):
    """A provider event received: processed once per id. Holds ids and the outcome only."""

    provider = models.CharField(max_length=16)
    event_id = models.CharField(max_length=255)
    event_type = models.CharField(max_length=64)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    outcome = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("payment provider event")
        verbose_name_plural = _("payment provider events")
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="commerce_event_once")
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_type} {self.event_id}"


# --- The built-in test provider's own records ----------------------------------------------------
# They stand in for the payment provider's systems, so the demo and the tests buy offline
# through the same redirect-and-webhook flow as with Stripe.


class SandboxCheckout(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "open"
        PAID = "paid", "paid"
        FAILED = "failed", "failed"
        EXPIRED = "expired", "expired"

    session_id = models.CharField(max_length=64, unique=True)
    mode = models.CharField(max_length=16)  # "payment" | "subscription"
    order_ref = models.CharField(_("order reference"), max_length=64)
    amount_minor = models.PositiveIntegerField(_("amount"))
    currency = models.CharField(_("currency"), max_length=3)
    description = models.CharField(_("description"), max_length=300)
    customer_email = models.EmailField(_("email"), db_index=True)
    interval = models.CharField(_("billing interval"), max_length=8, blank=True)
    success_url = models.URLField(max_length=500)
    cancel_url = models.URLField(max_length=500)
    status = models.CharField(_("status"), max_length=16, default=Status.OPEN)
    payment_ref = models.CharField(_("payment reference"), max_length=64, blank=True)
    subscription_ref = models.CharField(_("subscription reference"), max_length=64, blank=True)
    card_last4 = models.CharField(_("last 4 digits of the card"), max_length=4, blank=True)
    card_exp_month = models.PositiveSmallIntegerField(_("card expiry month"), null=True, blank=True)
    card_exp_year = models.PositiveSmallIntegerField(_("card expiry year"), null=True, blank=True)
    card_country = models.CharField(_("card country"), max_length=2, blank=True)
    refunded_minor = models.PositiveIntegerField(_("amount refunded"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = _("test provider checkout")
        verbose_name_plural = _("test provider checkouts")

    def __str__(self) -> str:
        return self.session_id


class SandboxSubscription(models.Model):
    subscription_ref = models.CharField(max_length=64, unique=True)
    session = models.ForeignKey(SandboxCheckout, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=16, default="active")
    current_period_end = models.DateTimeField()
    cancel_at_period_end = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("test provider subscription")
        verbose_name_plural = _("test provider subscriptions")

    def __str__(self) -> str:
        return self.subscription_ref


class SandboxEvent(models.Model):
    """An event the test provider still has to deliver to our webhook (its own outbox)."""

    event_id = models.CharField(max_length=64, unique=True)
    event_type = models.CharField(max_length=64)
    object_ref = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("test provider webhook delivery")
        verbose_name_plural = _("test provider webhook deliveries")

    def __str__(self) -> str:
        return self.event_id
