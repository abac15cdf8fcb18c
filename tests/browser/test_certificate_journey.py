"""R9: a learner who completed a course downloads their certificate, and the public check of its
code says it is valid, in Chromium."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from coursekeeper.accounts.factories import UserFactory
from coursekeeper.certificates.factories import CertificateSettingsFactory
from coursekeeper.certificates.models import Certificate
from coursekeeper.learning.factories import EnrollmentFactory, LessonFactory, ModuleFactory
from coursekeeper.learning.services import complete_lesson
from tests.browser.conftest import accessibility_violations
from tests.browser.test_video_resume import new_page, sign_in


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_r9_a_learner_downloads_the_certificate_and_the_check_says_valid(
    browser, live_server, token
):
    course_settings = CertificateSettingsFactory()
    course = course_settings.course
    lesson = LessonFactory(module=ModuleFactory(course=course))
    learner = UserFactory(full_name=f"Signe {token} Holm")
    EnrollmentFactory(learner=learner, course=course)
    complete_lesson(learner=learner, lesson=lesson)
    certificate = Certificate.objects.get(learner=learner)
    base = live_server.url

    page = new_page(browser)
    sign_in(page, base, learner.email)
    link = page.get_by_role("link", name="Download your certificate (PDF)")
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    assert download.suggested_filename == f"certificate-{certificate.code.lower()}.pdf"

    # Someone given the certificate types its code, as printed, into the public check.
    visitor = new_page(browser)
    visitor.goto(base + reverse("certificates:verify_form"))
    visitor.get_by_label("Verification code").fill(certificate.printed_code)
    visitor.get_by_role("button", name="Check").click()
    expect(visitor.get_by_role("heading", name="This certificate is valid.")).to_be_visible()
    expect(visitor.locator("#certificate-answer")).to_contain_text(learner.full_name)
    expect(visitor.locator("#certificate-answer")).to_contain_text(course.title)
    assert accessibility_violations(visitor) == []
