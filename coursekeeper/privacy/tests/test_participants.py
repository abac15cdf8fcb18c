"""R29: erasure participants -- what an app does before a person's rows go, and right after.

A before step that fails erases nothing and the job is retried like any job, skipping the steps
already done; after steps run in the erasure's transaction from what they read before the walk;
the checks keep participants pointed at declared rows that really go; the erase page says what
the participants do.
"""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils.functional import lazystr

from coursekeeper.accounts.choices import Role
from coursekeeper.accounts.factories import StaffFactory, UserFactory
from coursekeeper.accounts.models import User
from coursekeeper.commerce.models import ShopSettings
from coursekeeper.privacy import checks, jobs, participants, rights
from coursekeeper.privacy.errors import PrivacyError
from coursekeeper.privacy.factories import ConsentFactory
from coursekeeper.privacy.models import Consent, ErasureJob, RightsRequest
from coursekeeper.privacy.participants import AFTER, BEFORE, Erasing, ErasureParticipant

pytestmark = pytest.mark.django_db(transaction=True)

BASE = "http://testserver/"
# The participants every erasure runs today, by kind, in order.
REGISTERED_BEFORE = ["commerce.cancel_subscriptions"]
REGISTERED_AFTER = ["privacy.forget_in_cache", "privacy.tell_recipients"]


