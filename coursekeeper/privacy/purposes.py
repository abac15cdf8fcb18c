"""The purposes personal data is processed for, each with its legal basis (GDPR Art. 6).

A purpose is data: the policy, the register and the notice beside each form render from it.
Legitimate interests carry the balancing note the policy must show; every purpose names whose
data it processes (`data_subjects`, for the record of processing, GDPR Art. 30(1)(c)).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class LegalBasis(models.TextChoices):
    CONTRACT = "contract", _("Contract (GDPR Art. 6(1)(b))")
    LEGAL_OBLIGATION = "legal_obligation", _("Legal obligation (GDPR Art. 6(1)(c))")
    LEGITIMATE_INTEREST = "legitimate_interest", _("Legitimate interest (GDPR Art. 6(1)(f))")
    CONSENT = "consent", _("Consent (GDPR Art. 6(1)(a))")


@dataclass(frozen=True)
class Purpose:
    code: str
    basis: LegalBasis
    title: Promise
    description: Promise
    balancing_note: Promise | None = None
    # A legitimate-interest purpose a person can switch off by objecting (analytics,
    # recommendations, direct marketing); the others rest on compelling grounds (security).
    objectable: bool = False
    # Why an objection does not stop a legitimate-interest purpose that is not objectable: the
    # compelling grounds that override it, or the legal claims it serves (GDPR Art. 21(1)).
    # Shown in the policy; the checks require it (privacy.E013).
    compelling_grounds: Promise | None = None

    # Whose data the purpose processes, as lazily translated labels (`DataSubjects`).
    data_subjects: tuple = ()

    def __str__(self) -> str:
        return str(self.title)


class DataSubjects:
    """The groups of people the purposes name (GDPR Art. 30(1)(c)); one label per group, so the
    register and the policy say the same thing in the same words."""

    LEARNERS = _("learners")
    INSTRUCTORS = _("instructors")
    STAFF = _("staff")
    BUYERS = _("buyers")
    INVITED_EMPLOYEES = _("people invited to a course place their employer bought")
    NEWSLETTER_SUBSCRIBERS = _("newsletter subscribers")
    MATERIAL_REQUESTERS = _("people who ask for free material")
    ENQUIRERS = _("people who contact us")
    VISITORS = _("visitors of the website")
    REPORTERS = _("people who report an account of a minor")


ACCOUNT = Purpose(
    "account",
    LegalBasis.CONTRACT,
    _("Your account"),
    _("To create your account, let you sign in and keep your profile."),
    data_subjects=(DataSubjects.LEARNERS, DataSubjects.INSTRUCTORS, DataSubjects.STAFF),
)
SECURITY = Purpose(
    "security",
    LegalBasis.LEGITIMATE_INTEREST,
    _("Security"),
    _("To protect accounts against break-ins and abuse, and to investigate incidents."),
    balancing_note=_(
        "Protecting your account and everyone else's outweighs the small intrusion of keeping "
        "technical records for a short time; they are never used for anything else."
    ),
    compelling_grounds=_(
        "An objection does not switch this off: an account that could not be protected would "
        "put your data and everyone else's at risk, and the law obliges us to keep the "
        "platform secure (GDPR Art. 32)."
    ),
    data_subjects=(
        DataSubjects.LEARNERS,
        DataSubjects.INSTRUCTORS,
        DataSubjects.STAFF,
        DataSubjects.VISITORS,
    ),
)
SERVICE_EMAIL = Purpose(
    "service_email",
    LegalBasis.CONTRACT,
    _("Service emails"),
    _("To send you the emails the service needs: confirmations, notices and receipts."),
    data_subjects=(
        DataSubjects.LEARNERS,
        DataSubjects.INSTRUCTORS,
        DataSubjects.STAFF,
        DataSubjects.BUYERS,
        DataSubjects.NEWSLETTER_SUBSCRIBERS,
        DataSubjects.MATERIAL_REQUESTERS,
        DataSubjects.ENQUIRERS,
    ),
)
PLATFORM_OPERATION = Purpose(
    "platform_operation",
    LegalBasis.LEGITIMATE_INTEREST,
    _("Running the platform"),
    _("To run background work reliably and keep a record of what the staff changed."),
    balancing_note=_(
        "A reliable service and an accountable staff are in your interest too; the records "
        "hold no more than needed and are deleted on a short schedule."
    ),
    compelling_grounds=_(
        "An objection does not switch this off: without a record of what our staff saw and "
        "changed, we could not show that your data was handled lawfully (GDPR Art. 5(2))."
    ),
    data_subjects=(DataSubjects.LEARNERS, DataSubjects.INSTRUCTORS, DataSubjects.STAFF),
)

PRIVACY_RIGHTS = Purpose(
    "privacy_rights",
    LegalBasis.LEGAL_OBLIGATION,
    _("Your privacy rights"),
    _(
        "To honour your consents, objections and requests, to erase an account that belongs to "
        "a minor, and to be able to prove that we did."
    ),
    data_subjects=(
        DataSubjects.LEARNERS,
        DataSubjects.BUYERS,
        DataSubjects.NEWSLETTER_SUBSCRIBERS,
        DataSubjects.ENQUIRERS,
        DataSubjects.VISITORS,
        DataSubjects.REPORTERS,
    ),
)

ALL_PURPOSES = {
    p.code: p for p in (ACCOUNT, SECURITY, SERVICE_EMAIL, PLATFORM_OPERATION, PRIVACY_RIGHTS)
}


def register_purpose(purpose: Purpose) -> Purpose:
    """Add a purpose an app needs (its own module defines it next to its declarations)."""
    existing = ALL_PURPOSES.setdefault(purpose.code, purpose)
    if existing is not purpose:
        raise ValueError(f"Purpose {purpose.code!r} is defined twice.")
    return purpose
