"""R9: certificates of completion -- issued once, rendered in the learner's language, checked in
public, revoked with an audit row, and erased with the learner unless a law holds the record."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from coursekeeper.accounts.factories import UserFactory
from coursekeeper.certificates import services
from coursekeeper.certificates.documents import render_certificate_html, render_certificate_pdf
from coursekeeper.certificates.errors import CertificateError
from coursekeeper.certificates.factories import (
    CertificateFactory,
    CertificateSettingsFactory,
    DocumentedSettingsFactory,
)
from coursekeeper.certificates.models import Certificate, CertificateSettings, ParticipationRecord
from coursekeeper.certificates.selectors import verify_code
from coursekeeper.learning.factories import (
    CourseFactory,
    EnrollmentFactory,
    LessonFactory,
    ModuleFactory,
)
from coursekeeper.learning.models import Course
from coursekeeper.learning.services import complete_lesson
from coursekeeper.privacy.factories import AuthenticatorFactory
from coursekeeper.privacy.people import Person
from coursekeeper.privacy.selectors import what_erasure_keeps
from coursekeeper.privacy.sweep import run_sweep
from coursekeeper.privacy.testing import audit_trail
from coursekeeper.privacy.walks import erase_person

pytestmark = pytest.mark.django_db


def course_with_lessons(settings_factory=CertificateSettingsFactory, lessons=2, **settings):
    course_settings = settings_factory(**settings)
    module = ModuleFactory(course=course_settings.course)
    return course_settings.course, [LessonFactory(module=module) for _ in range(lessons)]


def finish(learner, lessons) -> None:
    EnrollmentFactory(learner=learner, course=lessons[0].module.course)
    for lesson in lessons:
        complete_lesson(learner=learner, lesson=lesson)


def course_of(certificate: Certificate) -> Course:
    assert certificate.course is not None  # the factories give every certificate its course
    return certificate.course


def verify_url(code: str) -> str:
    return f"http://testserver/verify/{code}/"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def answer_section(response) -> str:
    """Return the page's answer (the section before the form), which must not tell codes apart."""
    body = response.content.decode()
    start = body.index('<section id="certificate-answer"')
    return body[start : body.index("</section>", start)]


# --- Issuing -------------------------------------------------------------------------------------


def test_r9_a_certificate_is_issued_exactly_once_when_the_last_lesson_is_done(token):
    course, lessons = course_with_lessons(hours=Decimal("7.5"))
    learner = UserFactory(full_name=f"Karen {token} Lund", language="da")
    EnrollmentFactory(learner=learner, course=course)

    complete_lesson(learner=learner, lesson=lessons[0])
    assert Certificate.objects.count() == 0

    complete_lesson(learner=learner, lesson=lessons[1])
    complete_lesson(learner=learner, lesson=lessons[1])  # done again: nothing new

    certificate = Certificate.objects.get()
    assert (certificate.learner, certificate.course) == (learner, course)
    assert (certificate.learner_name, certificate.course_title) == (learner.full_name, course.title)
    assert (certificate.hours, certificate.language) == (Decimal("7.5"), "da")
    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{12}", certificate.code)
    enrollment = learner.enrollments.get()
    assert certificate.issued_at == enrollment.completed_at
    assert services.issue_certificate(enrollment=enrollment) == certificate
    assert Certificate.objects.count() == 1
    assert ParticipationRecord.objects.count() == 0  # the course documents nothing


@pytest.mark.parametrize("enabled", [False, None])
def test_r9_no_certificate_when_the_course_gives_none(enabled):
    if enabled is None:  # no settings at all
        module = ModuleFactory()
        lessons = [LessonFactory(module=module)]
    else:
        _course, lessons = course_with_lessons(lessons=1, enabled=False)
    learner = UserFactory()

    finish(learner, lessons)

    assert learner.enrollments.get().completed_at is not None
    assert Certificate.objects.count() == 0


def test_r9_a_documented_course_keeps_the_minimum_record_for_its_period():
    course, lessons = course_with_lessons(DocumentedSettingsFactory, lessons=1, keep_years=5)
    learner = UserFactory()

    finish(learner, lessons)

    certificate = Certificate.objects.get()
    record = ParticipationRecord.objects.get()
    assert (record.learner, record.course, record.learner_name, record.course_title) == (
        learner,
        course,
        learner.full_name,
        course.title,
    )
    assert (record.completed_at, record.hours) == (certificate.issued_at, Decimal("12.5"))
    assert record.duty == "Continuing professional training duty"
    assert record.keep_until == certificate.issued_at.replace(year=certificate.issued_at.year + 5)


