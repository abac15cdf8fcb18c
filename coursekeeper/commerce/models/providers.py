"""The payment providers' side: the events they sent us, and the test provider's own records.

`WebhookEvent` is ours: one row per provider event received, so each is processed once. The
`Sandbox*` rows stand in for the payment provider's systems, so the demo and the tests buy
offline through the same redirect-and-webhook flow as with Stripe; the shop reads them only
through the test provider (`commerce.providers.sandbox`), exactly as it reads Stripe.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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