@pytest.fixture(autouse=True)
def _jobs_run_when_told(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def add_participant(monkeypatch, participant: ErasureParticipant) -> None:
    """Register `participant` for this test only, after the real ones."""
    monkeypatch.setitem(participants._participants, participant.code, participant)


def nothing(erasing: Erasing) -> None:
    return None


def before_step(code: str, calls: list[str], *, fails: list[bool] | None = None):
    """A before step that records each call and raises while `fails` says so."""

    def step(erasing: Erasing) -> None:
        calls.append(code)
        assert erasing.person.user_id is not None
        assert User.objects.filter(pk=erasing.person.user_id).exists()
        if fails and fails.pop(0):
            raise ConnectionError("the other side does not answer")

    return ErasureParticipant(code=code, when=BEFORE, does=lazystr("test"), models=(), step=step)


def test_r29_the_project_registers_its_participants_in_order():
    assert [p.code for p in participants.participants(BEFORE)] == REGISTERED_BEFORE
    assert [p.code for p in participants.participants(AFTER)] == REGISTERED_AFTER


def test_r29_a_failed_before_step_erases_nothing_and_the_retry_skips_the_steps_done(monkeypatch):
    calls: list[str] = []
    add_participant(monkeypatch, before_step("tests.first", calls))
    add_participant(monkeypatch, before_step("tests.second", calls, fails=[True, False]))
    person = UserFactory()
    ConsentFactory(user=person)
    job = jobs.request_erasure(user=person)

    assert jobs.run_erasure_job(job_id=job.pk) is False

    job.refresh_from_db()
    assert (job.status, job.attempts, job.last_error_code) == ("queued", 1, "step:tests.second")
    assert sorted(job.steps_done) == sorted([*REGISTERED_BEFORE, "tests.first"])
    assert job.next_attempt_at > job.created_at
    assert User.objects.filter(pk=person.pk).count() == 1
    assert Consent.objects.get().withdrawn_at is None
    # Not due before its backed-off time: a run now finds nothing to do.
    assert jobs.run_erasure_job(job_id=job.pk) is False
    assert calls == ["tests.first", "tests.second"]

    with time_machine.travel(job.next_attempt_at, tick=False):
        assert jobs.run_erasure_job(job_id=job.pk) is True

    assert calls == ["tests.first", "tests.second", "tests.second"]
    job.refresh_from_db()
    assert (job.status, job.attempts, job.user_id) == ("done", 2, None)
    assert sorted(job.steps_done) == sorted(
        [*REGISTERED_BEFORE, "tests.first", "tests.second", *REGISTERED_AFTER]
    )
    assert User.objects.filter(pk=person.pk).count() == 0


def test_r29_a_before_step_that_keeps_failing_leaves_the_job_failed_and_the_person_there(
    monkeypatch,
):
    calls: list[str] = []
    add_participant(monkeypatch, before_step("tests.down", calls, fails=[True, True]))
    person = UserFactory()
    job = jobs.request_erasure(user=person)
    ErasureJob.objects.filter(pk=job.pk).update(max_attempts=2)

    jobs.run_erasure_job(job_id=job.pk)
    job.refresh_from_db()
    with time_machine.travel(job.next_attempt_at, tick=False):
        jobs.run_erasure_job(job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.attempts, job.last_error_code) == ("failed", 2, "step:tests.down")
    assert calls == ["tests.down", "tests.down"]
    assert User.objects.filter(pk=person.pk).count() == 1


def test_r29_after_steps_run_once_the_rows_are_gone_from_what_they_read_before(monkeypatch):
    seen: list[tuple[str, bool, int | None]] = []

    def after(erasing: Erasing) -> None:
        assert erasing.person.user_id is not None
        still_there = User.objects.filter(pk=erasing.person.user_id).exists()
        seen.append((erasing.read, still_there, erasing.request_id))

    add_participant(
        monkeypatch,
        ErasureParticipant(
            code="tests.after",
            when=AFTER,
            does=lazystr("test"),
            models=(),
            step=after,
            reads=lambda person: person.user.full_name,
        ),
    )
    person = UserFactory()
    request = rights.file_request(
        kind=RightsRequest.Kind.ERASURE,
        channel=RightsRequest.Channel.ACCOUNT,
        user=person,
        base_url=BASE,
    )
    job = jobs.request_erasure(user=person, request=request)

    assert jobs.run_erasure_job(job_id=job.pk) is True

    assert seen == [(person.full_name, False, request.pk)]
    job.refresh_from_db()
    assert sorted(job.steps_done) == sorted([*REGISTERED_BEFORE, *REGISTERED_AFTER, "tests.after"])


def test_r29_a_failing_after_step_rolls_the_whole_erasure_back(monkeypatch):
    def after(erasing: Erasing) -> None:
        raise RuntimeError("worker died")

    add_participant(
        monkeypatch,
        ErasureParticipant(
            code="tests.broken", when=AFTER, does=lazystr("test"), models=(), step=after
        ),
    )
    person = UserFactory()
    ConsentFactory(user=person)
    job = jobs.request_erasure(user=person)

    with pytest.raises(RuntimeError):
        jobs.run_erasure_job(job_id=job.pk)

    assert User.objects.filter(pk=person.pk).count() == 1
    assert Consent.objects.get().withdrawn_at is None
    job.refresh_from_db()
    # Left to its lease: the scheduler queues it again, as after a worker that died; the before
    # steps stay done.
    assert (job.status, sorted(job.steps_done)) == ("running", REGISTERED_BEFORE)


def test_r29_erasure_without_an_account_is_refused_when_a_before_step_fails(monkeypatch):
    calls: list[str] = []
    add_participant(monkeypatch, before_step("tests.down", calls, fails=[True]))
    officer = StaffFactory(role=Role.PRIVACY_OFFICER)
    ConsentFactory(user=None, email="visitor@example.org", purpose="shape_newsletter")
    request = rights.file_request(
        kind=RightsRequest.Kind.ERASURE,
        channel=RightsRequest.Channel.EMAIL,
        email="visitor@example.org",
        acting_user=officer,
        base_url=BASE,
    )

    with pytest.raises(PrivacyError) as refused:
        rights.carry_out_request(request_id=request.pk, acting_user=officer, base_url=BASE)

    assert (refused.value.code, refused.value.status) == ("erasure_step_failed", 503)
    assert calls == ["tests.down"]
    assert Consent.objects.get().withdrawn_at is None
    request.refresh_from_db()
    assert (request.status, request.email) == (RightsRequest.Status.OPEN, "visitor@example.org")


def test_r29_a_participant_is_registered_once_and_runs_either_before_or_after():
    with pytest.raises(ValueError, match="registered twice"):
        participants.erasure_participant(
            "privacy.forget_in_cache", does=lazystr("x"), after=nothing
        )
    with pytest.raises(ValueError, match="not both"):
        participants.erasure_participant(
            "tests.both", does=lazystr("x"), before=nothing, after=nothing
        )
    with pytest.raises(ValueError, match="not both"):
        participants.erasure_participant(
            "tests.reads", does=lazystr("x"), before=nothing, reads=str
        )
    assert "tests.both" not in participants._participants


# --- The checks ---------------------------------------------------------------------------------


def participant_errors() -> list[tuple[str | None, str]]:
    return [(error.id, error.msg) for error in checks.check_erasure_participants()]


def test_r29_the_project_passes_the_participant_checks():
    assert participant_errors() == []


def test_r29_a_participant_naming_a_model_without_personal_data_fails_the_check(monkeypatch):
    add_participant(
        monkeypatch,
        ErasureParticipant(
            code="tests.settings",
            when=BEFORE,
            does=lazystr("x"),
            models=(ShopSettings,),
            step=nothing,
        ),
    )

    assert participant_errors() == [
        (
            "privacy.E017",
            "The erasure participant 'tests.settings' names commerce.ShopSettings, which is not "
            "declared as holding personal data.",
        )
    ]


def test_r29_a_participant_going_with_held_rows_fails_the_check(monkeypatch):
    add_participant(
        monkeypatch,
        ErasureParticipant(
            code="tests.consents", when=BEFORE, does=lazystr("x"), models=(Consent,), step=nothing
        ),
    )

    assert participant_errors() == [
        (
            "privacy.E018",
            "The erasure participant 'tests.consents' goes with the erasure of privacy.Consent, "
            "whose rows erasure keeps (HOLD).",
        )
    ]


# --- What the person is told --------------------------------------------------------------------


def test_r29_the_erase_page_says_what_happens_before_and_as_the_data_is_erased():
    person = UserFactory()
    client = Client()
    client.force_login(person)

    page = client.get(reverse("privacy:erase_account")).content.decode()

    before = page.index("Before your data is erased:")
    after = page.index("As it is erased:")
    assert before < page.index("any running subscription is cancelled at the payment provider")
    assert after < page.index("everyone who received your data from us is told of the erasure")
    assert before < after
