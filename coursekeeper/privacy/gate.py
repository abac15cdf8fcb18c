"""The privacy gate: may purpose P be carried out for person X now?

Every processing path (`privacy.paths`: a service, task or periodic job registered for its
purpose) asks `may_process` before it writes, sends or counts anything for a person, and no
path decides this on its own. The answer is read from consent, restriction, objection and
erasure state, in this order:

1. An erasure the person asked for is under way or done: nothing but what a law requires or
   legal claims need (Art. 17(3)(b), (e)).
2. Processing is restricted (Art. 18): only storage, unless the purpose rests on a legal
   obligation or the asking path names one of the exceptions of Art. 18(2)
   (`DespiteRestriction`). A consent given before the restriction (a newsletter) is not a
   consent to processing despite it, so direct marketing stops too; the one consent the
   platform counts is the person's own request, made while restricted, for exactly what the
   path does (see `DespiteRestriction.CONSENT`).
3. Consent-based purposes need a consent that has not been withdrawn.
4. Legitimate-interest purposes a person can object to stop at an objection (Art. 21); an
   objection to direct marketing always wins, and no exception of Art. 18(2) outweighs it.
   A purpose that is not objectable rests on compelling grounds it states
   (`Purpose.compelling_grounds`), so an objection, even one to "everything", leaves it alone.
5. Contract and legal obligation go ahead.

Before all of these (after an erasure): once a version of the privacy policy is in effect, a
purpose that version does not announce is not carried out (R21) -- a purpose a pending version
adds waits until that version takes effect. Before any version was published this step allows
everything, so a fresh installation works as before.

Cost. Progress saves and page views ask on every request, so an answer costs two queries for
a person with an account: the policy in effect, and one row that carries every other question
(restriction, consent, objection, erasure) as an EXISTS. A question the answer cannot depend on
is not asked at all: the consents only for a consent-based purpose, the objections only for an
objectable one, and nothing but the policy for a legal obligation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Exists, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from coursekeeper.privacy.models import Consent, Objection, Restriction
from coursekeeper.privacy.people import Person
from coursekeeper.privacy.purposes import LegalBasis, Purpose


class DespiteRestriction(models.TextChoices):
    """The exceptions of GDPR Art. 18(2): why a path may go on while processing is restricted.

    Storage needs no exception: keeping what is stored is all a restriction leaves. The labels
    complete the policy's sentence "… goes on, because …".
    """

    # What a Union or Member State law obliges us to do: the law is the "important public
    # interest" Art. 18(2) names, and a restriction cannot set it aside.
    LEGAL_OBLIGATION = "legal_obligation", _("a law requires it")
    LEGAL_CLAIMS = "legal_claims", _("it is needed to establish, exercise or defend legal claims")
    OTHER_PERSON = "other_person", _("it protects the rights of another person")
    # Narrow on purpose: the person starts the path themselves, for exactly what it does, each
    # time; it records nothing new about them and shows nothing to anyone else.
    CONSENT = "consent", _("you ask for it yourself, each time")


# An erasure the person asked for does not stop what a law requires or legal claims need
# (Art. 17(3)(b), (e)); the other exceptions of Art. 18(2) do not reach that far.
SURVIVES_ERASURE = {DespiteRestriction.LEGAL_OBLIGATION, DespiteRestriction.LEGAL_CLAIMS}


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
    "excepted": _(
        "Processing is restricted at the person's request, but this goes on under an "
        "exception of GDPR Art. 18(2)."
    ),
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


def _announced(purpose: Purpose) -> bool:
    """Return whether the policy version in effect announces `purpose` (True before any)."""
    from coursekeeper.privacy.publishing import announced_purpose_codes

    codes = announced_purpose_codes()
    return codes is None or purpose.code in codes


def is_restricted(person: Person) -> bool:
    """Return whether the person's processing is restricted now (Art. 18)."""
    return _restrictions(person).exists()


def _restrictions(person: Person) -> QuerySet:
    return Restriction.objects.filter(about_person(person), lifted_at__isnull=True)


def _consents(person: Person, purpose: Purpose) -> QuerySet:
    return Consent.objects.filter(
        about_person(person), purpose=purpose.code, withdrawn_at__isnull=True
    )


def _objections(person: Person, purpose: Purpose) -> QuerySet:
    return Objection.objects.filter(about_person(person)).filter(
        Q(purpose="") | Q(purpose=purpose.code)
    )


