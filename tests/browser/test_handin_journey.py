"""R5, R6, R34 in Chromium: a learner hands in an exercise, the instructor passes it under the
learner's pseudonym, and the learner sees it passed, with the comment, and the lesson done."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from coursekeeper.accounts.factories import UserFactory
from coursekeeper.assignments.factories import HandinLessonFactory
from coursekeeper.assignments.models import Submission
from coursekeeper.learning.factories import CourseFactory, EnrollmentFactory, ModuleFactory
from coursekeeper.learning.models import LessonProgress
from coursekeeper.learning.tests.test_editor import instructor_client
from coursekeeper.learning.tests.test_lesson_uploads import signed_in
from coursekeeper.security.services import course_pseudonym
from tests.browser.conftest import accessibility_violations
from tests.browser.test_lesson_uploads import signed_in_page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_r6_handin_journey_from_handing_in_to_passed(
    browser, live_server, token, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    base = live_server.url
    instructor, teacher = instructor_client()
    course = CourseFactory(instructor=instructor, title=f"Course {token}")
    lesson = HandinLessonFactory(module=ModuleFactory(course=course), title=f"Budget {token}")
    learner = UserFactory(full_name=f"Lea {token} Learner", email=f"lea-{token}@example.org")
    EnrollmentFactory(learner=learner, course=course)
    pseudonym = course_pseudonym(course.pk, learner.pk)
    pages = []
    try:
        # 1. The learner hands in a text answer on the lesson page.
        learner_page = signed_in_page(browser, signed_in(learner), base)
        pages.append(learner_page)
        learner_page.goto(base + reverse("learning:lesson", args=[lesson.pk]))
        assert accessibility_violations(learner_page) == []
        learner_page.get_by_label("Your answer").fill(f"Income 100, costs 80, left 20 ({token}).")
        learner_page.get_by_role("button", name="Hand in", exact=True).click()
        expect(learner_page.locator("[data-handin-status]")).to_have_text("Waiting for review")

        # 2. The instructor (signed in with a TOTP code) finds it in the queue under the
        # learner's pseudonym and passes it with a comment.
        teacher_page = signed_in_page(browser, teacher, base)
        pages.append(teacher_page)
        teacher_page.goto(base + reverse("learning:editor_course", args=[course.slug]))
        teacher_page.get_by_role("link", name="Exercises handed in").click()
        expect(teacher_page.locator("main")).not_to_contain_text(learner.full_name)
        teacher_page.get_by_role("link", name=pseudonym).click()
        expect(teacher_page.locator("main")).to_contain_text(f"left 20 ({token})")
        expect(teacher_page.locator("main")).not_to_contain_text(learner.email)
        assert accessibility_violations(teacher_page) == []
        teacher_page.get_by_label("Passed").check()
        teacher_page.get_by_label("Comment for the learner").fill("Clear and correct.")
        teacher_page.get_by_role("button", name="Save the review").click()
        expect(teacher_page.locator("main")).to_contain_text(
            "The review is saved and the learner is told."
        )

        # 3. The learner sees it passed, with the comment, and the lesson done.
        learner_page.reload()
        expect(learner_page.locator("[data-handin-status]")).to_have_text("Passed")
        expect(learner_page.locator("main")).to_contain_text("Clear and correct.")
        expect(learner_page.get_by_role("button", name="Hand in", exact=True)).to_have_count(0)
    finally:
        for page in pages:
            page.context.close()

    assert list(Submission.objects.values_list("status", flat=True)) == ["passed"]
    assert LessonProgress.objects.get(learner=learner, lesson=lesson).completed_at is not None
