"""Claiming, finishing and retrying `LeasedJob` rows: the one place their status changes.

What is atomic. A claim is one short transaction: it picks due rows, sets `status=running`, a
lease (`claimed_until`) and `attempts + 1`, and commits before any work starts. On PostgreSQL the
pick is `SELECT ... FOR UPDATE SKIP LOCKED`, so concurrent claimers take disjoint rows without
waiting for each other; on SQLite our transactions are IMMEDIATE (the write lock is taken at
BEGIN), so claimers simply run one after the other. In both cases the UPDATE repeats the "due"
condition, so a row that stopped being due in between is never claimed twice. Finishing
(`mark_done`) and giving up or retrying (`record_failure`) are one UPDATE each.

What a rerun does. A worker that dies leaves its rows `running` until their lease runs out; then
they are due again, are claimed by the next worker (attempts go up) and the work is redone, so
the work itself must tolerate that (the outbox reuses the message's Message-ID). The scheduler
also moves such rows back to `queued` and re-enqueues their task (`requeue_expired_leases`).

What is kept. A row never disappears here: after `max_attempts` claims, or on a permanent error,
it is `failed` with a short error code and stays visible.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import TypeVar

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from coursekeeper.jobs.models import JobStatus, LeasedJob

# Rows are reached through `_default_manager` (their `objects`): the abstract LeasedJob declares
# no manager a type checker could see.
Job = TypeVar("Job", bound=LeasedJob)

# Jitter only spreads retries apart; it needs no cryptographic randomness.
_jitter = random.Random()  # noqa: S311

LEASE_EXPIRED_TOO_OFTEN = "lease_expired"


def due(now: datetime) -> Q:
    """Return the condition of a claimable row: waiting and due, or held past its lease."""
    return Q(status=JobStatus.QUEUED, next_attempt_at__lte=now) | Q(
        status=JobStatus.RUNNING, claimed_until__lt=now
    )


def retry_delay(*, attempts: int, base_seconds: int, cap_seconds: int) -> timedelta:
    """Return how long to wait before the next attempt after `attempts` failed ones.

    Exponential (base, 2 x base, 4 x base ... up to the cap) with "equal jitter": a random point
    in the upper half of the interval, so rows that failed together do not retry together.
    """
    exponent = max(attempts - 1, 0)
    ceiling = min(cap_seconds, base_seconds * 2 ** min(exponent, 32))
    return timedelta(seconds=ceiling / 2 + _jitter.uniform(0, ceiling / 2))


def fail_exhausted_leases(model: type[LeasedJob], *, now: datetime) -> int:
    """Mark `failed` the rows whose lease ran out after their last allowed attempt."""
    return model._default_manager.filter(
        status=JobStatus.RUNNING, claimed_until__lt=now, attempts__gte=F("max_attempts")
    ).update(
        status=JobStatus.FAILED,
        claimed_until=None,
        finished_at=now,
        last_error_code=LEASE_EXPIRED_TOO_OFTEN,
    )


def claim_due_jobs(
    model: type[Job],
    *,
    limit: int = 1,
    pk: int | None = None,
    now: datetime | None = None,
    lease_seconds: float | None = None,
) -> list[Job]:
    """Claim up to `limit` due rows (or only row `pk`) for this worker and return them.

    The returned rows are `running`, leased until now + lease_seconds, and their `attempts` is
    already counted. Rows whose lease lapsed come first, then waiting rows, oldest first. An
    empty list means nothing was due (or another worker was faster).
    """
    now = now or timezone.now()
    lease = timedelta(seconds=model.lease_seconds if lease_seconds is None else lease_seconds)
    claimed_until = now + lease
    rows = model._default_manager.filter(attempts__lt=F("max_attempts"))
    if pk is not None:
        rows = rows.filter(pk=pk)
    # Two queries, each an ordered range scan of its own index, rather than one OR query that
    # would collect and sort every due row to return the first: that made a claim cost grow
    # with the backlog. select_for_update is a no-op on SQLite, where the IMMEDIATE transaction
    # already serialises claimers.
    lapsed = rows.filter(status=JobStatus.RUNNING, claimed_until__lt=now).order_by(
        "claimed_until", "pk"
    )
    waiting = rows.filter(status=JobStatus.QUEUED, next_attempt_at__lte=now).order_by(
        "next_attempt_at", "pk"
    )
    with transaction.atomic():
        fail_exhausted_leases(model, now=now)
        claimed = list(lapsed.select_for_update(skip_locked=True)[:limit])
        if len(claimed) < limit:
            claimed += waiting.select_for_update(skip_locked=True)[: limit - len(claimed)]
        if not claimed:
            return []
        updated = (
            model._default_manager.filter(pk__in=[row.pk for row in claimed])
            .filter(due(now))
            .update(
                status=JobStatus.RUNNING, claimed_until=claimed_until, attempts=F("attempts") + 1
            )
        )
        if updated != len(claimed):  # pragma: no cover - the rows are locked; never expected
            raise RuntimeError("A claimed row changed under its lock.")
    for row in claimed:
        row.status = JobStatus.RUNNING
        row.claimed_until = claimed_until
        row.attempts += 1
    return claimed


def mark_done(job: LeasedJob, *, now: datetime | None = None, **fields: object) -> bool:
    """Mark a claimed row `done` (with extra `fields`, e.g. sent_at) and commit it.

    Inside a caller's transaction it joins that one, so the work and its mark commit together.

    The work has happened, so this applies even if the lease ran out and another worker claimed
    the row meanwhile; only a row that is already done is left alone. Return whether it changed.
    """
    now = now or timezone.now()
    with transaction.atomic():
        changed = (
            type(job)
            ._default_manager.filter(pk=job.pk)
            .exclude(status=JobStatus.DONE)
            .update(
                status=JobStatus.DONE,
                claimed_until=None,
                finished_at=now,
                last_error_code="",
                **fields,
            )
        )
    return bool(changed)


def record_failure(
    job: LeasedJob, *, error_code: str, permanent: bool, now: datetime | None = None
) -> str | None:
    """Record a failed attempt on a row this worker claimed; return the row's new status.

    A permanent error, or a temporary one on the last allowed attempt, makes the row `failed`;
    otherwise it goes back to `queued` with a backed-off `next_attempt_at`. Nothing changes if
    the claim is no longer this worker's (the row was claimed again after the lease ran out):
    the other worker's outcome wins, and None is returned.
    """
    now = now or timezone.now()
    model = type(job)
    if permanent or job.attempts >= job.max_attempts:
        status = JobStatus.FAILED
        fields: dict[str, object] = {"finished_at": now}
    else:
        status = JobStatus.QUEUED
        delay = retry_delay(
            attempts=job.attempts,
            base_seconds=model.retry_base_seconds,
            cap_seconds=model.retry_cap_seconds,
        )
        fields = {"next_attempt_at": now + delay}
    with transaction.atomic():
        changed = model._default_manager.filter(
            pk=job.pk, status=JobStatus.RUNNING, attempts=job.attempts
        ).update(status=status, claimed_until=None, last_error_code=error_code[:64], **fields)
    return status if changed else None


def requeue_expired_leases(
    model: type[LeasedJob], *, now: datetime | None = None, limit: int = 1000
) -> list[int]:
    """Put rows whose lease ran out back in the queue, due now; return their ids.

    Called by the scheduler, which then enqueues the row's task for each id. Rows on their last
    allowed attempt are marked `failed` instead. Must run inside the caller's transaction so
    the enqueueing (on commit) matches what was committed.
    """
    now = now or timezone.now()
    fail_exhausted_leases(model, now=now)
    expired = model._default_manager.filter(
        status=JobStatus.RUNNING, claimed_until__lt=now, attempts__lt=F("max_attempts")
    )
    ids = list(
        expired.order_by("claimed_until", "pk")
        .select_for_update(skip_locked=True)
        .values_list("pk", flat=True)[:limit]
    )
    if ids:
        expired.filter(pk__in=ids).update(
            status=JobStatus.QUEUED, claimed_until=None, next_attempt_at=now
        )
    return ids
