"""The privacy gate (R30, R31): one answer to "may purpose P run for person X now?"."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django.utils.functional import lazystr

from coursekeeper.accounts.factories import UserFactory
from coursekeeper.privacy.factories import (
    ConsentFactory,
    ErasureJobFactory,
    ObjectionFactory,
    RestrictionFactory,
)
from coursekeeper.privacy.gate import DespiteRestriction, may_process
from coursekeeper.privacy.people import Person
from coursekeeper.privacy.purposes import ACCOUNT, PRIVACY_RIGHTS, LegalBasis, Purpose

pytestmark = pytest.mark.django_db

# Titles and texts are lazy texts, as every real purpose's; these are never translated.
NEWSLETTER = Purpose(
    "newsletter", LegalBasis.CONSENT, lazystr("Newsletter"), lazystr("News about courses.")
)
RECOMMENDATIONS = Purpose(
    "recommendations",
    LegalBasis.LEGITIMATE_INTEREST,
    lazystr("Recommendations"),
    lazystr("Course suggestions."),
    objectable=True,
)
STATISTICS = Purpose(
    "statistics",
    LegalBasis.LEGITIMATE_INTEREST,
    lazystr("Statistics"),
    lazystr("Page counts."),
    objectable=True,
)
FRAUD_CHECKS = Purpose(
    "fraud_checks",
    LegalBasis.LEGITIMATE_INTEREST,
    lazystr("Fraud checks"),
    lazystr("Stop stolen cards."),
    compelling_grounds=lazystr("Other people's money is at stake."),
)


def decision(person, purpose) -> tuple[bool, str]:
    answer = may_process(person, purpose)
    return answer.allowed, answer.reason


def decision_with(person, purpose, exception) -> tuple[bool, str]:
    answer = may_process(person, purpose, exception=exception)
    return answer.allowed, answer.reason


def test_r31_consent_purpose_needs_a_consent_that_was_not_withdrawn():
    learner = UserFactory()
    person = Person.for_user(learner)
    assert decision(person, NEWSLETTER) == (False, "no_consent")

    consent = ConsentFactory(user=learner, purpose="newsletter")
    assert decision(person, NEWSLETTER) == (True, "allowed")

    consent.withdrawn_at = timezone.now()
    consent.save(update_fields=["withdrawn_at"])
    assert decision(person, NEWSLETTER) == (False, "no_consent")


def test_r31_a_subscriber_without_an_account_is_found_by_email(token):
    address = f"reader-{token}@example.org"
    ConsentFactory(user=None, email=address, purpose="newsletter")

    assert decision(Person.for_email(address), NEWSLETTER) == (True, "allowed")
    assert decision(Person.for_email(f"other-{token}@example.org"), NEWSLETTER) == (
        False,
        "no_consent",
    )


def test_r30_objection_stops_that_legitimate_interest_purpose_only():
    learner = UserFactory()
    person = Person.for_user(learner)
    ObjectionFactory(user=learner, purpose="recommendations")

    assert decision(person, RECOMMENDATIONS) == (False, "objected")
    assert decision(person, STATISTICS) == (True, "allowed")
    assert decision(person, ACCOUNT) == (True, "allowed")


def test_r30_objection_to_everything_stops_every_objectable_purpose():
    learner = UserFactory()
    ObjectionFactory(user=learner, purpose="")

    assert decision(Person.for_user(learner), STATISTICS) == (False, "objected")
    assert decision(Person.for_user(learner), RECOMMENDATIONS) == (False, "objected")


def test_r30_an_objection_leaves_a_purpose_with_compelling_grounds_alone():
    """Art. 21(1): a purpose that is not objectable states the grounds that override."""
    learner = UserFactory()
    ObjectionFactory(user=learner, purpose="")
    ObjectionFactory(user=learner, purpose="fraud_checks")

    assert decision(Person.for_user(learner), FRAUD_CHECKS) == (True, "allowed")


def test_r30_a_path_naming_an_art_18_2_exception_goes_on_under_restriction_only():
    learner = UserFactory()
    person = Person.for_user(learner)
    RestrictionFactory(user=learner)
    ObjectionFactory(user=learner, purpose="statistics")

    assert may_process(person, ACCOUNT, exception=DespiteRestriction.CONSENT).reason == "excepted"
    assert decision(person, ACCOUNT) == (False, "restricted")
    # No exception of Art. 18(2) outweighs an objection (Art. 21).
    assert decision_with(person, STATISTICS, DespiteRestriction.OTHER_PERSON) == (
        False,
        "objected",
    )


def test_r29_an_erasure_stops_exceptions_but_the_law_and_legal_claims():
    learner = UserFactory()
    person = Person.for_user(learner)
    ErasureJobFactory(user=learner)

    assert decision_with(person, ACCOUNT, DespiteRestriction.CONSENT) == (False, "erasure")
    assert decision_with(person, ACCOUNT, DespiteRestriction.LEGAL_CLAIMS) == (True, "allowed")
    assert decision_with(person, ACCOUNT, DespiteRestriction.LEGAL_OBLIGATION) == (
        True,
        "allowed",
    )


def test_r30_restriction_pauses_all_but_legal_obligations_even_what_rests_on_consent():
    learner = UserFactory()
    person = Person.for_user(learner)
    ConsentFactory(user=learner, purpose="newsletter")
    restriction = RestrictionFactory(user=learner)

    assert decision(person, ACCOUNT) == (False, "restricted")
    assert decision(person, RECOMMENDATIONS) == (False, "restricted")
    # A consent given before the restriction is not a consent to processing despite it.
    assert decision(person, NEWSLETTER) == (False, "restricted")
    assert decision(person, PRIVACY_RIGHTS) == (True, "allowed")

    restriction.lifted_at = timezone.now()
    restriction.save(update_fields=["lifted_at"])
    assert decision(person, ACCOUNT) == (True, "allowed")
    assert decision(person, NEWSLETTER) == (True, "allowed")


def test_r29_an_erased_person_is_processed_for_nothing_but_legal_obligations():
    learner = UserFactory()
    person = Person.for_user(learner)
    ConsentFactory(user=learner, purpose="newsletter")
    learner.delete()

    assert decision(person, NEWSLETTER) == (False, "erasure")
    assert decision(person, PRIVACY_RIGHTS) == (True, "allowed")
