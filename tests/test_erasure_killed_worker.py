"""R29: a real worker SIGKILLed in the middle of an erasure leaves the person whole or gone.

The person gets thousands of rows across every declared model the production settings know, so
the erasure takes a while. The worker is `manage.py db_worker` in a child process on the test's
own database (a file on SQLite) and media directory. It is SIGKILLed halfway through the walk:
its claim is committed (`running`) and the person's stored file is gone -- files are removed
before the commit, by privacy.ExportJob, a declaration in the middle of the walk -- so the rows
of every declaration before it would stay deleted were the erasure not one transaction. Then
the person's rows are counted, declaration by declaration: all as before, or all gone, never a
mix. The job's lease is made to run out (what time does to a dead worker's claim), the
scheduler's tick puts it back in the queue, and a second worker finishes: the person is fully
erased, their stored files included.

Where the kill landed is printed (run with -s); the either/or assertion holds wherever it did.
"""

from __future__ import annotations

import copy
import secrets
import signal
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from coursekeeper import settings as project_settings
from coursekeeper.accounts.factories import UserFactory
from coursekeeper.jobs.models import JobStatus, ScheduledRun
from coursekeeper.jobs.registry import PERIODIC_JOBS
from coursekeeper.jobs.scheduler import run_tick, slot_for
from coursekeeper.jobs.testing import (
    DATABASE_TASKS,
    child_environment,
    start_manage_py,
    stop,
    wait_until,
)
from coursekeeper.privacy.declarations import (
    Declaration,
    KeepHeld,
    Linked,
    TheAccount,
    registry,
)
from coursekeeper.privacy.jobs import request_erasure
from coursekeeper.privacy.models import ErasureJob, ErasureLedgerEntry
from coursekeeper.privacy.people import Person
from coursekeeper.privacy.testing import factories_by_model
from coursekeeper.privacy.trace import trace_files

pytestmark = pytest.mark.django_db(transaction=True)

ROWS_PER_MODEL = 3000
WORKER = ("db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.05")
# Built by the test and not by the erasure: the job row itself, and the ledger (the job writes it).
NOT_BUILT = (ErasureJob, ErasureLedgerEntry)


def production_declarations() -> list[Declaration]:
    """Return the declarations the worker knows: those of the project's own settings."""
    test_only = set(django_settings.INSTALLED_APPS) - set(project_settings.INSTALLED_APPS)
    return [
        declaration
        for declaration in registry
        if declaration.holds_personal_data
        and declaration.model._meta.app_config.name not in test_only
    ]


def _copyable(model: type[models.Model]) -> bool:
    """Whether copies of a row get their own id and can be made unique by new text."""
    return isinstance(model._meta.pk, models.AutoField) and all(
        field.primary_key
        or not field.unique
        or isinstance(field, models.CharField)
        or (field.has_default() and callable(field.default))
        for field in model._meta.concrete_fields
    )


def _unique_copy(row: models.Model, number: int, token: str) -> models.Model:
    clone = copy.copy(row)
    clone._state = copy.copy(row._state)
    clone._state.adding = True
    for field in row._meta.concrete_fields:
        if field.primary_key:
            setattr(clone, field.attname, None)  # a new id from the database
        elif field.unique:
            if field.has_default() and callable(field.default):
                setattr(clone, field.attname, field.get_default())
            else:
                setattr(clone, field.attname, f"{number}-{token}"[: field.max_length or 64])
    return clone


def build_many_rows_for(person: Person, per_model: int) -> None:
    """Give `person` up to `per_model` rows of every declared model, copied in bulk.

    One row per model comes from its factory; copies of it are bulk-inserted. A model whose
    copies break a uniqueness rule (one enrolment per course) keeps the one factory row.
    """
    factories = factories_by_model()
    token = secrets.token_hex(4)
    for declaration in production_declarations():
        if isinstance(declaration.subject, TheAccount) or declaration.model in NOT_BUILT:
            continue
        row = factories[declaration.model](**declaration.subject.factory_kwargs(person))
        model = declaration.model
        if isinstance(declaration.subject, Linked) or model._meta.auto_created:
            continue  # a session needs its UserSession; a link table one row per pair
        if not _copyable(model):
            continue
        copies = [_unique_copy(row, number, token) for number in range(per_model - 1)]
        try:
            with transaction.atomic():
                model._base_manager.bulk_create(copies, batch_size=500)
        except IntegrityError:
            pass  # a uniqueness rule over several columns: one row is all the person can have


def counts_for(person: Person) -> dict[str, int]:
    """Count the person's rows the erasure removes (held rows are counted by held_totals)."""
    return {
        d.label: d.rows_for(person).count()
        for d in production_declarations()
        if not isinstance(d.erasure, KeepHeld)
    }


def held_totals() -> dict[str, int]:
    return {
        d.label: d.model._base_manager.count()
        for d in production_declarations()
        if isinstance(d.erasure, KeepHeld)
    }


