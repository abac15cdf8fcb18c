"""What a declared field holds: a category of personal data, or nothing personal (with a reason).

Each declaration maps every concrete field of its model to a `Category` or to `NOT_PERSONAL`;
a field that looks personal but is not says why (`NOT_PERSONAL.because(...)`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    IDENTITY = "identity", _("Identity")
    CONTACT = "contact", _("Contact details")
    CREDENTIALS = "credentials", _("Sign-in credentials")
    PAYMENT = "payment", _("Payment")
    TECHNICAL = "technical", _("Technical data")
    USAGE = "usage", _("Use of the platform")
    PROFILE = "profile", _("Profile")
    MARKETING = "marketing", _("Marketing preferences")
    CONTENT = "content", _("Content you wrote")
    COMMUNICATION = "communication", _("Messages")
    RECORDING = "recording", _("Recordings")


@dataclass(frozen=True)
class NotPersonal:
    """A field that holds nothing about a person; personal-looking ones must say why."""

    reason: str = ""

    def because(self, reason: str) -> NotPersonal:
        return NotPersonal(reason=reason)


NOT_PERSONAL = NotPersonal()

FieldSpec = Category | NotPersonal
