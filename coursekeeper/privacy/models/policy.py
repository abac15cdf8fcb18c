"""The published versions of the privacy policy, and the notices of a material change.

A version is never edited; a notice remembers that one account holder is to be told of one
version, when the email was queued and when they hid the notice on the platform's pages.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PolicyVersion(models.Model):
    """One published version of the privacy policy and the cookie policy (R21, R41, R42).

    `content` is the structured, language-neutral content the texts were rendered from
    (`privacy.policy.current_content`); `texts` and `cookie_texts` hold the rendered HTML per
    language ({"da": "...", ...}) exactly as published, so a version reads the same years later
    whatever the code says now. A version is never edited: a change is a new version.
    """

    number = models.PositiveIntegerField(_("version"), unique=True)
    content = models.JSONField(_("content"))
    texts = models.JSONField(_("policy texts"), default=dict)
    cookie_texts = models.JSONField(_("cookie policy texts"), default=dict)
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    effective_at = models.DateTimeField(_("in effect from"), db_index=True)
    material = models.BooleanField(_("material change"), default=False)
    changes = models.JSONField(_("changes"), default=list, blank=True)
    # The purposes this version announces (codes), read by the privacy gate on every call.
    purposes = models.JSONField(_("purposes announced"), default=list, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("privacy policy version")
        verbose_name_plural = _("privacy policy versions")
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"privacy policy version {self.number}"


class PolicyNotice(models.Model):
    """That one account holder is to be told of one material policy change, and when they were.

    Written in batches with the version it announces; the dispatch
    (`privacy.publishing.dispatch_policy_notices`) queues the email and sets `queued_at` in the
    same transaction, so a rerun finds it queued and sends nothing twice.

    The same row remembers that the person hid the change's notice on the platform's pages
    (`dismissed_at`). Someone who opened an account after the version was published has no row
    until they hide the notice; theirs is written then, marked queued without an email, as the
    dispatch marks a closed account's.
    """

    version = models.ForeignKey(
        PolicyVersion, verbose_name=_("version"), on_delete=models.PROTECT, related_name="notices"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    queued_at = models.DateTimeField(_("email queued at"), null=True, blank=True, db_index=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    outbox_message = models.ForeignKey(
        "messaging.OutboxMessage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # When the person hid the notice on the platform's pages (R21); the email is not affected.
    dismissed_at = models.DateTimeField(_("hidden on the platform at"), null=True, blank=True)

    class Meta:
        verbose_name = _("policy change notice")
        verbose_name_plural = _("policy change notices")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "user"], name="privacy_one_policy_notice_per_account"
            )
        ]
        indexes = [models.Index(fields=["version", "queued_at"], name="privacy_notice_waiting")]

    def __str__(self) -> str:
        return f"policy notice {self.pk}"
