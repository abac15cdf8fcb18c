"""The scheduler: each periodic job runs once per slot, however many schedulers run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, TaskResult, task_backends
from django_tasks.backends.dummy import DummyBackend
from django_tasks_db.models import DBTaskResult, get_date_max

from coursekeeper.jobs.factories import ScheduledRunFactory
from coursekeeper.jobs.models import JobStatus, ScheduledRun
from coursekeeper.jobs.registry import PERIODIC_JOBS, periodic_job
from coursekeeper.jobs.scheduler import run_tick, slot_for
from coursekeeper.jobs.tasks import run_periodic_job
from coursekeeper.jobs.testing import child_environment, start_manage_py
from coursekeeper.messaging.factories import OutboxMessageFactory

NEW_YEAR = datetime(2026, 1, 1, tzinfo=UTC)
JOB_NAMES = [
    "commerce_card_expiry_reminders",
    "commerce_sandbox_deliver",
    "commerce_sandbox_renew",
    "contact_refresh_retention",
    "expire_exports",
    "learning_course_news",
    "newsletter_dispatch",
    "outbox_flush",
    "privacy_policy_notices",
    "privacy_relationship_clock",
    "privacy_request_clock",
    "privacy_sweep",
    "prune_erasure_ledger",
    "prune_scheduled_runs",
    "prune_task_results",
    "purge_expired_cache",
]
DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def dummy_results() -> list[TaskResult]:
    """Return the tasks the DummyBackend of DUMMY_TASKS was given."""
    backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
    assert isinstance(backend, DummyBackend)
    return backend.results


def test_slot_is_the_start_of_the_interval_in_utc():
    moment = datetime(2026, 3, 14, 15, 9, 26, 535000, tzinfo=UTC)

    assert slot_for(moment, timedelta(minutes=1)) == datetime(2026, 3, 14, 15, 9, tzinfo=UTC)
    assert slot_for(moment, timedelta(days=1)) == datetime(2026, 3, 14, tzinfo=UTC)


def test_registry_has_the_periodic_jobs_each_a_management_command():
    from django.core.management import get_commands

    assert sorted(job.name for job in PERIODIC_JOBS) == JOB_NAMES
    assert {job.name: job.interval for job in PERIODIC_JOBS} == {
        "outbox_flush": timedelta(minutes=1),
        "prune_task_results": timedelta(days=1),
        "prune_scheduled_runs": timedelta(days=1),
        "privacy_request_clock": timedelta(hours=1),
        "prune_erasure_ledger": timedelta(days=1),
        "purge_expired_cache": timedelta(hours=1),
        "expire_exports": timedelta(hours=1),
        "contact_refresh_retention": timedelta(days=1),
        "privacy_sweep": timedelta(days=1),
        "privacy_relationship_clock": timedelta(days=1),
        "newsletter_dispatch": timedelta(minutes=5),
        "commerce_card_expiry_reminders": timedelta(days=1),
        "commerce_sandbox_deliver": timedelta(minutes=1),
        "commerce_sandbox_renew": timedelta(hours=1),
        "privacy_policy_notices": timedelta(minutes=5),
        "learning_course_news": timedelta(minutes=5),
    }
    assert all(job.command in get_commands() for job in PERIODIC_JOBS)
    with pytest.raises(LookupError):
        periodic_job("no_such_job")


@pytest.mark.django_db
def test_a_tick_starts_each_job_once_per_slot_and_a_second_tick_skips(
    settings, django_capture_on_commit_callbacks
):
    settings.TASKS = DUMMY_TASKS
    with django_capture_on_commit_callbacks(execute=True):
        first = run_tick(now=NEW_YEAR + timedelta(seconds=5))
    with django_capture_on_commit_callbacks(execute=True):
        second = run_tick(now=NEW_YEAR + timedelta(seconds=40))

    assert sorted(first.started) == JOB_NAMES
    assert (second.started, sorted(second.skipped)) == ([], JOB_NAMES)
    assert sorted(ScheduledRun.objects.values_list("job", "slot")) == [
        (name, NEW_YEAR) for name in JOB_NAMES
    ]
    assert sorted(result.args[0] for result in dummy_results()) == JOB_NAMES


@pytest.mark.django_db
def test_the_next_minute_starts_the_minutely_job_again_but_not_the_daily_ones(settings):
    settings.TASKS = DUMMY_TASKS
    run_tick(now=NEW_YEAR)

    report = run_tick(now=NEW_YEAR + timedelta(minutes=1))

    assert report.started == ["outbox_flush", "commerce_sandbox_deliver"]
    assert ScheduledRun.objects.filter(job="outbox_flush").count() == 2


@pytest.mark.django_db
def test_a_tick_requeues_rows_whose_lease_ran_out_and_enqueues_their_task(
    settings, django_capture_on_commit_callbacks
):
    settings.TASKS = DUMMY_TASKS
    now = timezone.now()
    lapsed = OutboxMessageFactory(
        status=JobStatus.RUNNING, attempts=1, claimed_until=now - timedelta(seconds=1)
    )
    held = OutboxMessageFactory(
        status=JobStatus.RUNNING, attempts=1, claimed_until=now + timedelta(minutes=1)
    )

    with django_capture_on_commit_callbacks(execute=True):
        report = run_tick(now=now)

    lapsed.refresh_from_db()
    held.refresh_from_db()
    assert report.requeued == {"messaging.OutboxMessage": 1}
    assert (lapsed.status, lapsed.claimed_until, lapsed.attempts) == (JobStatus.QUEUED, None, 1)
    assert held.status == JobStatus.RUNNING
    delivery = [
        list(result.args)
        for result in dummy_results()
        if result.task.name == "deliver_outbox_message"
    ]
    assert delivery == [[lapsed.pk]]


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_started_together_run_each_job_once_per_slot(tmp_path):
    environment = child_environment(LOG_LEVEL="WARNING")
    arguments = ("scheduler", "--once", "--now", "2026-01-01T00:00:00Z")
    schedulers = [
        start_manage_py(*arguments, environment=environment, log=tmp_path / f"scheduler{n}.log")
        for n in range(2)
    ]
    for scheduler in schedulers:
        scheduler.wait(timeout=60)

    outputs = [(tmp_path / f"scheduler{n}.log").read_text() for n in range(2)]
    assert [scheduler.returncode for scheduler in schedulers] == [0, 0], outputs
    lines = [line for output in outputs for line in output.splitlines()]
    assert sorted(line for line in lines if line.startswith("started")) == [
        f"started {name} slot=2026-01-01T00:00:00+00:00" for name in JOB_NAMES
    ]
    assert sorted(line for line in lines if line.startswith("skipped")) == [
        f"skipped {name} slot=2026-01-01T00:00:00+00:00" for name in JOB_NAMES
    ]
    assert sorted(ScheduledRun.objects.values_list("job", "slot")) == [
        (name, NEW_YEAR) for name in JOB_NAMES
    ]
    enqueued = DBTaskResult.objects.all()
    assert [result.task_path for result in enqueued] == [run_periodic_job.module_path] * len(
        JOB_NAMES
    )
    assert sorted(result.args_kwargs["args"] for result in enqueued) == [
        [name] for name in JOB_NAMES
    ]


@pytest.mark.django_db
def test_prune_scheduled_runs_keeps_thirty_days():
    now = timezone.now()
    old = ScheduledRunFactory(slot=now - timedelta(days=31))
    recent = ScheduledRunFactory(slot=now - timedelta(days=29))

    call_command("prune_scheduled_runs", verbosity=0)

    assert list(ScheduledRun.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not ScheduledRun.objects.filter(pk=old.pk).exists()


@pytest.mark.django_db
def test_prune_task_results_deletes_finished_and_abandoned_results_older_than_a_week(
    database_tasks,
):
    now = timezone.now()

    def result(status: str, days: int) -> str:
        row = DBTaskResult.objects.create(
            args_kwargs={"args": ["prune_scheduled_runs"], "kwargs": {}},
            task_path=run_periodic_job.module_path,
            backend_name="default",
            run_after=get_date_max(),
            status=status,
            started_at=None if status == "READY" else now - timedelta(days=days),
            finished_at=now - timedelta(days=days) if status in {"SUCCESSFUL", "FAILED"} else None,
        )
        return str(row.pk)

    kept = {
        result("READY", 9),  # never run: not a finished result
        result("SUCCESSFUL", 6),
        result("FAILED", 6),
        result("RUNNING", 6),
    }
    result("SUCCESSFUL", 8)
    result("FAILED", 8)
    result("RUNNING", 8)  # a worker killed mid-task left it

    call_command("prune_task_results", verbosity=0)

    assert {str(pk) for pk in DBTaskResult.objects.values_list("pk", flat=True)} == kept


@pytest.mark.django_db
def test_run_periodic_job_runs_its_command():
    ScheduledRunFactory(slot=timezone.now() - timedelta(days=40))

    run_periodic_job.call("prune_scheduled_runs")

    assert ScheduledRun.objects.count() == 0
