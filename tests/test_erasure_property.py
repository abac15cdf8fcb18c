"""R29 as a property: for any people and any activity, erasing one touches no one else.

Hypothesis draws 2-3 people, each with a random subset of the declared personal-data models and
0-3 rows of each (built by the models' factories, as the no-trace test does, so a new model
joins the moment it is declared), and one of them to erase. Then:
- every other person's export is exactly what it was;
- nothing is found for the erased person any more, except rows a law makes us keep;
- the erased person's unique token is nowhere in the database or the stored files, except in
  those held rows.

Each example runs in its own transaction, rolled back at the end, so examples never see each
other's rows.
"""

from __future__ import annotations

import secrets

import pytest
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from coursekeeper.accounts.factories import UserFactory
from coursekeeper.privacy.declarations import KeepHeld, TheAccount, registry
from coursekeeper.privacy.people import Person
from coursekeeper.privacy.testing import factories_by_model
from coursekeeper.privacy.trace import trace_person
from coursekeeper.privacy.walks import erase_person, export_person

pytestmark = pytest.mark.django_db


def personal_labels() -> list[str]:
    return [
        declaration.label
        for declaration in registry
        if declaration.holds_personal_data and not isinstance(declaration.subject, TheAccount)
    ]


def held_labels() -> set[str]:
    return {d.label for d in registry if isinstance(d.erasure, KeepHeld)}


# Per person: which declared models they have rows of, and how many (0-3) of each.
activity = st.dictionaries(
    keys=st.deferred(lambda: st.sampled_from(personal_labels())),
    values=st.integers(min_value=0, max_value=3),
)


def make_person(activity: dict[str, int]) -> tuple[str, Person]:
    """Create an account carrying a fresh token, with `activity` rows; return token and person."""
    token = secrets.token_hex(6)
    user = UserFactory(
        email=f"prop-{token}@example.org",
        full_name=f"Pia {token} Property",
        phone=f"+45 {int(token, 16) % 10**8:08d}",
    )
    person = Person.for_user(user)
    factories = factories_by_model()
    declarations = {declaration.label: declaration for declaration in registry}
    for label, count in sorted(activity.items()):
        declaration = declarations[label]
        for number in range(count):
            try:
                with transaction.atomic():
                    factories[declaration.model](**declaration.subject.factory_kwargs(person))
            except IntegrityError:
                if number == 0:
                    raise
                break  # one per person is all the model allows (a group membership, a TOTP)
    return token, Person.for_user(user)  # with every address the activity verified


@hypothesis_settings(
    max_examples=20,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    activities=st.lists(activity, min_size=2, max_size=3),
    erased_index=st.integers(min_value=0, max_value=2),
)
def test_r29_erasing_one_person_leaves_everyone_else_as_before_and_no_trace_of_them(
    activities, erased_index, factory_setup
):
    erased_index %= len(activities)
    with transaction.atomic():
        people = [make_person(person_activity) for person_activity in activities]
        erased_token, erased = people[erased_index]
        others = [person for index, (_, person) in enumerate(people) if index != erased_index]
        others_before = [export_person(person) for person in others]

        outcome = erase_person(erased)

        assert [export_person(person) for person in others] == others_before
        assert set(export_person(erased)) <= held_labels()
        assert set(outcome.held) <= held_labels()
        unheld = [trace for trace in trace_person([erased_token]) if not trace.held]
        assert unheld == []
        transaction.set_rollback(True)


@pytest.fixture
def factory_setup(settings, tmp_path):
    """Keep the factories' stored files here, and hash their passwords quickly.

    Most factories make accounts, and Argon2 (the real hasher) made each example take seconds.
    """
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
