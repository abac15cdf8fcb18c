"""R6, R44: a learner answers an anonymous survey in Chromium; the lesson shows as answered."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from coursekeeper.accounts.factories import UserFactory
from coursekeeper.learning.factories import EnrollmentFactory
from coursekeeper.learning.models import LessonProgress
from coursekeeper.surveys.factories import survey_with_every_kind
from coursekeeper.surveys.models import AnonymousAnswer, AnonymousResponse
from tests.browser.test_video_resume import new_page, sign_in


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_r6_a_learner_answers_an_anonymous_survey_and_the_lesson_shows_as_answered(
    browser, live_server, token
):
    """Given a learner enrolled in a course whose lesson is an anonymous survey, when they send
    it first without the required answers and then with them, then the page announces what is
    missing, the answers are stored with no link to them, and the lesson shows as answered."""
    base = live_server.url
    survey = survey_with_every_kind()
    learner = UserFactory(full_name=f"Survey Learner {token}")
    EnrollmentFactory(learner=learner, course=survey.lesson.module.course)
    page = new_page(browser)
    sign_in(page, base, learner.email)

    page.goto(base + reverse("learning:lesson", args=[survey.lesson_id]))
    expect(page.get_by_role("heading", name="This survey is anonymous")).to_be_visible()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("alert").first).to_contain_text("Please answer this question.")
    assert AnonymousResponse.objects.count() == 0

    page.get_by_role("group", name="How useful was the course?").get_by_label("4").check()
    page.get_by_role("group", name="Which module was best?").get_by_label("Second").check()
    page.get_by_role("group", name="What did you use?").get_by_label("Videos").check()
    page.get_by_label("Anything else?").fill(f"More exercises {token}")
    page.get_by_role("button", name="Send my answers").click()

    expect(page.get_by_text("Thank you: your answers are saved.")).to_be_visible()
    expect(page.get_by_text("Answered", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Send my answers")).to_have_count(0)
    assert LessonProgress.objects.get(learner=learner, lesson=survey.lesson).completed_at
    assert AnonymousResponse.objects.filter(survey=survey).count() == 1
    assert AnonymousAnswer.objects.filter(text=f"More exercises {token}").count() == 1
