"""The warning an account holder gets before their account goes, its customer relationship over
for the rule pack's period (R20). See `coursekeeper.privacy.relationship.services`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RelationshipWarning(models.Model):
    """That an account holder was told their account will be erased, when, and from which end.

    One row per account, rewritten by each new warning. The warning holds while the customer
    relationship still ends at `relationship_ended_at`; a sign-in, a purchase or `kept_at` (the
    person pressed "keep my account" behind the emailed link) moves the end past it, and the
    warning no longer counts. `kept_at` is itself a moment of the relationship, so it is never
    cleared. Only a digest of the link's token is stored.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    relationship_ended_at = models.DateTimeField(_("customer relationship ended at"))
    warned_at = models.DateTimeField(_("warned at"))
    erase_on = models.DateTimeField(_("to be erased on"), db_index=True)
    token_digest = models.CharField(
        _("link to keep the account (kept only as a hash)"), max_length=64, unique=True
    )
    kept_at = models.DateTimeField(_("asked to keep the account at"), null=True, blank=True)

    class Meta:
        verbose_name = _("warning before erasure")
        verbose_name_plural = _("warnings before erasure")

    def __str__(self) -> str:
        return f"relationship warning {self.pk}"
