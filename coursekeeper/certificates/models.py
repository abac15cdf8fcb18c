"""Certificates of completion and the records a law makes a course keep of them (R9).

Three models, because erasure treats them differently:
- `CertificateSettings`: per course, whether it gives certificates, for how many hours of
  instruction, and whether a law or professional duty makes the provider document who took
  part (its name and how many years). Holds nobody's data.
- `Certificate`: the learner's own certificate, with a frozen copy of what it states. It is the
  learner's data and goes with them when they are erased; its code then answers "not found".
- `ParticipationRecord`: written beside the certificate only when the course documents
  participation: the minimum the duty asks for (who, which course, when, how many hours), held
  through an erasure until `keep_until` and then swept. It outlives the account (SET_NULL) and
  knows the certificate's code only as a digest, so the public check can still confirm it.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coursekeeper.learning.models import Course

# No 0/O or 1/I: a code is read off paper and typed by hand.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12  # 32**12 = 2**60 codes: none can be found by guessing
CERTIFICATE_LANGUAGES = ("da", "de", "en")


def new_code() -> str:
    """Return a fresh verification code: 12 random characters of the unambiguous alphabet."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(typed: str) -> str:
    """Return a typed code as stored: capitals, without spaces or dashes ("" if it cannot be
    one)."""
    code = "".join(ch for ch in typed.upper() if ch.isalnum())
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        return ""
    return code


def grouped_code(code: str) -> str:
    """Return a code as printed: three groups of four ("ABCD-EFGH-JKLM")."""
    return "-".join(code[at : at + 4] for at in range(0, len(code), 4))


class CertificateSettings(models.Model):
    course = models.OneToOneField(
        Course,
        on_delete=models.CASCADE,
        related_name="certificate_settings",
        verbose_name=_("course"),
    )
    enabled = models.BooleanField(
        _("give a certificate of completion"),
        default=False,
        help_text=_("Learners who finish every lesson get a certificate they can download."),
    )
    hours = models.DecimalField(
        _("hours of instruction"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("Printed on the certificate. Leave empty to print none."),
    )
    documented_participation = models.BooleanField(
        _("participation must be documented"),
        default=False,
        help_text=_(
            "Tick this only when a law or a professional duty obliges us to keep a record of "
            "who took part. The record is then kept even if the learner deletes their account."
        ),
    )
    duty_name = models.CharField(
        _("law or professional duty"),
        max_length=200,
        blank=True,
        help_text=_("The law or duty that requires the record, as it is usually cited."),
    )
    keep_years = models.PositiveSmallIntegerField(
        _("years to keep the record"),
        null=True,
        blank=True,
        help_text=_("As many years as the law or duty requires, and no more."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("certificate settings")
        verbose_name_plural = _("certificate settings")

    def __str__(self) -> str:
        return f"certificate settings {self.pk}"

    @property
    def documents_participation(self) -> bool:
        """Whether certificates issued now are documented under a named duty for a period."""
        return bool(self.documented_participation and self.duty_name and self.keep_years)


class Certificate(models.Model):
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="certificates"
    )
    # A course may go; the certificate states its title itself.
    course = models.ForeignKey(
        Course,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="certificates",
        verbose_name=_("course"),
    )
    code = models.CharField(_("verification code"), max_length=CODE_LENGTH, unique=True)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    # What the certificate states, frozen when it was issued.
    learner_name = models.CharField(_("name as printed"), max_length=200)
    course_title = models.CharField(_("course title as printed"), max_length=200)
    hours = models.DecimalField(
        _("hours of instruction"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    language = models.CharField(_("language of the certificate"), max_length=8, default="en")
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoke_reason = models.TextField(_("reason for revoking"), blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("revoked by"),
    )

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "course"], name="certificates_one_per_learner_and_course"
            ),
        ]

    def __str__(self) -> str:
        return f"certificate {self.pk}"

    @property
    def printed_code(self) -> str:
        return grouped_code(self.code)


class ParticipationRecord(models.Model):
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="participation_records",
    )
    course = models.ForeignKey(
        Course,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("course"),
    )
    learner_name = models.CharField(_("name"), max_length=200)
    course_title = models.CharField(_("course title"), max_length=200)
    completed_at = models.DateTimeField(_("completed at"))
    hours = models.DecimalField(
        _("hours of instruction"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    duty = models.CharField(_("law or professional duty"), max_length=200)
    keep_until = models.DateTimeField(_("kept until"), db_index=True)
    # The certificate's code only as its SHA-256: enough to confirm a code someone holds.
    code_digest = models.CharField(_("digest of the verification code"), max_length=64, unique=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("record of documented participation")
        verbose_name_plural = _("records of documented participation")

    def __str__(self) -> str:
        return f"participation record {self.pk}"
