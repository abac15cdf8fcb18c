"""Erasure and export as durable job rows (the rights engine builds on these).

What is atomic: an erasure job's whole effect — every declaration's action for the person and
the job row marked done — is one transaction. A worker killed halfway leaves the person
untouched and the row `running`; when its lease runs out the scheduler queues it again and the
rerun erases from the start. A rerun of a finished job does nothing.

Requesting an erasure disables the account and ends every session at once, in the request's
own transaction, so the person's data stops being used before the worker gets to it.
"""

from __future__ import annotations

import json
import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from coursekeeper.jobs.leases import claim_due_jobs, mark_done
from coursekeeper.privacy.models import ErasureJob, ExportJob
from coursekeeper.privacy.people import Person
from coursekeeper.privacy.walks import erase_person, export_person
from coursekeeper.security.services import pseudonym

logger = logging.getLogger(__name__)

EXPORT_VALID_FOR = timezone.timedelta(days=7)


def _enqueue(job) -> None:
    from django.utils.module_loading import import_string

    task = import_string(type(job).task_path)
    transaction.on_commit(lambda: task.enqueue(job.pk))


@transaction.atomic
def request_erasure(*, user) -> ErasureJob:
    """Queue the erasure of `user`, disable the account and end every session now."""
    from allauth.usersessions.models import UserSession

    existing = ErasureJob.objects.filter(user=user).exclude(status="failed").first()
    if existing is not None:
        return existing
    user.is_active = False
    user.save(update_fields=["is_active"])
    for session in UserSession.objects.filter(user=user):
        session.end()
    job = ErasureJob.objects.create(user=user)
    _enqueue(job)
    logger.info("erasure requested job=%s person=%s", job.pk, pseudonym(user.pk))
    return job


def run_erasure_job(*, job_id: int) -> bool:
    """Carry out erasure job `job_id` if it is due; return whether this call finished it."""
    claimed = claim_due_jobs(ErasureJob, pk=job_id)
    if not claimed:
        return False
    (job,) = claimed
    if job.user_id is None:  # finished by an earlier attempt whose mark did not land
        return mark_done(job)
    person = Person.for_user(job.user)
    with transaction.atomic():
        outcome = erase_person(person)
        finished = mark_done(
            job,
            outcome={
                "erased": dict(outcome.erased),
                "anonymised": dict(outcome.anonymised),
                "held": dict(outcome.held),
            },
        )
    logger.info("erasure finished job=%s", job.pk)
    return finished


@transaction.atomic
def request_export(*, user) -> ExportJob:
    job = ExportJob.objects.create(user=user)
    _enqueue(job)
    return job


def run_export_job(*, job_id: int) -> bool:
    """Build the person's export file for job `job_id`; valid for 7 days."""
    claimed = claim_due_jobs(ExportJob, pk=job_id)
    if not claimed:
        return False
    (job,) = claimed
    data = export_person(Person.for_user(job.user))
    content = json.dumps(data, indent=2, ensure_ascii=False, default=str).encode()
    now = timezone.now()
    with transaction.atomic():
        job.file.save(f"export-{job.pk}.json", ContentFile(content), save=False)
        return mark_done(job, now=now, file=job.file.name, expires_at=now + EXPORT_VALID_FOR)
