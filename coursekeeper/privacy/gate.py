"""The privacy gate: may purpose P be carried out for person X now?

Every processing path that is not plainly part of the service the person asked for — a
newsletter send, statistics, recommendations, a marketing pixel — asks `may_process` first, and
no path decides this on its own. The answer is read from consent, restriction, objection and
erasure state, in this order:

1. An erasure the person asked for is under way or done: nothing but what a law requires.
2. Processing is restricted (Art. 18): only storage, or what a legal obligation or legal
   claims need. Art. 18(2)'s "with the data subject's consent" is a consent to processing
   despite the restriction, which the platform does not ask for; a consent given before (a
   newsletter) does not count, so direct marketing stops too.
3. Consent-based purposes need a consent that has not been withdrawn.
4. Legitimate-interest purposes stop at an objection (Art. 21); an objection to direct
   marketing always wins.
5. Contract and legal obligation go ahead.

Before all of these (after an erasure): once a version of the privacy policy is in effect, a
purpose that version does not announce is not carried out (R21) -- a purpose a pending version
adds waits until that version takes effect. Before any version was published this step allows
everything, so a fresh installation works as before.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from coursekeeper.privacy.models import Consent, Objection, Restriction
from coursekeeper.privacy.people import Person
from coursekeeper.privacy.purposes import LegalBasis, Purpose

# Purposes that may still run while processing is restricted (GDPR Art. 18(2)).
ALLOWED_UNDER_RESTRICTION = {LegalBasis.LEGAL_OBLIGATION}


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str

    def __bool__(self) -> bool:
        return self.allowed


REASONS = {
    "erasure": _("The person asked for their data to be erased."),
    "not_announced": _(
        "The privacy policy in effect does not announce this purpose yet; it starts when the "
        "version that announces it takes effect."
    ),
    "restricted": _("Processing is restricted at the person's request."),
    "no_consent": _("The person has not consented, or has withdrawn consent."),
    "objected": _("The person objected to this processing."),
    "allowed": _("Allowed."),
}


def about_person(person: Person) -> Q:
    """Return the filter for rows that name `person` by account or by email address."""
    query = Q(pk__in=[])
    if person.user_id is not None:
        query |= Q(user_id=person.user_id)
    if person.emails:
        query |= Q(email__in=sorted(person.emails))
    return query


def _erasure_requested(person: Person) -> bool:
    """Return whether an erasure of the person is pending or done (the rights engine's jobs)."""
    from coursekeeper.privacy import erasure_state

    return erasure_state.is_being_erased(person)


def _announced(purpose: Purpose) -> bool:
    """Return whether the policy version in effect announces `purpose` (True before any)."""
    from coursekeeper.privacy.publishing import announced_purpose_codes

    codes = announced_purpose_codes()
    return codes is None or purpose.code in codes


def may_process(person: Person, purpose: Purpose) -> Decision:
    """Answer whether `purpose` may be carried out for `person` now, and why (or why not)."""
    basis = purpose.basis
    if _erasure_requested(person) and basis != LegalBasis.LEGAL_OBLIGATION:
        return Decision(False, "erasure")
    if not _announced(purpose):
        return Decision(False, "not_announced")
    if (
        Restriction.objects.filter(about_person(person), lifted_at__isnull=True).exists()
        and basis not in ALLOWED_UNDER_RESTRICTION
    ):
        return Decision(False, "restricted")
    if basis == LegalBasis.CONSENT:
        consented = Consent.objects.filter(
            about_person(person), purpose=purpose.code, withdrawn_at__isnull=True
        ).exists()
        return Decision(True, "allowed") if consented else Decision(False, "no_consent")
    if (
        basis == LegalBasis.LEGITIMATE_INTEREST
        and (
            Objection.objects.filter(about_person(person)).filter(
                Q(purpose="") | Q(purpose=purpose.code)
            )
        ).exists()
    ):
        return Decision(False, "objected")
    return Decision(True, "allowed")
