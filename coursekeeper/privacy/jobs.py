"""Erasure and export as durable job rows (the rights engine builds on these).

What is atomic: an erasure job first runs the before steps of the erasure participants
(`participants.py`: a subscription cancelled at the payment provider), each recorded on the job
(`steps_done`) as soon as it returned, so a rerun never repeats one. If a step fails, nothing is
erased: the attempt is recorded as failed and the job retried, backed off, up to its
`max_attempts`. Then its whole effect — every declaration's action for the person, the after
steps, and the job row marked done — is one transaction. A worker killed there leaves the
person untouched and the row `running`; when its lease runs out the scheduler queues it again
and the rerun erases from the start (skipping the before steps done). A rerun of a finished
job does nothing.

Requesting an erasure disables the account and ends every session at once, in the request's
own transaction, so the person's data stops being used before the worker gets to it.

Who is told. The emails an erasure sends -- the answer to the person's request, the notice to the
holder of an account a confirmed report showed to be a minor's (`privacy.minors`) -- are read
before the walk and queued after it, in its transaction: queued before, they would be rows
about the person that the walk deletes. Each forgets its address and text once sent.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from coursekeeper.jobs.leases import claim_due_jobs, mark_done, record_failure
from coursekeeper.privacy.errors import PrivacyError
from coursekeeper.privacy.ledger import erase_and_record
from coursekeeper.privacy.models import ErasureJob, ExportJob
from coursekeeper.privacy.participants import Erasing, StepFailed, run_before_steps
from coursekeeper.privacy.people import Person
from coursekeeper.security.services import pseudonym

logger = logging.getLogger(__name__)

EXPORT_VALID_FOR = dt.timedelta(days=7)


def _enqueue(job) -> None:
    from django.utils.module_loading import import_string

    task = import_string(type(job).task_path)
    transaction.on_commit(lambda: task.enqueue(job.pk))


@transaction.atomic
def request_erasure(*, user, request=None) -> ErasureJob:
    """Queue the erasure of `user`, disable the account and end every session now.

    `request` is the rights request the erasure answers; the job answers it when done.
    """
    from allauth.usersessions.models import UserSession
    from django.contrib.sessions.models import Session

    existing = ErasureJob.objects.filter(user=user).exclude(status="failed").first()
    if existing is not None:
        if request is not None and existing.request_id is None:
            ErasureJob.objects.filter(pk=existing.pk).update(request=request)
        return existing
    user.is_active = False
    user.save(update_fields=["is_active"])
    # Every session ends now, in two statements however many there are (sessions are rows).
    sessions = UserSession.objects.filter(user=user)
    Session.objects.filter(session_key__in=sessions.values("session_key")).delete()
    sessions.delete()
    job = ErasureJob.objects.create(user=user, request=request)
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
    from coursekeeper.privacy.minors.services import after_erasure, reports_before_erasure

    person = Person.for_user(job.user)
    try:
        run_before_steps(
            Erasing(person=person, request_id=job.request_id),
            done=job.steps_done,
            record=lambda code: _record_step(job, code),
        )
    except StepFailed as failure:
        status = record_failure(job, error_code=f"step:{failure.code}", permanent=False)
        logger.warning("erasure waits job=%s step=%s status=%s", job.pk, failure.code, status)
        return False
    with transaction.atomic():
        # What the answer tells the person is read before anything is erased; so is what the
        # reports naming the account need: a confirmed one tells its holder (R1).
        answer = erasure_answer(person) if job.request_id else None
        reports = reports_before_erasure(person)
        outcome = erase_and_record(job.user, request_id=job.request_id)
        now = timezone.now().isoformat()
        finished = mark_done(
            job,
            outcome={
                "erased": dict(outcome.erased),
                "anonymised": dict(outcome.anonymised),
                "held": dict(outcome.held),
            },
            steps_done={**job.steps_done, **dict.fromkeys(outcome.steps, now)},
        )
        if answer is not None and job.request_id is not None:
            send_erasure_answer(job.request_id, answer, outcome)
        if reports is not None:
            after_erasure(reports)
    logger.info("erasure finished job=%s", job.pk)
    return finished


def _record_step(job: ErasureJob, code: str) -> None:
    """Record on the job that the before step `code` is done, at once (its own commit)."""
    job.steps_done = {**job.steps_done, code: timezone.now().isoformat()}
    ErasureJob.objects.filter(pk=job.pk).update(steps_done=job.steps_done)


@transaction.atomic
def erase_without_account(*, request) -> None:
    """Erase everything held under the address of a request from someone without an account.

    The erasure participants' before steps run first, here; if one fails, the request is
    refused and nothing is erased.
    """
    from coursekeeper.privacy.walks import erase_person

    person = Person(emails=frozenset({request.email}))
    answer = erasure_answer(person, to=request.email, language=request.language)
    try:
        run_before_steps(Erasing(person=person, request_id=request.pk))
    except StepFailed as failure:
        raise PrivacyError("erasure_step_failed") from failure
    outcome = erase_person(person, request_id=request.pk)
    send_erasure_answer(request.pk, answer, outcome)
    logger.info("erasure without account finished request=%s", request.pk)


def erasure_answer(person: Person, *, to: str = "", language: str = "") -> dict:
    """Collect, before erasing, what the answer to the person must say (R29, Art. 19)."""
    from coursekeeper.privacy.recipients import recipients_for
    from coursekeeper.privacy.selectors import what_erasure_keeps

    return {
        "to": to or person.user.email,
        "language": language or person.user.language or "en",
        "kept": what_erasure_keeps(person),
        "recipients": recipients_for(person),
    }


def send_erasure_answer(request_id: int, answer: dict, outcome) -> None:
    """Answer the erasure request; the email forgets its address and text once sent.

    The recipients of the person's data (Art. 19) were told by the erasure's after step; the
    answer names them to the person.
    """
    from django.conf import settings
    from django.utils import translation
    from django.utils.translation import gettext

    from coursekeeper.privacy import rights
    from coursekeeper.privacy.selectors import erased_categories

    with translation.override(answer["language"]):
        text = gettext("Your account and your data are erased.")
        erased = erased_categories(outcome)
    rights.answer_request(
        request_id=request_id,
        acting_user=None,
        answer=text,
        base_url=settings.SITE_URL,
        to=answer["to"],
        forget_after_sending=True,
        erased=erased,
        kept=answer["kept"],
        recipients=answer["recipients"],
    )


@transaction.atomic
def request_export(*, user, portability_only: bool = False, request=None) -> ExportJob:
    """Queue a copy of `user`'s data, or only its portable part, for a worker to build (R28).

    `request` is the access or portability request the copy answers, if any.
    """
    job = ExportJob.objects.create(user=user, portability_only=portability_only, request=request)
    _enqueue(job)
    logger.info("export requested job=%s person=%s", job.pk, pseudonym(user.pk))
    return job


def run_export_job(*, job_id: int) -> bool:
    """Build the ZIP of export job `job_id`, valid for 7 days; return whether this call did it.

    The ZIP is built first (outside any transaction: it only reads), then stored under a random,
    unguessable name (never the person's), then the row is marked done — together with the
    answer to the request it serves — in one transaction. If that fails, or another attempt
    finished the job meanwhile, the file just written is deleted again. A rerun of a finished
    job claims nothing and does nothing.
    """
    from coursekeeper.privacy.exports import build_export

    claimed = claim_due_jobs(ExportJob, pk=job_id)
    if not claimed:
        return False
    (job,) = claimed
    content = build_export(
        Person.for_user(job.user),
        portability_only=job.portability_only,
        language=job.user.language,
    )
    job.file.save(f"{secrets.token_urlsafe(32)}.zip", ContentFile(content), save=False)
    stored = job.file.name
    now = timezone.now()
    job.expires_at = now + EXPORT_VALID_FOR
    try:
        with transaction.atomic():
            finished = mark_done(job, now=now, file=stored, expires_at=job.expires_at)
            if finished and job.request_id is not None:
                from coursekeeper.privacy.rights import answer_with_export

                answer_with_export(job)
    except BaseException:
        job.file.storage.delete(stored)
        raise
    if not finished:
        job.file.storage.delete(stored)
    logger.info("export finished job=%s", job.pk)
    return finished