def _standing(person: Person, questions: dict[str, QuerySet], *, erasure: bool) -> dict[str, bool]:
    """Answer each question (does this queryset have a row?) and, if asked, the erasure's.

    For a person with an account this is one query: the questions ride on the account's row,
    and a missing row means the account was erased. Without an account, each is its own query
    and there is no erasure to look up (an erasure is of an account).
    """
    if person.user_id is None:
        answers = {name: rows.exists() for name, rows in questions.items()}
        return {**answers, "erasure": False}
    from django.contrib.auth import get_user_model

    from coursekeeper.privacy.erasure_state import erasure_jobs_of

    expressions = {name: Exists(rows) for name, rows in questions.items()}
    if erasure:
        expressions["erasure"] = Exists(erasure_jobs_of(person.user_id))
    # The stubs type the row by its fixed keys ("pk") only; the questions' are computed.
    row: Mapping[str, Any] | None = (
        get_user_model()._base_manager.filter(pk=person.user_id).values("pk", **expressions).first()
    )
    if row is None:  # the account is gone: erased, and nothing else is asked of it
        return {name: False for name in questions} | {"erasure": True}
    return {name: bool(row[name]) for name in questions} | {"erasure": bool(row.get("erasure"))}


def may_process(
    person: Person, purpose: Purpose, *, exception: DespiteRestriction | None = None
) -> Decision:
    """Answer whether `purpose` may be carried out for `person` now, and why (or why not).

    `exception` is the Art. 18(2) exception the asking path names (`ProcessingPath.exception`);
    without one, a restriction stops everything but what a legal obligation is the basis of.
    """
    basis = purpose.basis
    legal_obligation = basis == LegalBasis.LEGAL_OBLIGATION
    questions: dict[str, QuerySet] = {}
    if not legal_obligation:
        questions["restricted"] = _restrictions(person)
    if basis == LegalBasis.CONSENT:
        questions["consented"] = _consents(person, purpose)
    if basis == LegalBasis.LEGITIMATE_INTEREST and purpose.objectable:
        questions["objected"] = _objections(person, purpose)
    erasure_matters = not (legal_obligation or exception in SURVIVES_ERASURE)
    if not (questions or erasure_matters):  # a legal obligation: only the policy can stop it
        announced = _announced(purpose)
        return Decision(True, "allowed") if announced else Decision(False, "not_announced")
    standing = _standing(person, questions, erasure=erasure_matters)
    if erasure_matters and standing["erasure"]:
        return Decision(False, "erasure")
    if not _announced(purpose):
        return Decision(False, "not_announced")
    restricted = standing.get("restricted", False)
    if restricted and exception is None:
        return Decision(False, "restricted")
    if basis == LegalBasis.CONSENT and not standing["consented"]:
        return Decision(False, "no_consent")
    if standing.get("objected", False):
        return Decision(False, "objected")
    return Decision(True, "excepted" if restricted else "allowed")


def _naming_accounts(rows: QuerySet) -> Q:
    """Return the filter for accounts that `rows` (person references) name, as `about_person`
    matches them: by account, by the account's address or by any address it verified."""
    addresses = rows.exclude(email="").values("email")
    return (
        Q(pk__in=rows.filter(user__isnull=False).values("user_id"))
        | Q(email__in=addresses)
        | Q(emailaddress__email__in=addresses)
    )


def refused_accounts(purpose: Purpose, *, exception: DespiteRestriction | None = None) -> QuerySet:
    """Return the ids of the accounts for which `may_process` would refuse `purpose` now.

    The gate's answer for many people at once, for a path that counts a whole group (course
    statistics): use it as `.exclude(learner_id__in=refused_accounts(PURPOSE))`, one subquery,
    instead of asking about each person in a loop. It follows `may_process` step by step, and a
    test holds the two to the same answers.
    """
    from django.contrib.auth import get_user_model

    from coursekeeper.privacy.models import ErasureJob

    accounts = get_user_model()._base_manager
    if not _announced(purpose):
        return accounts.values("pk")
    basis = purpose.basis
    if basis == LegalBasis.LEGAL_OBLIGATION:
        return accounts.none().values("pk")
    refused = Q(pk__in=[])
    if exception not in SURVIVES_ERASURE:
        refused |= Q(pk__in=ErasureJob.objects.exclude(status="failed").values("user_id"))
    if exception is None:
        refused |= _naming_accounts(Restriction.objects.filter(lifted_at__isnull=True))
    if basis == LegalBasis.CONSENT:
        given = Consent.objects.filter(purpose=purpose.code, withdrawn_at__isnull=True)
        refused |= ~Q(pk__in=accounts.filter(_naming_accounts(given)).values("pk"))
    if basis == LegalBasis.LEGITIMATE_INTEREST and purpose.objectable:
        objections = Objection.objects.filter(Q(purpose="") | Q(purpose=purpose.code))
        refused |= _naming_accounts(objections)
    return accounts.filter(refused).values("pk")
