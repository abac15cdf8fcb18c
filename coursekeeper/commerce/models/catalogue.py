"""What the shop sells: products, their net prices per currency, and coupons (R11)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coursekeeper.accounts.choices import COUNTRY_CHOICES
from coursekeeper.commerce.models.shop import Currency


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
