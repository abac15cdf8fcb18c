"""Test factories for the certificates app, and the rehearsals of its processing paths."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from coursekeeper.accounts.factories import UserFactory
from coursekeeper.certificates.models import (
    Certificate,
    CertificateSettings,
    ParticipationRecord,
    new_code,
)
from coursekeeper.learning.factories import CourseFactory, EnrollmentFactory
from coursekeeper.privacy.paths import Rehearsal
from coursekeeper.security.services import token_digest


class CertificateSettingsFactory(factory.django.DjangoModelFactory[CertificateSettings]):
    class Meta:
        model = CertificateSettings

    course = factory.SubFactory(CourseFactory)
    enabled = True
    hours = Decimal("12.5")


class DocumentedSettingsFactory(CertificateSettingsFactory):
    documented_participation = True
    duty_name = "Continuing professional training duty"
    keep_years = 5


class CertificateFactory(factory.django.DjangoModelFactory[Certificate]):
    class Meta:
        model = Certificate

    learner = factory.SubFactory(UserFactory)
    course = factory.SubFactory(CourseFactory)
    code = factory.LazyFunction(new_code)
    issued_at = factory.LazyFunction(timezone.now)
    learner_name = factory.LazyAttribute(lambda o: o.learner.full_name)
    course_title = factory.LazyAttribute(lambda o: o.course.title)
    hours = Decimal("12.5")
    language = "en"


class ParticipationRecordFactory(factory.django.DjangoModelFactory[ParticipationRecord]):
    class Meta:
        model = ParticipationRecord

    class Params:
        code = factory.LazyFunction(new_code)

    learner = factory.SubFactory(UserFactory)
    course = factory.SubFactory(CourseFactory)
    learner_name = factory.LazyAttribute(lambda o: o.learner.full_name if o.learner else "")
    course_title = factory.LazyAttribute(lambda o: o.course.title if o.course else "")
    completed_at = factory.LazyFunction(timezone.now)
    hours = Decimal("12.5")
    duty = "Continuing professional training duty"
    keep_until = factory.LazyAttribute(lambda o: o.completed_at + dt.timedelta(days=5 * 365))
    code_digest = factory.LazyAttribute(lambda o: token_digest(o.code))


# --- Rehearsals: each of the app's processing paths, ready to run for one person --------------


def _completed(user, settings_factory=CertificateSettingsFactory):
    course_settings = settings_factory()
    return EnrollmentFactory(
        learner=user, course=course_settings.course, completed_at=timezone.now()
    )


def rehearse_issue_certificate(user, path) -> Rehearsal:
    from coursekeeper.certificates.services import issue_certificate

    enrollment = _completed(user)
    return Rehearsal(
        run=lambda: issue_certificate(enrollment=enrollment),
        happened=lambda: Certificate.objects.filter(learner=user).exists(),
    )


def rehearse_document_participation(user, path) -> Rehearsal:
    from coursekeeper.certificates.services import document_participation

    course_settings = DocumentedSettingsFactory()
    certificate = CertificateFactory(learner=user, course=course_settings.course)
    return Rehearsal(
        run=lambda: document_participation(
            certificate=certificate, course_settings=course_settings
        ),
        happened=lambda: ParticipationRecord.objects.filter(learner=user).exists(),
    )


def rehearse_show_certificate(user, path) -> Rehearsal:
    from coursekeeper.certificates.selectors import certificate_document

    course = CourseFactory()
    CertificateFactory(learner=user, course=course)
    made = []
    return Rehearsal(
        run=lambda: made.append(
            certificate_document(
                learner=user,
                slug=course.slug,
                verify_url_for=lambda code: f"http://testserver/verify/{code}/",
            )
        ),
        happened=lambda: bool(made),
    )


def rehearse_verify_certificate(user, path) -> Rehearsal:
    from coursekeeper.certificates.selectors import verify_code

    certificate = CertificateFactory(learner=user)
    answers = []
    return Rehearsal(
        run=lambda: answers.append(verify_code(certificate.code)),
        happened=lambda: bool(answers) and answers[0].is_valid,
    )


def rehearse_confirm_participation(user, path) -> Rehearsal:
    from coursekeeper.certificates.selectors import verify_code

    code = new_code()
    ParticipationRecordFactory(learner=user, code=code)
    answers = []
    return Rehearsal(
        run=lambda: answers.append(verify_code(code)),
        happened=lambda: bool(answers) and answers[0].is_valid,
    )


def rehearse_revoke_certificate(user, path) -> Rehearsal:
    from coursekeeper.certificates.services import revoke_certificate

    course = CourseFactory()
    certificate = CertificateFactory(learner=user, course=course)
    instructor = course.instructor
    return Rehearsal(
        run=lambda: revoke_certificate(
            acting_user=instructor, certificate=certificate, reason="Issued in error."
        ),
        happened=lambda: Certificate.objects.filter(
            pk=certificate.pk, revoked_at__isnull=False
        ).exists(),
    )
