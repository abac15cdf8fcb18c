"""Every write of the certificates app: settings, issuing, documenting, revoking (R9).

Issuing is called directly by `learning.services` when an enrolment is completed (no signals):
one certificate per learner and course, only while the course gives certificates, and a rerun
returns the certificate already there. The certificate copies what it states (the name as
printed, the title, the hours, the language) so it reads the same after the course changes.

Documenting. When the course's settings name a law or duty and a period, the certificate's
issue also writes its `ParticipationRecord` (its own processing path, under a legal obligation:
a restriction does not stop it, only a privacy policy in effect that does not announce the
purpose yet does; then no record is written and a warning is logged). A change of the settings
later does not reach certificates already issued.

Revoking is a staff change: the instructor gives a reason, the audit row is written in the same
transaction, and a participation record of the certificate is marked revoked with it.
"""

from __future__ import annotations

import logging

from django.contrib.admin.models import CHANGE
from django.db import IntegrityError, transaction
from django.utils import timezone

from coursekeeper.certificates.errors import CertificateError
from coursekeeper.certificates.models import (
    CERTIFICATE_LANGUAGES,
    Certificate,
    CertificateSettings,
    ParticipationRecord,
    new_code,
)
from coursekeeper.certificates.privacy import (
    DOCUMENT_PARTICIPATION,
    ISSUE_CERTIFICATE,
    REVOKE_CERTIFICATE,
)
from coursekeeper.learning.models import Course, Enrollment
from coursekeeper.privacy.access.roles import TEACH, can
from coursekeeper.privacy.access.services import record_staff_change
from coursekeeper.privacy.declarations import add_years
from coursekeeper.privacy.people import Person
from coursekeeper.security.services import pseudonym, token_digest

logger = logging.getLogger(__name__)


def _check_teaches(acting_user, course: Course) -> None:
    if not can(acting_user, TEACH, course):
        raise CertificateError("not_your_course")


@transaction.atomic
def save_certificate_settings(
    *, acting_user, course: Course, settings: CertificateSettings
) -> CertificateSettings:
    """Save a course's certificate settings (`settings` edited, maybe unsaved) for its instructor.

    A documented participation needs its law or duty and a number of years; without the duty
    the other two fields are cleared, so nothing half-declared is kept.
    """
    _check_teaches(acting_user, course)
    if settings.documented_participation and not (settings.duty_name and settings.keep_years):
        raise CertificateError("duty_incomplete")
    if not settings.documented_participation:
        settings.duty_name, settings.keep_years = "", None
    settings.course = course
    settings.save()
    return settings


def _language(user) -> str:
    return user.language if user.language in CERTIFICATE_LANGUAGES else "en"


@transaction.atomic
def issue_certificate(*, enrollment: Enrollment) -> Certificate | None:
    """Issue the certificate of a completed enrolment; return it, or None when none is due.

    None when the enrolment is not completed, the course gives no certificates, or the gate
    refuses for the learner (nobody waits for an answer here: the lesson was just marked done).
    Calling it again returns the certificate already issued.
    """
    if enrollment.completed_at is None:
        return None
    existing = Certificate.objects.filter(
        learner_id=enrollment.learner_id, course_id=enrollment.course_id
    ).first()
    if existing is not None:
        return existing
    course_settings = (
        CertificateSettings.objects.filter(course_id=enrollment.course_id, enabled=True)
        .select_related("course")
        .first()
    )
    if course_settings is None:
        return None
    learner = enrollment.learner
    if not ISSUE_CERTIFICATE.ask(Person.for_user(learner)):
        return None
    try:
        with transaction.atomic():
            certificate = Certificate.objects.create(
                learner=learner,
                course=course_settings.course,
                code=new_code(),
                issued_at=enrollment.completed_at,
                learner_name=learner.full_name or learner.email,
                course_title=course_settings.course.title,
                hours=course_settings.hours,
                language=_language(learner),
            )
    except IntegrityError:  # issued a moment ago by another request
        return Certificate.objects.get(learner=learner, course_id=enrollment.course_id)
    logger.info(
        "certificate issued certificate=%s learner=%s", certificate.pk, pseudonym(learner.pk)
    )
    if course_settings.documents_participation:
        document_participation(certificate=certificate, course_settings=course_settings)
    return certificate


@transaction.atomic
def document_participation(
    *, certificate: Certificate, course_settings: CertificateSettings
) -> ParticipationRecord | None:
    """Keep the record of `certificate`'s participation that the course's duty requires.

    Return the record (the existing one on a rerun), or None when the course documents nothing
    or the gate refuses (a published policy does not announce the purpose yet).
    """
    if not course_settings.documents_participation:
        return None
    digest = token_digest(certificate.code)
    existing = ParticipationRecord.objects.filter(code_digest=digest).first()
    if existing is not None:
        return existing
    if not DOCUMENT_PARTICIPATION.ask(Person.for_user(certificate.learner)):
        logger.warning(
            "participation not documented: purpose not in effect certificate=%s", certificate.pk
        )
        return None
    assert course_settings.keep_years is not None  # documents_participation says so
    return ParticipationRecord.objects.create(
        learner=certificate.learner,
        course=certificate.course,
        learner_name=certificate.learner_name,
        course_title=certificate.course_title,
        completed_at=certificate.issued_at,
        hours=certificate.hours,
        duty=course_settings.duty_name,
        keep_until=add_years(certificate.issued_at, course_settings.keep_years),
        code_digest=digest,
    )


@transaction.atomic
def revoke_certificate(*, acting_user, certificate: Certificate, reason: str) -> Certificate:
    """Revoke a certificate of a course `acting_user` teaches, with the reason (audited)."""
    course = certificate.course
    if course is None or not can(acting_user, TEACH, course):
        raise CertificateError("not_your_course")
    reason = reason.strip()
    if not reason:
        raise CertificateError("reason_missing", field_name="reason")
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.revoked_at is not None:
        raise CertificateError("already_revoked")
    if not REVOKE_CERTIFICATE.ask(Person.for_user(certificate.learner)):
        raise CertificateError("processing_refused")
    now = timezone.now()
    certificate.revoked_at = now
    certificate.revoke_reason = reason
    certificate.revoked_by = acting_user
    certificate.save(update_fields=["revoked_at", "revoke_reason", "revoked_by"])
    ParticipationRecord.objects.filter(
        code_digest=token_digest(certificate.code), revoked_at__isnull=True
    ).update(revoked_at=now)
    record_staff_change(
        acting_user=acting_user, obj=certificate, action=CHANGE, message="certificate_revoked"
    )
    return certificate