# --- The document --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "heading"),
    [("en", "Certificate of completion"), ("da", None), ("de", None)],
)
def test_r9_the_pdf_renders_in_the_learners_language(language, heading, token):
    learner = UserFactory(full_name=f"Jonas {token} Berg", language=language)
    certificate = CertificateFactory(
        learner=learner,
        language=language,
        issued_at=dt.datetime(2026, 3, 14, 12, tzinfo=dt.UTC),
        hours=Decimal("7.5"),
    )

    html = render_certificate_html(certificate, verify_url=verify_url(certificate.code))
    pdf = render_certificate_pdf(certificate, verify_url=verify_url(certificate.code))

    assert pdf.startswith(b"%PDF-")
    assert f'<html lang="{language}">' in html
    assert learner.full_name in html
    assert certificate.course_title in html
    assert certificate.printed_code in html
    assert verify_url(certificate.code) in html
    with translation.override(language):
        assert date_format(certificate.issued_at, "DATE_FORMAT") in html
    assert {"en": "March", "da": "marts", "de": "März"}[language] in html
    assert "7.5" in html or "7,5" in html
    assert "<svg" in html  # the QR code of the address
    if heading:
        assert heading in html


def test_r9_a_learner_downloads_their_own_certificate_and_not_anothers():
    mine = CertificateFactory()
    theirs = CertificateFactory()
    client = signed_in(mine.learner)

    own = client.get(reverse("certificates:download", args=[course_of(mine).slug]))
    other = client.get(reverse("certificates:download", args=[course_of(theirs).slug]))

    assert own.status_code == 200
    assert own["Content-Type"] == "application/pdf"
    assert own.content.startswith(b"%PDF-")
    assert other.status_code == 404
    assert theirs.learner_name not in other.content.decode()


def test_r9_the_dashboard_and_course_page_link_the_certificate():
    certificate = CertificateFactory()
    EnrollmentFactory(learner=certificate.learner, course=certificate.course)
    client = signed_in(certificate.learner)
    link = reverse("certificates:download", args=[course_of(certificate).slug])

    for page in (
        reverse("learning:dashboard"),
        reverse("learning:course", args=[course_of(certificate).slug]),
    ):
        body = client.get(page).content.decode()
        assert link in body
        assert certificate.printed_code in body


# --- The public check ----------------------------------------------------------------------------


def test_r9_verify_answers_valid_with_name_course_date_and_hours():
    certificate = CertificateFactory(hours=Decimal("12.5"))

    response = Client().get(reverse("certificates:verify", args=[certificate.printed_code]))

    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    body = response.content.decode()
    assert '<meta name="robots" content="noindex, nofollow">' in body
    assert "This certificate is valid." in body
    assert certificate.learner_name in body
    assert certificate.course_title in body
    assert date_format(certificate.issued_at, "DATE_FORMAT") in body
    assert "12.5" in body


def test_r9_the_typed_code_goes_to_its_page_whatever_its_dashes_and_case():
    certificate = CertificateFactory()
    typed = certificate.printed_code.lower().replace("-", " ")

    response = Client().get(reverse("certificates:verify_form"), {"code": typed})

    assert response.status_code == 302
    assert response["Location"] == reverse("certificates:verify", args=[certificate.code])
    assert verify_code(typed).is_valid


def test_r9_unknown_and_erased_codes_answer_in_the_same_words():
    erased = CertificateFactory()
    code = erased.code
    erase_person(Person.for_user(erased.learner))

    gone = Client().get(reverse("certificates:verify", args=[code]))
    unknown = Client().get(reverse("certificates:verify", args=["ABCDEFGHJKLM"]))

    assert (gone.status_code, unknown.status_code) == (404, 404)
    assert answer_section(gone) == answer_section(unknown)
    assert "We cannot confirm a certificate with this code." in answer_section(gone)


def test_r9_the_public_check_is_limited_per_address():
    client = Client()
    url = reverse("certificates:verify", args=["ABCDEFGHJKLM"])

    statuses = [client.get(url).status_code for _ in range(31)]

    assert statuses == [404] * 30 + [429]


# --- Revoking ------------------------------------------------------------------------------------


