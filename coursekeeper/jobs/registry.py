"""What runs on a schedule, and which models are leased job rows.

Each periodic job is a plain management command (cron-able on its own, like `clearsessions`);
the scheduler only decides that a slot is due and enqueues `run_periodic_job(name)`, whose one
argument is the job's name from this registry -- never data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.apps import apps

from coursekeeper.jobs.models import LeasedJob


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    interval: timedelta
    command: str
    arguments: tuple[str, ...] = ()


PERIODIC_JOBS: tuple[PeriodicJob, ...] = (
    # The safety net under the per-message task: due retries and messages whose task was lost.
    PeriodicJob("outbox_flush", timedelta(minutes=1), "outbox_flush"),
    # Task results hold only row ids; a week is enough to look into a failure.
    PeriodicJob("prune_task_results", timedelta(days=1), "prune_task_results"),
    PeriodicJob("prune_scheduled_runs", timedelta(days=1), "prune_scheduled_runs"),
    # Rights requests: staff hear of a deadline a week ahead; unconfirmed requests expire.
    PeriodicJob("privacy_request_clock", timedelta(hours=1), "privacy_request_clock"),
    # Erasure-ledger entries are kept only as long as a backup could bring the account back.
    PeriodicJob("prune_erasure_ledger", timedelta(days=1), "privacy_prune_ledger"),
    # The database cache keeps expired rows (rate limits about people) until it is full.
    PeriodicJob("purge_expired_cache", timedelta(hours=1), "privacy_purge_cache"),
    # A copy of a person's data can be downloaded for 7 days; then its file and row go.
    PeriodicJob("expire_exports", timedelta(hours=1), "privacy_expire_exports"),
    # Contact threads' keep-until follows customer relationships (R19, R20); listed before the
    # sweep so the day's slot enqueues it first.
    PeriodicJob("contact_refresh_retention", timedelta(days=1), "contact_refresh_retention"),
    # The retention sweep (R33): what the declarations say has run out goes, in batches.
    PeriodicJob("privacy_sweep", timedelta(days=1), "privacy_sweep"),
    # Accounts whose customer relationship long ended: warned, then erased (R20).
    PeriodicJob("privacy_relationship_clock", timedelta(days=1), "privacy_relationship_clock"),
    # Newsletter sendings whose task was lost: queued again, never an address twice.
    PeriodicJob("newsletter_dispatch", timedelta(minutes=5), "newsletter_dispatch"),
    # Subscribers hear before a charge that their card on file expires first (R13).
    PeriodicJob(
        "commerce_card_expiry_reminders", timedelta(days=1), "commerce_card_expiry_reminders"
    ),
    # The built-in test provider: its webhooks a lost task left, its abandoned checkouts, and
    # its subscriptions' renewals, so the demo's shop runs offline as a real provider would.
    PeriodicJob("commerce_sandbox_deliver", timedelta(minutes=1), "commerce_sandbox_deliver"),
    PeriodicJob("commerce_sandbox_renew", timedelta(hours=1), "commerce_sandbox_renew"),
    # Notices of a material change to the privacy policy whose task was lost (R21): queued
    # again, never one person twice.
    PeriodicJob("privacy_policy_notices", timedelta(minutes=5), "privacy_policy_notices"),
    # Course news whose sending task was lost (R18): sent on, never to a learner twice.
    PeriodicJob("learning_course_news", timedelta(minutes=5), "learning_course_news"),
)


def periodic_job(name: str) -> PeriodicJob:
    """Return the registered periodic job called `name`; raise LookupError for any other."""
    for job in PERIODIC_JOBS:
        if job.name == name:
            return job
    raise LookupError(f"No periodic job is called {name!r}.")


def leased_job_models() -> list[type[LeasedJob]]:
    """Return every installed concrete model that is a leased job row."""
    return [model for model in apps.get_models() if issubclass(model, LeasedJob)]
