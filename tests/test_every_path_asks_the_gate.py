"""R30: every registered processing path asks the privacy gate, and obeys it.

For each path of each purpose (`privacy.paths`), a person is built, the path's rehearsal builds
what it needs, and then the person restricts processing -- or, for an objectable purpose,
objects -- and the path is run once for them. Each path must either refuse (the gate said no,
nothing in the whole database changed, nothing was queued) or go on under the Art. 18(2)
exception it names, and the gate's own answer, logged by the path, must say which.

A path joins this test by being registered: nothing here names one. A first test runs every
path for a person who did neither, so a refusal below cannot come from a rehearsal that would
never have worked.
"""

from __future__ import annotations

import logging

import pytest
from django.apps import apps

from coursekeeper.accounts.factories import UserFactory
from coursekeeper.privacy.factories import ConsentFactory, ObjectionFactory, RestrictionFactory
from coursekeeper.privacy.paths import ProcessingPath, Rehearsal, all_paths, resolve
from coursekeeper.privacy.purposes import LegalBasis

pytestmark = pytest.mark.django_db

PATHS = list(all_paths())
OBJECTABLE_PATHS = [
    path
    for path in PATHS
    if path.purpose.basis == LegalBasis.LEGITIMATE_INTEREST and path.purpose.objectable
]


def prepare(path: ProcessingPath):
    """Build a person and what the path needs for them; give a consent the purpose needs."""
    user = UserFactory()
    if path.purpose.basis == LegalBasis.CONSENT:
        ConsentFactory(user=user, email=user.email, purpose=path.purpose.code)
    rehearse = resolve(path.rehearsal)
    assert callable(rehearse)
    rehearsal = rehearse(user, path)
    assert isinstance(rehearsal, Rehearsal)
    return user, rehearsal


def database_rows() -> dict[str, list[tuple]]:
    """Return every row of every table, to show that a refusal changed nothing at all."""
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values_list())
        for model in apps.get_models(include_auto_created=True)
    }


def carry_out(rehearsal: Rehearsal):
    """Run the path; a refusal an app raises is returned (it must carry a message)."""
    try:
        return rehearsal.run()
    except Exception as error:
        if not hasattr(error, "code"):
            raise
        assert hasattr(error, "message") and str(error.message)
        return error


def answers(path: ProcessingPath, caplog) -> set[str]:
    return {
        record.decision
        for record in caplog.records
        if getattr(record, "processing_path", None) == path.name
    }


@pytest.fixture
def gate_log(caplog):
    with caplog.at_level(logging.DEBUG, logger="coursekeeper.privacy.paths"):
        yield caplog


def test_r30_every_purpose_has_a_path_and_every_path_a_rehearsal():
    from coursekeeper.privacy.purposes import ALL_PURPOSES

    assert {path.purpose.code for path in PATHS} == set(ALL_PURPOSES)
    assert all(callable(resolve(path.rehearsal)) for path in PATHS)


@pytest.mark.parametrize("path", PATHS, ids=str)
def test_r30_every_path_runs_for_a_person_who_neither_restricted_nor_objected(path, gate_log):
    _, rehearsal = prepare(path)

    outcome = carry_out(rehearsal)

    assert not isinstance(outcome, Exception), outcome
    assert rehearsal.happened()
    assert answers(path, gate_log) == {"allowed"}


@pytest.mark.parametrize("path", PATHS, ids=str)
def test_r30_every_path_stops_under_restriction_or_takes_the_exception_it_names(path, gate_log):
    user, rehearsal = prepare(path)
    RestrictionFactory(user=user, email=user.email)
    before = database_rows()

    outcome = carry_out(rehearsal)

    exception = path.goes_on_under_restriction
    if exception is None:
        assert answers(path, gate_log) == {"restricted"}
        assert not rehearsal.happened()
        assert database_rows() == before
        return
    assert not isinstance(outcome, Exception), outcome
    assert rehearsal.happened()
    # A legal obligation is the purpose's own basis: the gate does not even ask.
    expected = "allowed" if path.purpose.basis == LegalBasis.LEGAL_OBLIGATION else "excepted"
    assert answers(path, gate_log) == {expected}


@pytest.mark.parametrize("path", OBJECTABLE_PATHS, ids=str)
def test_r30_every_path_of_an_objectable_purpose_stops_at_an_objection(path, gate_log):
    user, rehearsal = prepare(path)
    ObjectionFactory(user=user, email=user.email, purpose=path.purpose.code)
    before = database_rows()

    carry_out(rehearsal)

    assert answers(path, gate_log) == {"objected"}
    assert not rehearsal.happened()
    assert database_rows() == before