def another_transaction_is_open() -> bool:
    """Whether another connection (the worker's) is inside a write transaction right now.

    PostgreSQL reports it in pg_stat_activity. On SQLite a writer holds the database's write
    lock for its whole transaction (ours are IMMEDIATE), so a BEGIN IMMEDIATE that may not wait
    fails exactly then; when it succeeds it is rolled back at once.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid() AND xact_start IS NOT NULL"
                " AND backend_xid IS NOT NULL"
            )
            (count,) = cursor.fetchone()
        return count > 0
    probe = sqlite3.connect(connection.settings_dict["NAME"], timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError:
        return True
    else:
        probe.execute("ROLLBACK")
        return False
    finally:
        probe.close()


def job_status(job_id: int) -> str:
    return ErasureJob.objects.values_list("status", flat=True).get(pk=job_id)


def test_r29_a_worker_killed_mid_erasure_leaves_the_person_whole_or_gone_and_a_rerun_finishes(
    settings, tmp_path
):
    settings.TASKS = DATABASE_TASKS
    # The worker's var directory (its media) is this test's; its database is the test's own.
    settings.MEDIA_ROOT = tmp_path / "var" / "media"
    environment = child_environment(COURSEKEEPER_VAR_DIR=str(tmp_path / "var"), LOG_LEVEL="WARNING")
    token = secrets.token_hex(6)
    user = UserFactory(email=f"killed-{token}@example.org", full_name=f"Kai {token} Killed")
    person = Person.for_user(user)
    build_many_rows_for(person, ROWS_PER_MODEL)
    bystander = UserFactory()
    build_many_rows_for(Person.for_user(bystander), 3)
    bystander_counts = counts_for(Person.for_user(bystander))
    held_before = held_totals()
    job = request_erasure(user=user)  # disables the account; its rows are counted from here
    before = counts_for(person)
    gone = dict.fromkeys(before, 0)
    assert sum(before.values()) > 5 * ROWS_PER_MODEL  # thousands of rows across many models
    # Their export's file (other declared files, an exercise handed in, are theirs too).
    (stored_file,) = [
        Path(trace.where)
        for trace in trace_files([token], [settings.MEDIA_ROOT])
        if Path(trace.where).parent.name == "exports"
    ]

    first = start_manage_py(*WORKER, environment=environment, log=tmp_path / "first.log")
    try:
        # The claim is committed (`running`); the erasure is half done when it removes the
        # person's stored file (privacy.ExportJob comes midway through the declarations, and
        # files go before the commit): kill there.
        assert wait_until(
            lambda: job_status(job.pk) != JobStatus.QUEUED, timeout=60, interval=0.002
        ), (tmp_path / "first.log").read_text()
        wait_until(lambda: not stored_file.exists(), timeout=30, interval=0.0005)
        inside = another_transaction_is_open()
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        status_at_kill = job_status(job.pk)
        after_kill = counts_for(person)
    finally:
        stop(first)

    landed_mid_transaction = status_at_kill == JobStatus.RUNNING
    print(  # shown with -s: where the kill landed
        f"kill test ({django_settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}): "
        f"rows={sum(before.values())} status at kill={status_at_kill} "
        f"inside its transaction={inside}"
    )
    assert after_kill in (before, gone), {
        label: (before[label], after_kill[label])
        for label in before
        if after_kill[label] not in (before[label], 0)
    }
    assert (after_kill == before) is landed_mid_transaction  # the erasure and "done" go together
    assert held_totals() == held_before

    if landed_mid_transaction:
        # What time does to a dead worker's claim; then the scheduler's tick requeues the job.
        ErasureJob.objects.filter(pk=job.pk).update(
            claimed_until=timezone.now() - timedelta(seconds=1)
        )
        # Only the requeue is under test: this slot's periodic jobs count as started, so none
        # of them (a policy notice the bystander's rows are due, say) runs in between.
        now = timezone.now()
        for periodic in PERIODIC_JOBS:
            ScheduledRun.objects.get_or_create(
                job=periodic.name,
                slot=slot_for(now, periodic.interval),
                defaults={"created_at": now},
            )
        report = run_tick(now=now)
        assert report.requeued == {"privacy.ErasureJob": 1}
        assert report.started == []
        second = start_manage_py(*WORKER, environment=environment, log=tmp_path / "second.log")
        try:
            finished = wait_until(
                lambda: job_status(job.pk) == JobStatus.DONE, timeout=120, interval=0.1
            )
        finally:
            stop(second)
        assert finished, (tmp_path / "second.log").read_text()

    job.refresh_from_db()
    assert (job.status, job.user_id) == (JobStatus.DONE, None)
    assert job.attempts == (2 if landed_mid_transaction else 1)
    assert counts_for(person) == gone
    assert trace_files([token], [settings.MEDIA_ROOT]) == []
    assert held_totals() == held_before
    assert counts_for(Person.for_user(bystander)) == bystander_counts