def test_r9_the_instructor_revokes_with_a_reason_audited_and_everyone_sees_it():
    certificate = CertificateFactory()
    instructor = course_of(certificate).instructor
    assert instructor is not None
    AuthenticatorFactory(user=instructor)
    client = signed_in(instructor)

    response = client.post(
        reverse("certificates:course_revoke", args=[course_of(certificate).slug, certificate.pk]),
        {"reason": "The final exercise was copied."},
    )

    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.revoked_by == instructor
    assert certificate.revoke_reason == "The final exercise was copied."
    assert audit_trail() == [
        (
            instructor.pk,
            "certificate",
            str(certificate.pk),
            "Certificate revoked, with the reason given to the learner",
        )
    ]
    check = Client().get(reverse("certificates:verify", args=[certificate.code]))
    assert "This certificate was revoked." in check.content.decode()
    assert certificate.learner_name not in check.content.decode()
    assert "copied" not in check.content.decode()
    EnrollmentFactory(learner=certificate.learner, course=certificate.course)
    dashboard = signed_in(certificate.learner).get(reverse("learning:dashboard")).content.decode()
    assert "Certificate revoked on" in dashboard
    assert "The final exercise was copied." in dashboard
    download = signed_in(certificate.learner).get(
        reverse("certificates:download", args=[course_of(certificate).slug])
    )
    assert download.status_code == 403
    assert "can no longer be downloaded" in download.content.decode()


def test_r9_revoking_is_refused_to_another_instructor_and_without_a_reason():
    certificate = CertificateFactory()
    stranger = UserFactory(role="instructor")

    with pytest.raises(CertificateError) as other:
        services.revoke_certificate(acting_user=stranger, certificate=certificate, reason="No.")
    with pytest.raises(CertificateError) as empty:
        services.revoke_certificate(
            acting_user=course_of(certificate).instructor, certificate=certificate, reason="  "
        )

    assert (other.value.code, empty.value.code) == ("not_your_course", "reason_missing")
    certificate.refresh_from_db()
    assert (certificate.revoked_at, certificate.revoke_reason) == (None, "")
    assert LogEntry.objects.count() == 0


# --- The settings --------------------------------------------------------------------------------


def test_r9_the_instructor_sets_documented_participation_and_an_incomplete_duty_is_refused():
    course = CourseFactory()
    AuthenticatorFactory(user=course.instructor)
    client = signed_in(course.instructor)
    url = reverse("certificates:course_settings", args=[course.slug])

    refused = client.post(url, {"enabled": "on", "documented_participation": "on"})
    saved = client.post(
        url,
        {
            "enabled": "on",
            "hours": "16",
            "documented_participation": "on",
            "duty_name": "Lov om autoriserede revisorer § 16",
            "keep_years": "5",
        },
    )

    assert refused.status_code == 400
    assert 'role="alert"' in refused.content.decode()
    assert saved.status_code == 302
    stored = CertificateSettings.objects.get()
    assert (stored.enabled, stored.hours, stored.duty_name, stored.keep_years) == (
        True,
        Decimal("16.0"),
        "Lov om autoriserede revisorer § 16",
        5,
    )
    outline = client.get(reverse("learning:editor_course", args=[course.slug])).content.decode()
    assert url in outline


def test_r9_the_instructor_sees_certificates_under_pseudonyms_only():
    from coursekeeper.security.services import course_pseudonym

    certificate = CertificateFactory()
    AuthenticatorFactory(user=course_of(certificate).instructor)
    client = signed_in(course_of(certificate).instructor)

    body = client.get(
        reverse("certificates:course_settings", args=[course_of(certificate).slug])
    ).content.decode()

    assert course_pseudonym(course_of(certificate).pk, certificate.learner.pk) in body
    assert certificate.learner_name not in body
    assert certificate.code not in body and certificate.printed_code not in body


# --- Erasure ------------------------------------------------------------------------------------


def test_r9_erasure_without_a_hold_removes_the_certificate_and_its_code():
    certificate = CertificateFactory()
    code, name = certificate.code, certificate.learner_name
    person = Person.for_user(certificate.learner)
    assert what_erasure_keeps(person) == []

    outcome = erase_person(person)

    assert outcome.erased["certificates.Certificate"] == 1
    assert Certificate.objects.count() == 0
    assert not Certificate.objects.filter(learner_name=name).exists()
    assert ParticipationRecord.objects.count() == 0
    assert verify_code(code).status == "not_found"


