"""What the operations role sees (R34): how the platform runs, never whose data it runs on.

Every figure here is technical: job rows by state with their error codes, the scheduler's last
slots, the retention sweep's counts, failed tasks by exception class, and the security log with
its addresses and browsers. A person appears only as the pseudonym the application logs use;
no name, address, lesson or message is read. Showing security events is still a look at
personal data (an IP address is one), so it is written to the staff-access log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Min, Sum
from django.utils import timezone

from coursekeeper.jobs.models import JobStatus, ScheduledRun
from coursekeeper.jobs.registry import PERIODIC_JOBS, leased_job_models

FAILED_SHOWN = 20
EVENTS_SHOWN = 50


@dataclass(frozen=True)
class JobState:
    name: str
    counts: dict[str, int]
    oldest_waiting: dt.datetime | None
    failures: list


@dataclass(frozen=True)
class PeriodicState:
    name: str
    interval: dt.timedelta
    last_slot: dt.datetime | None
    late: bool


def job_states() -> list[JobState]:
    """Return, per kind of job row, its counts by state, the oldest waiting and recent failures."""
    states = []
    for model in leased_job_models():
        rows = model._base_manager
        counts = dict.fromkeys(JobStatus.values, 0)
        counts.update(dict(rows.values_list("status").annotate(n=Count("pk")).order_by()))
        oldest = rows.filter(status=JobStatus.QUEUED).aggregate(at=Min("next_attempt_at"))["at"]
        failures = list(
            rows.filter(status=JobStatus.FAILED)
            .order_by("-finished_at", "-pk")
            .values("pk", "attempts", "last_error_code", "finished_at")[:FAILED_SHOWN]
        )
        states.append(JobState(str(model._meta.verbose_name_plural), counts, oldest, failures))
    return states


def periodic_states(now: dt.datetime | None = None) -> list[PeriodicState]:
    """Return each periodic job's last slot, late when two intervals passed without one."""
    now = now or timezone.now()
    last = dict(
        ScheduledRun.objects.values("job").annotate(slot=Max("slot")).values_list("job", "slot")
    )
    return [
        PeriodicState(
            job.name,
            job.interval,
            last.get(job.name),
            last.get(job.name) is None or last[job.name] < now - 2 * job.interval,
        )
        for job in PERIODIC_JOBS
    ]


def sweep_runs(limit: int = 10) -> list[dict]:
    """Return the latest retention sweeps: when, how long, how many rows they removed."""
    from coursekeeper.privacy.models import SweepLog

    return list(
        SweepLog.objects.values("run_id")
        .annotate(started=Min("started_at"), rows=Sum("count"), rules=Count("pk"))
        .order_by("-started")[:limit]
    )


def failed_tasks(limit: int = FAILED_SHOWN) -> list[Mapping[str, Any]]:
    """Return the latest failed background tasks: which task, which exception, when."""
    from django_tasks_db.models import DBTaskResult

    return list(
        DBTaskResult.objects.filter(status="FAILED")
        .order_by("-finished_at")
        .values("task_path", "exception_class_path", "finished_at")[:limit]
    )


@dataclass(frozen=True)
class SecurityLine:
    at: dt.datetime
    kind: str
    person: str
    ip: str
    user_agent: str


def security_events(*, acting_user, limit: int = EVENTS_SHOWN) -> tuple[dict, list[SecurityLine]]:
    """Return the last day's security events by kind and the latest events, logging the look."""
    from coursekeeper.privacy.access.services import record_access
    from coursekeeper.security.models import SecurityEvent
    from coursekeeper.security.services import pseudonym

    since = timezone.now() - dt.timedelta(days=1)
    labels = dict(SecurityEvent.Kind.choices)
    by_kind = {
        str(labels.get(kind, kind)): count
        for kind, count in SecurityEvent.objects.filter(at__gte=since)
        .values_list("kind")
        .annotate(n=Count("pk"))
        .order_by("-n")
    }
    events = list(SecurityEvent.objects.order_by("-at", "-pk")[:limit])
    record_access(
        acting_user=acting_user,
        rows=events,
        place="jobs:operations",
        categories=["technical"],
    )
    lines = [
        SecurityLine(
            event.at,
            str(labels.get(event.kind, event.kind)),
            pseudonym(event.user_id) if event.user_id else "",
            event.ip or "",
            event.user_agent,
        )
        for event in events
    ]
    return by_kind, lines
