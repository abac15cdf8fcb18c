"""R31, R46: the consent ledger -- one record type, the words kept, proofs held for the
limitation period of the person's country, and withdrawal as easy as giving."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from coursekeeper.accounts.factories import UserFactory
from coursekeeper.privacy import consents
from coursekeeper.privacy.gate import may_process
from coursekeeper.privacy.models import Consent
from coursekeeper.privacy.people import Person
from coursekeeper.privacy.purposes import ALL_PURPOSES
from coursekeeper.privacy.testing import declaration_of

pytestmark = pytest.mark.django_db

PURPOSE = "shape_newsletter"


@pytest.fixture
def wording():
    consents.ensure_wording(
        purpose=PURPOSE,
        version="2026-11",
        texts={"en": "Send me the newsletter.", "da": "Send mig nyhedsbrevet."},
    )


def test_r31_a_consent_needs_a_published_wording_and_a_consent_purpose(wording):
    with pytest.raises(ValueError, match="No published wording"):
        consents.give_consent(
            purpose=PURPOSE, wording_version="2099-01", language="en", method="form", email="a@b.c"
        )
    with pytest.raises(ValueError, match="not a purpose that rests on consent"):
        consents.give_consent(
            purpose="security",
            wording_version="2026-11",
            language="en",
            method="form",
            email="a@b.c",
        )


def test_r31_giving_twice_keeps_one_record_and_withdrawing_is_one_step(wording):
    learner = UserFactory(country="DK")
    first = consents.give_consent(
        purpose=PURPOSE,
        wording_version="2026-11",
        language="da",
        method="form",
        user=learner,
        email="",
    )
    again = consents.give_consent(
        purpose=PURPOSE,
        wording_version="2026-11",
        language="da",
        method="form",
        user=learner,
        email="",
    )
    assert first.pk == again.pk
    assert (first.email, first.country) == (learner.email, "DK")
    person = Person.for_user(learner)
    assert may_process(person, ALL_PURPOSES[PURPOSE])

    assert consents.withdraw_consent(person=person, purpose=PURPOSE) is True
    assert consents.withdraw_consent(person=person, purpose=PURPOSE) is False
    assert not may_process(person, ALL_PURPOSES[PURPOSE])
    assert may_process(person, ALL_PURPOSES["deliver_courses"])  # paid access stays


@pytest.mark.parametrize(
    ("country", "expected"),
    [
        # Denmark: 3 years from the withdrawal (forældelsesloven § 3).
        ("DK", dt.datetime(2029, 3, 10, 12, tzinfo=dt.UTC)),
        # Germany: 3 years from the end of the year (§§ 195, 199 BGB).
        ("DE", dt.datetime(2030, 1, 1, 0, tzinfo=dt.UTC)),
    ],
)
def test_r46_a_withdrawn_consents_proof_is_kept_for_the_limitation_period_of_the_country(
    wording, country, expected
):
    consent = consents.give_consent(
        purpose=PURPOSE,
        wording_version="2026-11",
        language="en",
        method="double opt-in",
        email=f"{country.lower()}@example.org",
        country=country,
    )
    person = Person.for_email(consent.email)
    with time_machine.travel(dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC), tick=False):
        consents.withdraw_consent(person=person, purpose=PURPOSE)
    consent.refresh_from_db()
    assert consent.proof_release_at == expected

    declaration = declaration_of(Consent)
    assert not declaration.expired(expected - dt.timedelta(days=1)).filter(pk=consent.pk).exists()
    assert declaration.expired(expected + dt.timedelta(days=1)).filter(pk=consent.pk).exists()


def test_r46_an_erasure_withdraws_every_consent_and_keeps_only_the_proof(wording):
    from coursekeeper.privacy.walks import erase_person

    learner = UserFactory(country="DE")
    consents.give_consent(
        purpose=PURPOSE,
        wording_version="2026-11",
        language="en",
        method="form",
        user=learner,
        email="",
    )
    outcome = erase_person(Person.for_user(learner))

    assert outcome.held["privacy.Consent"] == 1
    proof = Consent.objects.get()
    assert proof.user_id is None
    assert proof.withdrawn_at is not None and proof.proof_release_at is not None
    assert not may_process(Person.for_email(proof.email), ALL_PURPOSES[PURPOSE])