def test_r9_erasure_holds_a_documented_record_lists_it_and_the_sweep_removes_it_after(token):
    course, lessons = course_with_lessons(
        DocumentedSettingsFactory, lessons=1, duty_name=f"Duty {token}", keep_years=5
    )
    learner = UserFactory()
    finish(learner, lessons)
    certificate = Certificate.objects.get()
    code = certificate.code
    keep_until = ParticipationRecord.objects.get().keep_until

    # The erase page says what is kept, under which duty and until when, before anything goes.
    (kept,) = what_erasure_keeps(Person.for_user(learner))
    assert (kept.what, kept.count, kept.law, kept.until, kept.reason) == (
        "records of documented participation",
        1,
        f"Duty {token}",
        keep_until,
        "legal_obligation",
    )
    page = signed_in(learner).get(reverse("privacy:erase_account")).content.decode()
    assert f"Duty {token}" in page
    assert date_format(keep_until, "DATE_FORMAT") in page

    outcome = erase_person(Person.for_user(learner))

    assert outcome.held == {"certificates.ParticipationRecord": 1}
    assert Certificate.objects.count() == 0
    record = ParticipationRecord.objects.get()
    assert (record.learner_id, record.course_id) == (None, course.pk)
    held_answer = verify_code(code)
    assert (held_answer.status, held_answer.learner_name, held_answer.course_title) == (
        "valid",
        certificate.learner_name,
        course.title,
    )

    run_sweep(as_of=keep_until - dt.timedelta(days=1))
    assert ParticipationRecord.objects.count() == 1
    run_sweep(as_of=keep_until + dt.timedelta(days=1))
    assert ParticipationRecord.objects.count() == 0
    assert verify_code(code).status == "not_found"


def test_r9_a_revoked_held_record_answers_revoked_after_the_erasure():
    course, lessons = course_with_lessons(DocumentedSettingsFactory, lessons=1)
    learner = UserFactory()
    finish(learner, lessons)
    certificate = Certificate.objects.get()
    services.revoke_certificate(
        acting_user=course.instructor, certificate=certificate, reason="Issued in error."
    )

    erase_person(Person.for_user(learner))

    answer = verify_code(certificate.code)
    assert (answer.status, answer.learner_name) == ("revoked", "")
    assert answer.revoked_at == ParticipationRecord.objects.get().revoked_at


# --- Transparency --------------------------------------------------------------------------------


def test_r9_the_policy_announces_documented_participation_and_its_hold():
    from coursekeeper.privacy.policy import current_content, render_policy

    content = current_content()
    (entry,) = [p for p in content["purposes"] if p["code"] == "documented_participation"]
    assert entry["basis"] == "legal_obligation"
    assert [item["data"] for item in entry["retention"]] == ["certificates.ParticipationRecord"]
    assert entry["retention"][0]["rule"]["law_per_record"] is True
    text = render_policy(content, "en")
    assert "Documented participation" in text
    assert "As long as the law or professional duty named for it requires" in text


# --- Demo ---------------------------------------------------------------------------------------


def test_r9_the_demo_turns_certificates_on_once_and_issues_what_was_earned():
    from coursekeeper.certificates.demo import (
        DEMO_DUTY,
        complete_course_with_certificate,
        seed_demo_certificates,
    )

    course = CourseFactory(slug="bookkeeping-for-small-businesses")
    lesson = LessonFactory(module=ModuleFactory(course=course))
    finished = EnrollmentFactory(course=course, completed_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC))

    assert seed_demo_certificates() == 1
    assert seed_demo_certificates() == 0

    stored = CertificateSettings.objects.get(course=course)
    assert (stored.enabled, stored.duty_name, stored.keep_years) == (True, DEMO_DUTY, 5)
    assert Certificate.objects.get().learner == finished.learner
    learner = UserFactory()
    certificate = complete_course_with_certificate(learner=learner, course=course)
    assert certificate is not None and certificate.learner == learner
    assert learner.lesson_progress.get().lesson == lesson
    assert ParticipationRecord.objects.count() == 2


def test_r9_r21_no_record_is_kept_before_a_policy_in_effect_announces_it():
    from coursekeeper.privacy.factories import PolicyVersionFactory
    from coursekeeper.privacy.purposes import ALL_PURPOSES

    PolicyVersionFactory(purposes=sorted(set(ALL_PURPOSES) - {"documented_participation"}))
    course, lessons = course_with_lessons(DocumentedSettingsFactory, lessons=1)
    AuthenticatorFactory(user=course.instructor)
    learner = UserFactory()

    finish(learner, lessons)

    assert Certificate.objects.count() == 1
    assert ParticipationRecord.objects.count() == 0
    page = signed_in(course.instructor).get(
        reverse("certificates:course_settings", args=[course.slug])
    )
    assert "does not announce documented participation yet" in page.content.decode()
