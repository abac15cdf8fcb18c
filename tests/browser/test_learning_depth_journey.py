"""Issue 16 end to end in Chromium: a learner takes a quiz, hands in an exercise and earns a
certificate; the instructor grades it under a pseudonym and sees where learners struggle; the
public check of the certificate answers before and after the learner's erasure as the declared
hold says; and axe finds nothing on the new pages in Danish, German and English.

R5, R6, R9, R29, R30, R34 and the accessibility requirement, in one journey.
"""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.urls import reverse
from playwright.sync_api import Page, expect

from coursekeeper.accounts.factories import PASSWORD, UserFactory
from coursekeeper.accounts.tests.test_login import current_code
from coursekeeper.assignments.factories import HandinLessonFactory
from coursekeeper.assignments.models import Submission
from coursekeeper.certificates.factories import CertificateSettingsFactory
from coursekeeper.certificates.models import Certificate, new_code
from coursekeeper.learning.factories import (
    CourseFactory,
    EnrollmentFactory,
    LessonFactory,
    ModuleFactory,
)
from coursekeeper.learning.models import Enrollment, LessonProgress
from coursekeeper.learning.services import complete_lesson
from coursekeeper.privacy import jobs
from coursekeeper.privacy.models import ErasureJob
from coursekeeper.quizzes.factories import QuizFactory, QuizLessonFactory, single_choice
from coursekeeper.quizzes.models import Attempt, Question
from coursekeeper.security.services import course_pseudonym
from tests.browser.conftest import accessibility_violations
from tests.browser.test_account_journey import new_page

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
LANGUAGES = ("da", "de", "en")


def sign_in(page: Page, base: str, email: str, *, totp_secret: str | None = None) -> None:
    """Sign in through the real pages; staff then type the current code of their app."""
    page.goto(base + reverse("account_login"))
    form = page.locator("main form")
    form.get_by_label("Email").fill(email)
    form.get_by_label("Password").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    if totp_secret is not None:
        expect(page).to_have_url(base + reverse("mfa_authenticate"))
        form = page.locator("main form")
        form.get_by_label("Code").fill(current_code(totp_secret))
        form.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(base + reverse("learning:dashboard"))


def switch_language(page: Page, code: str) -> None:
    """Pick a language with the footer's buttons (stored in the signed-in person's profile)."""
    page.locator(f"footer button[name=language][value={code}]").click()
    expect(page.locator("html")).to_have_attribute("lang", code)


