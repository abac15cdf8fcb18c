"""Claiming, retrying and failing leased job rows (the background-work spine).

The outbox message is the one concrete `LeasedJob` so far, so these tests use it as the model.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone

from coursekeeper.jobs.leases import (
    LEASE_EXPIRED_TOO_OFTEN,
    claim_due_jobs,
    mark_done,
    record_failure,
    requeue_expired_leases,
    retry_delay,
)
from coursekeeper.jobs.models import JobStatus
from coursekeeper.messaging.factories import OutboxMessageFactory
from coursekeeper.messaging.models import OutboxMessage


def state(row: OutboxMessage) -> tuple:
    row.refresh_from_db()
    return (row.status, row.attempts, row.claimed_until, row.next_attempt_at, row.last_error_code)


@pytest.mark.django_db
def test_claim_takes_a_due_row_sets_the_lease_and_counts_the_attempt():
    now = timezone.now()
    row = OutboxMessageFactory(next_attempt_at=now - timedelta(seconds=1))

    (claimed,) = claim_due_jobs(OutboxMessage, now=now, lease_seconds=120)

    assert claimed.pk == row.pk
    assert claimed.status == JobStatus.RUNNING
    assert claimed.claimed_until == now + timedelta(seconds=120)
    assert claimed.attempts == 1
    assert state(row)[:3] == (JobStatus.RUNNING, 1, now + timedelta(seconds=120))


@pytest.mark.django_db
def test_claim_leaves_rows_that_are_not_due_untouched():
    now = timezone.now()
    later = OutboxMessageFactory(next_attempt_at=now + timedelta(minutes=5))
    held = OutboxMessageFactory(
        status=JobStatus.RUNNING, attempts=1, claimed_until=now + timedelta(minutes=1)
    )
    done = OutboxMessageFactory(status=JobStatus.DONE, attempts=1, sent_at=now)
    failed = OutboxMessageFactory(status=JobStatus.FAILED, attempts=8, last_error_code="x")
    before = {row.pk: state(row) for row in (later, held, done, failed)}

    assert claim_due_jobs(OutboxMessage, now=now, limit=10) == []
    assert {row.pk: state(row) for row in (later, held, done, failed)} == before


@pytest.mark.django_db
def test_a_running_row_whose_lease_expired_is_claimed_again_with_one_more_attempt():
    now = timezone.now()
    row = OutboxMessageFactory(
        status=JobStatus.RUNNING, attempts=1, claimed_until=now - timedelta(seconds=1)
    )
    message_id = row.message_id

    (claimed,) = claim_due_jobs(OutboxMessage, now=now, lease_seconds=60)

    assert (claimed.pk, claimed.attempts, claimed.message_id) == (row.pk, 2, message_id)
    assert claimed.claimed_until == now + timedelta(seconds=60)


@pytest.mark.django_db
def test_a_lapsed_row_on_its_last_attempt_is_failed_and_kept_not_claimed():
    now = timezone.now()
    row = OutboxMessageFactory(
        status=JobStatus.RUNNING,
        attempts=3,
        max_attempts=3,
        claimed_until=now - timedelta(seconds=1),
    )

    assert claim_due_jobs(OutboxMessage, now=now) == []
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error_code, row.claimed_until) == (
        JobStatus.FAILED,
        3,
        LEASE_EXPIRED_TOO_OFTEN,
        None,
    )
    assert row.finished_at == now


@pytest.mark.django_db
def test_claim_by_id_takes_only_that_row_and_oldest_due_rows_come_first():
    now = timezone.now()
    newer = OutboxMessageFactory(next_attempt_at=now - timedelta(seconds=1))
    older = OutboxMessageFactory(next_attempt_at=now - timedelta(seconds=10))

    assert [row.pk for row in claim_due_jobs(OutboxMessage, pk=newer.pk, now=now)] == [newer.pk]
    assert state(older)[0] == JobStatus.QUEUED
    third = OutboxMessageFactory(next_attempt_at=now - timedelta(seconds=5))
    assert [row.pk for row in claim_due_jobs(OutboxMessage, limit=5, now=now)] == [
        older.pk,
        third.pk,
    ]


@pytest.mark.django_db(transaction=True)
def test_concurrent_claimers_never_get_the_same_row():
    rows = OutboxMessageFactory.create_batch(60, next_attempt_at=timezone.now())
    claimed_by_worker: list[list[int]] = [[] for _ in range(4)]
    errors: list[BaseException] = []

    def claim_all(index: int) -> None:
        try:
            while claimed := claim_due_jobs(OutboxMessage, limit=3):
                claimed_by_worker[index].extend(row.pk for row in claimed)
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claim_all, args=(index,)) for index in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    every_claim = [pk for claims in claimed_by_worker for pk in claims]
    assert sorted(every_claim) == sorted(row.pk for row in rows)
    assert OutboxMessage.objects.filter(status=JobStatus.RUNNING, attempts=1).count() == 60


def test_retry_delay_grows_exponentially_with_jitter_and_is_capped():
    cases = [(1, 60), (2, 120), (3, 240), (7, 3840), (9, 15360), (10, 21600), (40, 21600)]
    for attempts, ceiling in cases:
        delays = {
            retry_delay(attempts=attempts, base_seconds=60, cap_seconds=6 * 3600).total_seconds()
            for _ in range(200)
        }
        assert min(delays) >= ceiling / 2
        assert max(delays) <= ceiling
        assert len(delays) > 100  # jittered, not one fixed value


@pytest.mark.django_db
def test_a_temporary_failure_requeues_the_row_with_a_backed_off_next_attempt():
    now = timezone.now()
    OutboxMessageFactory(next_attempt_at=now)
    (claimed,) = claim_due_jobs(OutboxMessage, now=now)

    status = record_failure(claimed, error_code="connection_refused", permanent=False, now=now)

    claimed.refresh_from_db()
    assert status == JobStatus.QUEUED
    assert (claimed.status, claimed.attempts, claimed.claimed_until) == (JobStatus.QUEUED, 1, None)
    assert claimed.last_error_code == "connection_refused"
    assert now + timedelta(seconds=30) <= claimed.next_attempt_at <= now + timedelta(seconds=60)
    assert claimed.finished_at is None


@pytest.mark.django_db
@pytest.mark.parametrize(("permanent", "attempts_before"), [(True, 0), (False, 7)])
def test_a_permanent_failure_or_the_last_attempt_fails_the_row_and_keeps_it(
    permanent, attempts_before
):
    now = timezone.now()
    OutboxMessageFactory(next_attempt_at=now, attempts=attempts_before, max_attempts=8)
    (claimed,) = claim_due_jobs(OutboxMessage, now=now)

    status = record_failure(claimed, error_code="recipient_refused_550", permanent=permanent)

    claimed.refresh_from_db()
    assert status == JobStatus.FAILED
    assert (claimed.status, claimed.attempts, claimed.last_error_code) == (
        JobStatus.FAILED,
        attempts_before + 1,
        "recipient_refused_550",
    )
    assert claimed.finished_at is not None
    assert OutboxMessage.objects.filter(pk=claimed.pk).exists()


@pytest.mark.django_db
def test_a_worker_that_lost_its_lease_cannot_overwrite_the_new_claim():
    now = timezone.now()
    OutboxMessageFactory(next_attempt_at=now)
    (first_claim,) = claim_due_jobs(OutboxMessage, now=now, lease_seconds=10)
    (second_claim,) = claim_due_jobs(OutboxMessage, now=now + timedelta(seconds=11))
    before = state(second_claim)

    assert record_failure(first_claim, error_code="timeout", permanent=False) is None
    assert state(second_claim) == before


@pytest.mark.django_db
def test_mark_done_finishes_the_row_once():
    now = timezone.now()
    OutboxMessageFactory(next_attempt_at=now)
    (claimed,) = claim_due_jobs(OutboxMessage, now=now)

    assert mark_done(claimed, now=now, sent_at=now) is True
    assert mark_done(claimed, now=now + timedelta(seconds=5), sent_at=now) is False

    claimed.refresh_from_db()
    assert (claimed.status, claimed.claimed_until, claimed.finished_at, claimed.sent_at) == (
        JobStatus.DONE,
        None,
        now,
        now,
    )


@pytest.mark.django_db
def test_requeue_expired_leases_puts_lapsed_rows_back_and_fails_exhausted_ones():
    now = timezone.now()
    lapsed = OutboxMessageFactory(
        status=JobStatus.RUNNING, attempts=1, claimed_until=now - timedelta(seconds=1)
    )
    exhausted = OutboxMessageFactory(
        status=JobStatus.RUNNING,
        attempts=8,
        max_attempts=8,
        claimed_until=now - timedelta(seconds=1),
    )
    held = OutboxMessageFactory(
        status=JobStatus.RUNNING, attempts=1, claimed_until=now + timedelta(seconds=30)
    )

    assert requeue_expired_leases(OutboxMessage, now=now) == [lapsed.pk]

    assert state(lapsed) == (JobStatus.QUEUED, 1, None, now, "")
    assert state(exhausted)[0::4] == (JobStatus.FAILED, LEASE_EXPIRED_TOO_OFTEN)
    assert state(held)[:3] == (JobStatus.RUNNING, 1, now + timedelta(seconds=30))
