"""The recipients of personal data (R37) and the disclosures to them outside the routine.

The register, the policy, the access export and the Art. 19 notices all read these rows.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coursekeeper.accounts.choices import LANGUAGE_CHOICES
from coursekeeper.privacy.models.base import PersonReference


class Recipient(models.Model):
    """Someone personal data goes to: a processor, another controller, or an authority (R37).

    The register, the policy, the access export and the Art. 19 notice after a correction, an
    erasure or a restriction all read this table, so the list a person sees is the list the
    provider keeps.
    """

    class Role(models.TextChoices):
        PROCESSOR = "processor", _("processor on our behalf")
        CONTROLLER = "controller", _("independent controller")
        JOINT_CONTROLLER = "joint_controller", _("joint controller")
        AUTHORITY = "authority", _("public authority")

    class Safeguard(models.TextChoices):
        NONE_NEEDED = "", _("none needed: inside the EU/EEA")
        ADEQUACY = "adequacy", _("adequacy decision")
        SCC = "scc", _("standard contractual clauses")
        DPF = "dpf", _("EU-US Data Privacy Framework")

    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    service = models.CharField(
        _("what they do"), max_length=200, help_text=_("For example: hosting, email delivery.")
    )
    purposes = models.JSONField(_("purposes"), default=list, blank=True)
    categories = models.JSONField(_("categories of data received"), default=list, blank=True)
    location = models.CharField(_("where the data is processed"), max_length=100)
    outside_eea = models.BooleanField(_("outside the EU/EEA"), default=False)
    safeguard = models.CharField(
        _("transfer safeguard"), max_length=16, choices=Safeguard.choices, blank=True
    )
    agreement_date = models.DateField(_("agreement signed"), null=True, blank=True)
    active = models.BooleanField(_("receives data now"), default=True)
    # Where the notice of a correction, erasure or restriction goes (Art. 19); without it, staff
    # tell the recipient by hand.
    privacy_email = models.EmailField(_("privacy contact"), blank=True)
    language = models.CharField(
        _("language for notices"), max_length=8, choices=LANGUAGE_CHOICES, default="en"
    )

    class Meta:
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outside_eea=False) | ~Q(safeguard=""),
                name="privacy_recipient_transfer_has_a_safeguard",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.outside_eea and not self.safeguard:
            raise ValidationError(
                {"safeguard": _("Data leaving the EU/EEA needs a safeguard; name the one used.")}
            )


class Disclosure(PersonReference):
    """One disclosure of a person's data to a recipient outside the routine (a legal order, a
    supplier shipping a gift): logged against the person and shown in their access export."""

    recipient = models.ForeignKey(
        Recipient, verbose_name=_("recipient"), on_delete=models.PROTECT, related_name="+"
    )
    categories = models.JSONField(_("categories disclosed"), default=list)
    reason = models.CharField(_("why"), max_length=300)
    disclosed_at = models.DateTimeField(_("disclosed at"), default=timezone.now, db_index=True)

    class Meta(PersonReference.Meta):
        verbose_name = _("disclosure")
        verbose_name_plural = _("disclosures")

    def __str__(self) -> str:
        return f"disclosure {self.pk}"