def build_course(token: str):
    """A published course: a text lesson, a three-question quiz and a hand-in exercise, with
    certificates on and documented participation off, taught by an instructor with TOTP."""
    instructor = UserFactory(role="instructor", full_name=f"Ines {token} Teacher")
    TOTP.activate(instructor, SECRET)
    course = CourseFactory(instructor=instructor, title=f"Bookkeeping {token}")
    module = ModuleFactory(course=course, title="Getting started", position=1)
    reading = LessonFactory(module=module, title="Why keep books", position=1)
    quiz = QuizFactory(
        lesson=QuizLessonFactory(module=module, title="Check yourself", position=2),
        pass_mark=60,
    )
    single_choice(quiz, text="Two plus two?")
    single_choice(quiz, text="Three plus one?")
    statement = Question.objects.create(
        quiz=quiz,
        kind=Question.Kind.TRUE_FALSE,
        text="An invoice needs a number.",
        statement_is_true=True,
        points=1,
        position=3,
    )
    exercise = HandinLessonFactory(module=module, title="Your first budget", position=3)
    CertificateSettingsFactory(course=course, enabled=True, documented_participation=False)
    return instructor, course, reading, quiz, statement, exercise


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_r6_r9_r34_learning_depth_journey_from_quiz_to_certificate_and_erasure(
    browser, live_server, settings, tmp_path, token
):
    """Given a course with a text lesson, a quiz and an exercise, certificates on without
    documented participation, and five other learners' progress, when the learner reads, passes
    the quiz and hands in, and the instructor (signed in with TOTP) passes the hand-in, then the
    instructor saw only a pseudonym and the group's real figures, the learner's certificate is a
    PDF whose check names them, and after their erasure the check answers word for word as for
    a code that never existed; axe finds nothing on the new pages in da, de and en."""
    settings.MEDIA_ROOT = tmp_path / "media"
    base = live_server.url
    instructor, course, reading, quiz, statement, exercise = build_course(token)
    # Five others with progress, so the group figures (smallest group 5) are shown: four
    # finished everything, one stopped before the exercise.
    for number in range(5):
        other = UserFactory()
        EnrollmentFactory(learner=other, course=course)
        lessons = [reading, quiz.lesson, exercise] if number < 4 else [reading, quiz.lesson]
        for lesson in lessons:
            complete_lesson(learner=other, lesson=lesson)
    learner = UserFactory(full_name=f"Lea {token} Learner", email=f"lea-{token}@example.org")
    EnrollmentFactory(learner=learner, course=course)
    pseudonym = course_pseudonym(course.pk, learner.pk)
    pages: list[Page] = []
    try:
        # 1. The learner reads the text lesson and marks it done.
        learner_page = new_page(browser)
        pages.append(learner_page)
        sign_in(learner_page, base, learner.email)
        learner_page.goto(base + reverse("learning:lesson", args=[reading.pk]))
        learner_page.get_by_role("button", name="Mark as done").click()
        expect(learner_page).to_have_url(base + reverse("learning:lesson", args=[quiz.lesson.pk]))
        assert LessonProgress.objects.get(learner=learner, lesson=reading).completed_at

        # 2. ... takes the quiz and passes it.
        learner_page.goto(base + reverse("learning:lesson", args=[quiz.lesson.pk]))
        expect(learner_page.get_by_text("3 questions per attempt.")).to_be_visible()
        learner_page.get_by_role("button", name="Start the quiz").click()
        attempt = Attempt.objects.get(learner=learner)
        expect(learner_page).to_have_url(base + reverse("quizzes:attempt", args=[attempt.pk]))
        sheet = learner_page.locator("form.quiz-form")
        sheet.get_by_role("group", name="Two plus two?").get_by_label("4").check()
        sheet.get_by_role("group", name="Three plus one?").get_by_label("5").check()
        sheet.get_by_role("group", name=statement.text).get_by_label("True").check()
        sheet.get_by_role("button", name="Submit your answers").click()
        result_url = base + reverse("quizzes:result", args=[attempt.pk])
        expect(learner_page).to_have_url(result_url)
        expect(learner_page.get_by_text("You scored 66 %. The pass mark is 60 %.")).to_be_visible()
        expect(learner_page.locator(".quiz-score strong")).to_have_text("Passed")
        assert LessonProgress.objects.get(learner=learner, lesson=quiz.lesson).completed_at

        # 3. ... hands in a text answer for the exercise.
        learner_page.goto(base + reverse("learning:lesson", args=[exercise.pk]))
        learner_page.get_by_label("Your answer").fill(f"Income 100, costs 80, left 20 ({token}).")
        learner_page.get_by_role("button", name="Hand in", exact=True).click()
        expect(learner_page.locator("[data-handin-status]")).to_have_text("Waiting for review")
        submission = Submission.objects.get(learner=learner)
        assert Certificate.objects.filter(learner=learner).count() == 0

        # 4. The instructor signs in with a TOTP code, finds the hand-in under the learner's
        # pseudonym only, and passes it with a comment.
        teacher_page = new_page(browser)
        pages.append(teacher_page)
        sign_in(teacher_page, base, instructor.email, totp_secret=SECRET)
        teacher_page.goto(base + reverse("learning:editor_course", args=[course.slug]))
        teacher_page.get_by_role("link", name="Exercises handed in").click()
        expect(teacher_page).to_have_url(base + reverse("assignments:queue", args=[course.slug]))
        expect(teacher_page.locator("main")).to_contain_text(pseudonym)
        for identifier in (learner.full_name, learner.email):
            expect(teacher_page.locator("main")).not_to_contain_text(identifier)
        teacher_page.get_by_role("link", name=pseudonym).click()
        review_url = base + reverse("assignments:review", args=[course.slug, submission.pk])
        expect(teacher_page).to_have_url(review_url)
        expect(teacher_page.locator("main")).to_contain_text(f"left 20 ({token})")
        expect(teacher_page.locator("main")).not_to_contain_text(learner.full_name)
        expect(teacher_page.locator("main")).not_to_contain_text(learner.email)
        teacher_page.get_by_label("Passed").check()
        teacher_page.get_by_label("Comment for the learner").fill("Clear and correct.")
        teacher_page.get_by_role("button", name="Save the review").click()
        expect(teacher_page.locator("main")).to_contain_text(
            "The review is saved and the learner is told."
        )
        assert Submission.objects.get(pk=submission.pk).status == "passed"

        # 5. ... and sees where learners struggle: six enrolled, five finished; the exercise
        # lost one learner. Each chart is an SVG with a title, and a table says the same.
        stats_url = base + reverse("learning:editor_course", args=[course.slug])
        teacher_page.goto(stats_url)
        main = teacher_page.locator("main")
        expect(main).to_contain_text("6 enrolled.")
        expect(main).to_contain_text("5 finished the course.")
        finished = main.get_by_role("table", name="Lessons finished", exact=True)
        assert rows_of(finished) == [
            ["1", "Why keep books", "6 (100 %)"],
            ["2", "Check yourself", "6 (100 %)"],
            ["3", "Your first budget", "5 (83 %)"],
        ]
        funnel = main.get_by_role("table", name="Learners at each step", exact=False)
        assert rows_of(funnel) == [
            ["Enrolled", "6", "100 %"],
            ["Started", "6", "100 %"],
            ["Half-way", "6", "100 %"],
            ["Finished", "5", "83 %"],
        ]
        went_on = main.get_by_role("table", name="how many went on", exact=False)
        assert rows_of(went_on) == [
            ["1", "Why keep books", "6", "\N{EN DASH}"],
            ["2", "Check yourself", "6", "6 (100 %)"],
            ["3", "Your first budget", "5", "5 (83 %)"],
        ]
        for chart_id, bars in (("lessons-chart", 3), ("funnel-chart", 4), ("went-on-chart", 2)):
            chart = main.locator(f"svg#{chart_id}, svg:has(title#{chart_id}-title)")
            expect(chart).to_have_attribute("role", "img")
            expect(chart.locator("rect.chart-bar")).to_have_count(bars)
        expect(main.locator("svg:has(title#funnel-chart-title) text.chart-label")).to_have_text(
            ["10", "0", "enrolled", "started", "half-way", "finished"]
        )
        expect(main).not_to_contain_text(learner.full_name)

        # 6. The learner, now finished, downloads the certificate, and its check says valid.
        learner_page.goto(base + reverse("learning:dashboard"))
        with learner_page.expect_download() as download_info:
            learner_page.get_by_role("link", name="Download your certificate (PDF)").click()
        with open(download_info.value.path(), "rb") as pdf:
            assert pdf.read(5) == b"%PDF-"
        certificate = Certificate.objects.get(learner=learner, course=course)
        verify_url = base + reverse("certificates:verify", args=[certificate.code])
        learner_page.goto(verify_url)
        answer = learner_page.locator("#certificate-answer")
        expect(answer.get_by_role("heading")).to_have_text("This certificate is valid.")
        expect(answer).to_contain_text(learner.full_name)
        expect(answer).to_contain_text(course.title)

        # 7. axe finds nothing on the new pages, in each language.
        learner_pages = {
            "quiz lesson": base + reverse("learning:lesson", args=[quiz.lesson.pk]),
            "quiz result": result_url,
            "hand-in lesson": base + reverse("learning:lesson", args=[exercise.pk]),
            "certificate check": verify_url,
        }
        teacher_pages = {
            "hand-in queue": base + reverse("assignments:queue", args=[course.slug]),
            "hand-in review": review_url,
            "course statistics": stats_url,
        }
        violations = {}
        for language in LANGUAGES:
            for page, urls in ((learner_page, learner_pages), (teacher_page, teacher_pages)):
                switch_language(page, language)
                for name, url in urls.items():
                    page.goto(url)
                    expect(page.locator("html")).to_have_attribute("lang", language)
                    found = accessibility_violations(page)
                    if found:
                        violations[(language, name)] = found
        assert violations == {}
    finally:
        for page in pages:
            page.context.close()

    # 8. The learner is erased. The certificate was not documented participation, so nothing
    # holds it: its check now answers exactly as for a code that never existed.
    job = jobs.request_erasure(user=learner)
    jobs.run_erasure_job(job_id=job.pk)
    assert ErasureJob.objects.get(pk=job.pk).status == "done"
    assert not Certificate.objects.filter(code=certificate.code).exists()
    assert not Enrollment.objects.filter(learner_id=learner.pk).exists()
    visitor = new_page(browser)
    try:
        answers = []
        for code in (certificate.code, new_code()):
            response = visitor.goto(base + reverse("certificates:verify", args=[code]))
            assert response is not None and response.status == 404
            answers.append(visitor.locator("#certificate-answer").inner_text())
        assert answers[0] == answers[1]
        assert answers[0].startswith("We cannot confirm a certificate with this code.")
        assert learner.full_name not in visitor.content()
    finally:
        visitor.context.close()


def rows_of(table) -> list[list[str]]:
    """The text of each body row's cells (header cells included), as the page shows them."""
    return table.locator("tbody tr").evaluate_all(
        "rows => rows.map(row => [...row.cells].map(cell => cell.innerText.trim()))"
    )
