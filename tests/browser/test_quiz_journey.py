"""A learner takes the demo quiz in Chromium: start, answer, submit, see the result (R6)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from coursekeeper.accounts.factories import PASSWORD, UserFactory
from coursekeeper.learning.factories import CourseFactory, EnrollmentFactory
from coursekeeper.learning.models import LessonProgress
from coursekeeper.quizzes.demo import seed_demo_quiz
from coursekeeper.quizzes.models import Attempt
from tests.browser.conftest import accessibility_violations

TIMEOUT_MS = 15_000


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_r6_a_learner_takes_a_quiz_and_passing_marks_the_lesson_done(
    browser, live_server, settings, tmp_path, token
):
    """Given a learner enrolled in a course with the demo quiz, when they open the quiz lesson,
    start, answer every question and submit, then the result says they passed, shows the
    feedback, and the lesson is marked done."""
    settings.MEDIA_ROOT = tmp_path / "media"
    base = live_server.url
    learner = UserFactory(full_name=f"Quiz Learner {token}")
    course = CourseFactory(title=f"Quiz course {token}")
    quiz = seed_demo_quiz(course)
    assert quiz is not None
    EnrollmentFactory(learner=learner, course=course)

    context = browser.new_context(locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(base + reverse("account_login"))
    form = page.locator("main form")
    form.get_by_label("Email").fill(learner.email)
    form.get_by_label("Password").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(base + reverse("learning:dashboard"))

    page.goto(base + reverse("learning:lesson", args=[quiz.lesson.pk]))
    expect(page.get_by_text("5 questions per attempt.")).to_be_visible()
    expect(page.get_by_role("button", name="Mark as done")).to_have_count(0)
    page.get_by_role("button", name="Start the quiz").click()

    attempt = Attempt.objects.get(learner=learner)
    expect(page).to_have_url(base + reverse("quizzes:attempt", args=[attempt.pk]))
    assert accessibility_violations(page) == []
    sheet = page.locator("form.quiz-form")
    sheet.get_by_role("group", name="Which of these must every invoice carry?").get_by_label(
        "A unique sequential number"
    ).check()
    books = sheet.get_by_role("group", name="Which of these belong in your books?")
    books.get_by_label("Receipts for what you bought").check()
    books.get_by_label("Invoices you sent").check()
    sheet.get_by_role("group", name="ten minutes a week").get_by_label("True").check()
    sheet.get_by_role("group", name="three letters").get_by_label("Your answer").fill(" vat ")
    sheet.get_by_role("group", name="price with VAT").get_by_label("Your answer (a number)").fill(
        "125,2"
    )
    sheet.get_by_role("button", name="Submit your answers").click()

    expect(page).to_have_url(base + reverse("quizzes:result", args=[attempt.pk]))
    expect(page.get_by_text("You scored 100 %. The pass mark is 60 %.")).to_be_visible()
    expect(page.get_by_text("Value added tax: VAT.")).to_be_visible()
    assert accessibility_violations(page) == []
    page.get_by_role("link", name="Back to the lesson").click()
    expect(page.locator("main").get_by_text("Done", exact=True)).to_be_visible()
    assert LessonProgress.objects.get(learner=learner, lesson=quiz.lesson).completed_at
    context.close()
