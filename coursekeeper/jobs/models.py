"""Durable job rows: what the task queue only points at.

`LeasedJob` is the abstract base of every row a worker claims (outbox messages now; erasure,
export and sweep jobs later). The task queue carries only a row id, so the state of the work --
waiting, in hand, finished, given up -- lives here, and `coursekeeper.jobs.leases` is the one place
that moves a row between those states. `ScheduledRun` records that a periodic job has been
started for one time slot; its unique constraint is what lets two schedulers run side by side.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class LeasedJob(models.Model):
    """A unit of work a worker claims for a limited time (the lease), does, and marks.

    A row is due when it is `queued` and its `next_attempt_at` has come, or when it is `running`
    but its lease ran out (the worker holding it died). Every claim counts as an attempt; a row
    that used up `max_attempts` is `failed` and kept, so a failure is visible, never dropped.
    """

    # The task (dotted path) that does one row's work, given only the row id. The scheduler uses
    # it to re-enqueue rows whose lease ran out. Empty: such rows are only made due again.
    task_path: ClassVar[str] = ""
    # How long a claim lasts: far longer than the work takes, so a slow worker is not overtaken.
    lease_seconds: ClassVar[int] = 300
    # Retry delays: base * 2 ** (attempt - 1), capped, with jitter (see leases.retry_delay).
    retry_base_seconds: ClassVar[int] = 60
    retry_cap_seconds: ClassVar[int] = 6 * 60 * 60

    status = models.CharField(
        _("status"), max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    max_attempts = models.PositiveIntegerField(_("maximum attempts"), default=8)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    # A short, fixed code ("connection_refused", "recipient_refused_550"), never personal data.
    last_error_code = models.CharField(_("last error code"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        abstract = True
        # The claim query reads "queued and next_attempt_at <= now" OR "running and
        # claimed_until < now"; each half has its own index (PostgreSQL combines them with a
        # BitmapOr, SQLite with its OR optimisation).
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["status", "claimed_until"]),
        ]


class ScheduledRun(models.Model):
    """A periodic job started for one time slot; at most one row per job and slot."""

    job = models.CharField(_("job"), max_length=64)
    slot = models.DateTimeField(_("slot"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("scheduled run")
        verbose_name_plural = _("scheduled runs")
        constraints = [
            models.UniqueConstraint(fields=["job", "slot"], name="jobs_scheduledrun_once_per_slot"),
        ]
        indexes = [models.Index(fields=["slot"])]

    def __str__(self) -> str:
        return f"{self.job} {self.slot.isoformat()}"
