"""Reads of the certificates app: the learner's certificates, the instructor's list, and the
public check of a code (R9).

What the public check answers. A code of a certificate that exists answers "valid" (the name
as printed, the course, the date, the hours) or "revoked" (the course and the date it was
revoked; neither the name nor the reason). Once the learner is erased their certificate is gone,
and the code answers exactly as a code that never existed: "we cannot confirm a certificate with
this code", in the same words and with the same status, so nobody learns from the page that a
code was ever issued. The one exception is a course whose participation a law or duty makes us
document: while its record is held, it still confirms the participation ("valid"), because
confirming it to whoever the learner showed the certificate is what the record is kept for.
A learner whose processing is restricted gets the same "cannot confirm" answer for their code.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.utils import timezone

from coursekeeper.certificates.errors import CertificateError
from coursekeeper.certificates.models import (
    Certificate,
    CertificateSettings,
    ParticipationRecord,
    normalise_code,
)
from coursekeeper.certificates.privacy import (
    CONFIRM_PARTICIPATION,
    SHOW_CERTIFICATE,
    VERIFY_CERTIFICATE,
)
from coursekeeper.learning.models import Course
from coursekeeper.privacy.access.roles import TEACH, can
from coursekeeper.privacy.access.services import record_access
from coursekeeper.privacy.people import Person
from coursekeeper.security.services import course_pseudonym, token_digest

CERTIFICATES_PER_PAGE = 50


# --- The public check ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    status: str  # "valid", "revoked" or "not_found"
    learner_name: str = ""
    course_title: str = ""
    completed_at: dt.datetime | None = None
    hours: Decimal | None = None
    revoked_at: dt.datetime | None = None

    @property
    def is_valid(self) -> bool:
        return self.status == "valid"

    @property
    def is_revoked(self) -> bool:
        return self.status == "revoked"


NOT_FOUND = Verification("not_found")


def verify_code(typed: str, *, now: dt.datetime | None = None) -> Verification:
    """Answer what the code `typed` certifies (see the module docstring)."""
    code = normalise_code(typed)
    if not code:
        return NOT_FOUND
    certificate = Certificate.objects.filter(code=code).first()
    if certificate is not None:
        if not VERIFY_CERTIFICATE.ask(Person.for_user(certificate.learner)):
            return NOT_FOUND
        if certificate.revoked_at is not None:
            return Verification(
                "revoked", course_title=certificate.course_title, revoked_at=certificate.revoked_at
            )
        return Verification(
            "valid",
            learner_name=certificate.learner_name,
            course_title=certificate.course_title,
            completed_at=certificate.issued_at,
            hours=certificate.hours,
        )
    record = ParticipationRecord.objects.filter(
        code_digest=token_digest(code), keep_until__gt=now or timezone.now()
    ).first()
    if record is None:
        return NOT_FOUND
    if not CONFIRM_PARTICIPATION.ask(Person(user_id=record.learner_id)):
        return NOT_FOUND
    if record.revoked_at is not None:
        return Verification(
            "revoked", course_title=record.course_title, revoked_at=record.revoked_at
        )
    return Verification(
        "valid",
        learner_name=record.learner_name,
        course_title=record.course_title,
        completed_at=record.completed_at,
        hours=record.hours,
    )


# --- The learner's own ---------------------------------------------------------------------------


def certificate_of(*, learner, course: Course) -> Certificate | None:
    """Return the learner's certificate of `course`, or None."""
    if not (learner and learner.is_authenticated):
        return None
    return Certificate.objects.filter(learner=learner, course=course).first()


def certificate_document(*, learner, slug: str, verify_url_for) -> tuple[Certificate, bytes]:
    """Return the learner's certificate of the course `slug` and its PDF.

    `verify_url_for(code)` builds the public check's address. Another learner's certificate is
    not found, exactly like a certificate that does not exist.
    """
    from coursekeeper.certificates.documents import render_certificate_pdf

    certificate = (
        Certificate.objects.filter(learner=learner, course__slug=slug).first()
        if learner and learner.is_authenticated
        else None
    )
    if certificate is None:
        raise CertificateError("certificate_not_found")
    if certificate.revoked_at is not None:  # a revoked certificate is not handed out again
        raise CertificateError("certificate_revoked")
    if not SHOW_CERTIFICATE.ask(Person.for_user(learner)):
        raise CertificateError("processing_refused")
    return certificate, render_certificate_pdf(
        certificate, verify_url=verify_url_for(certificate.code)
    )


# --- The instructor's page -----------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedRow:
    pk: int
    pseudonym: str
    issued_at: dt.datetime
    revoked_at: dt.datetime | None


def course_for_certificates(*, acting_user, slug: str) -> Course:
    """Return a course whose certificates `acting_user` may manage; refuse otherwise."""
    course = Course.objects.filter(slug=slug).first()
    if course is None:
        raise CertificateError("course_not_found")
    if not can(acting_user, TEACH, course):
        raise CertificateError("not_your_course")
    return course


def settings_of(course: Course) -> CertificateSettings:
    """Return the course's certificate settings (unsaved defaults when it has none yet)."""
    return CertificateSettings.objects.filter(course=course).first() or CertificateSettings(
        course=course
    )


def documentation_waits_for_policy() -> bool:
    """Return whether the privacy policy in effect does not announce documented participation
    yet, so no record is kept until a version that does takes effect (R21)."""
    from coursekeeper.certificates.privacy import DOCUMENTED_PARTICIPATION
    from coursekeeper.privacy.publishing import announced_purpose_codes

    codes = announced_purpose_codes()
    return codes is not None and DOCUMENTED_PARTICIPATION.code not in codes


def issued_certificates(*, acting_user, course: Course, page_number=None) -> Page:
    """Return a page of the course's certificates, each learner under the course's pseudonym.

    The instructor sees no name (R34); the rows shown are written to the access log (R35).
    """
    rows = Certificate.objects.filter(course=course).order_by("-issued_at", "pk")
    page: Page = Paginator(rows, CERTIFICATES_PER_PAGE).get_page(page_number)
    shown = list(page.object_list)
    page.object_list = [
        IssuedRow(
            pk=certificate.pk,
            pseudonym=course_pseudonym(course.pk, certificate.learner_id),
            issued_at=certificate.issued_at,
            revoked_at=certificate.revoked_at,
        )
        for certificate in shown
    ]
    record_access(
        acting_user=acting_user,
        rows=shown,
        place="certificates:course_settings",
        categories=["usage"],
        purpose="deliver_courses",
    )
    return page


def certificate_to_revoke(*, course: Course, pk: int) -> Certificate:
    certificate = Certificate.objects.filter(course=course, pk=pk).first()
    if certificate is None:
        raise CertificateError("certificate_not_found")
    return certificate
