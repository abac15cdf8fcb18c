"""What follows a paid order: refunds, subscriptions, seat invitations, gift shipments (R12-R16)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coursekeeper.commerce.models.catalogue import Product
from coursekeeper.commerce.models.invoices import Invoice
from coursekeeper.commerce.models.orders import Order


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
