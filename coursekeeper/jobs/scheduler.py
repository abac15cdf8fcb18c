"""One scheduler tick: start the periodic jobs whose slot is due, re-enqueue lapsed leases.

What is atomic. For each periodic job, the tick inserts `ScheduledRun(job, slot)` and registers
the enqueueing of `run_periodic_job(job)` on commit, in one transaction. The unique constraint on
(job, slot) is the only coordination between schedulers: when two run the same tick, the second
INSERT fails with IntegrityError (on PostgreSQL it first waits for the other transaction to
commit), its transaction is rolled back and the job is skipped. So a slot is started once, however
many schedulers run.

What a rerun does. A tick for a slot that already has its row does nothing for that job, so a
restarted scheduler never repeats a slot. A scheduler killed between its commit and the enqueue
leaves the slot recorded but not run; the next slot runs the job again, which is harmless because
every periodic job works from the durable rows (outbox, results), not from the slot.

Lapsed leases. Rows of every `LeasedJob` model that are `running` past their lease (the worker
died) are put back in the queue and their task is enqueued on commit, so they do not wait for
the next flush. Rows on their last allowed attempt are marked `failed` instead.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from coursekeeper.jobs.leases import requeue_expired_leases
from coursekeeper.jobs.models import ScheduledRun
from coursekeeper.jobs.registry import PERIODIC_JOBS, leased_job_models
from coursekeeper.jobs.tasks import run_periodic_job

logger = logging.getLogger(__name__)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def slot_for(now: datetime, interval: timedelta) -> datetime:
    """Return the start of the slot `now` falls in: whole intervals since the Unix epoch, UTC.

    A daily job's slot starts at midnight UTC, a one-minute job's at the full minute.
    """
    elapsed = (now - EPOCH) // interval
    return EPOCH + elapsed * interval


@dataclass
class TickReport:
    slot_by_job: dict[str, datetime] = field(default_factory=dict)
    started: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    requeued: dict[str, int] = field(default_factory=dict)


def run_tick(*, now: datetime | None = None) -> TickReport:
    """Start every periodic job whose current slot has not been started; requeue lapsed rows."""
    now = now or timezone.now()
    report = TickReport()
    for job in PERIODIC_JOBS:
        slot = slot_for(now, job.interval)
        report.slot_by_job[job.name] = slot
        try:
            with transaction.atomic():
                ScheduledRun.objects.create(job=job.name, slot=slot, created_at=now)
                transaction.on_commit(partial(run_periodic_job.enqueue, job.name))
        except IntegrityError:
            report.skipped.append(job.name)
        else:
            report.started.append(job.name)
            logger.info("periodic job started job=%s slot=%s", job.name, slot.isoformat())
    for model in leased_job_models():
        with transaction.atomic():
            ids = requeue_expired_leases(model, now=now)
            if ids and model.task_path:
                job_task = import_string(model.task_path)
                for pk in ids:
                    transaction.on_commit(partial(job_task.enqueue, pk))
        if ids:
            report.requeued[model._meta.label] = len(ids)
            logger.warning("lapsed leases requeued model=%s count=%s", model._meta.label, len(ids))
    return report
