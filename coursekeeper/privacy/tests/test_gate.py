"""The privacy gate (R30, R31): one answer to "may purpose P run for person X now?"."""

from __future__ import annotations

import pytest
from django.utils import timezone

from coursekeeper.accounts.factories import UserFactory
from coursekeeper.privacy.factories import ConsentFactory, ObjectionFactory, RestrictionFactory
from coursekeeper.privacy.gate import may_process
from coursekeeper.privacy.people import Person
from coursekeeper.privacy.purposes import ACCOUNT, PRIVACY_RIGHTS, LegalBasis, Purpose

pytestmark = pytest.mark.django_db

NEWSLETTER = Purpose("newsletter", LegalBasis.CONSENT, "Newsletter", "News about courses.")
RECOMMENDATIONS = Purpose(
    "recommendations", LegalBasis.LEGITIMATE_INTEREST, "Recommendations", "Course suggestions."
)
STATISTICS = Purpose("statistics", LegalBasis.LEGITIMATE_INTEREST, "Statistics", "Page counts.")


def decision(person, purpose) -> tuple[bool, str]:
    answer = may_process(person, purpose)
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


def test_r30_objection_to_everything_stops_every_legitimate_interest_purpose():
    learner = UserFactory()
    ObjectionFactory(user=learner, purpose="")

    assert decision(Person.for_user(learner), STATISTICS) == (False, "objected")


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
