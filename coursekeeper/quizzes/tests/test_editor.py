"""R6: the instructor sets a quiz lesson's rules and questions in the course editor, and sees
how each question went in figures about groups only (R34)."""

from __future__ import annotations

import secrets
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from coursekeeper.accounts.choices import Role
from coursekeeper.accounts.factories import StaffFactory, UserFactory
from coursekeeper.learning.factories import CourseFactory, EnrollmentFactory, ModuleFactory
from coursekeeper.privacy.factories import AuthenticatorFactory
from coursekeeper.privacy.models import ProviderSettings
from coursekeeper.quizzes import services
from coursekeeper.quizzes.factories import QuizFactory, QuizLessonFactory, single_choice
from coursekeeper.quizzes.models import Choice, Question, Quiz
from coursekeeper.security.services import course_pseudonym

pytestmark = pytest.mark.django_db


def instructor_with_client():
    instructor = StaffFactory(role=Role.INSTRUCTOR, is_staff=False)
    AuthenticatorFactory(user=instructor)
    client = Client()
    client.force_login(instructor)
    return instructor, client


@pytest.fixture
def teaching():
    instructor, client = instructor_with_client()
    course = CourseFactory(instructor=instructor)
    lesson = QuizLessonFactory(module=ModuleFactory(course=course))
    return instructor, client, course, lesson


def test_r6_the_lesson_editor_links_to_the_quiz_editor(teaching):
    _instructor, client, course, lesson = teaching

    page = client.get(reverse("learning:editor_edit_lesson", args=[course.slug, lesson.pk]))

    assert reverse("quizzes:editor_quiz", args=[course.slug, lesson.pk]) in page.content.decode()


def test_r6_an_instructor_sets_the_rules_and_adds_questions_of_each_kind(teaching):
    _instructor, client, course, lesson = teaching
    quiz_url = reverse("quizzes:editor_quiz", args=[course.slug, lesson.pk])
    new_question = reverse("quizzes:editor_new_question", args=[course.slug, lesson.pk])

    saved = client.post(
        quiz_url,
        {"pass_mark": 75, "attempts_allowed": 3, "time_limit_minutes": 20, "draw_count": 2,
         "score_kept": "last", "feedback": "after_submitting", "feedback_from": ""},
    )  # fmt: skip
    single = client.post(
        new_question,
        {"kind": "single", "text": "Capital of Denmark?", "points": 2, "position": 1,
         "tolerance": "0", "choice_1_text": "Copenhagen", "choice_1_correct": "on",
         "choice_1_feedback": "Yes.", "choice_2_text": "Aarhus"},
    )  # fmt: skip
    number = client.post(
        new_question,
        {"kind": "number", "text": "Pi to two places?", "points": 1, "position": 2,
         "number": "3.14", "tolerance": "0.005"},
    )  # fmt: skip

    assert (saved.status_code, single.status_code, number.status_code) == (302, 302, 302)
    quiz = Quiz.objects.get(lesson=lesson)
    assert (quiz.pass_mark, quiz.attempts_allowed, quiz.time_limit_minutes, quiz.draw_count) == (
        75,
        3,
        20,
        2,
    )
    assert quiz.score_kept == "last"
    capital = Question.objects.get(quiz=quiz, kind="single")
    assert list(capital.choices.values_list("text", "is_correct", "feedback")) == [
        ("Copenhagen", True, "Yes."),
        ("Aarhus", False, ""),
    ]
    pi = Question.objects.get(quiz=quiz, kind="number")
    assert (pi.number, pi.tolerance) == (Decimal("3.14"), Decimal("0.005"))
    listing = client.get(quiz_url).content.decode()
    assert "Capital of Denmark?" in listing and "Pi to two places?" in listing


def test_r6_a_single_choice_question_without_exactly_one_right_choice_is_refused(teaching):
    _instructor, client, course, lesson = teaching
    QuizFactory(lesson=lesson)

    response = client.post(
        reverse("quizzes:editor_new_question", args=[course.slug, lesson.pk]),
        {"kind": "single", "text": "Which?", "points": 1, "position": 1, "tolerance": "0",
         "choice_1_text": "A", "choice_1_correct": "on", "choice_2_text": "B",
         "choice_2_correct": "on"},
    )  # fmt: skip

    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html and "Mark exactly one choice as right." in html
    assert Question.objects.count() == 0


def test_r6_editing_a_question_keeps_its_choices_in_place(teaching):
    _instructor, client, course, lesson = teaching
    question = single_choice(QuizFactory(lesson=lesson))
    first_choice = question.choices.order_by("position")[0].pk

    client.post(
        reverse("quizzes:editor_question", args=[course.slug, lesson.pk, question.pk]),
        {"kind": "single", "text": "Two plus two, again?", "points": 1, "position": 1,
         "tolerance": "0", "choice_1_text": "four", "choice_1_correct": "on"
         , "choice_2_text": "five"},
    )  # fmt: skip

    question.refresh_from_db()
    assert question.text == "Two plus two, again?"
    assert question.choices.order_by("position")[0].pk == first_choice
    assert list(Choice.objects.filter(question=question).values_list("text", flat=True)) == [
        "four",
        "five",
    ]


def test_r6_another_instructor_cannot_open_or_change_the_quiz(teaching):
    _instructor, _client, course, lesson = teaching
    quiz = QuizFactory(lesson=lesson, pass_mark=50)
    _other, other_client = instructor_with_client()

    page = other_client.get(reverse("quizzes:editor_quiz", args=[course.slug, lesson.pk]))
    changed = other_client.post(
        reverse("quizzes:editor_quiz", args=[course.slug, lesson.pk]),
        {"pass_mark": 1, "score_kept": "best", "feedback": "after_submitting"},
    )
    results = other_client.get(reverse("quizzes:editor_results", args=[course.slug, lesson.pk]))

    assert (page.status_code, changed.status_code, results.status_code) == (403, 403, 403)
    quiz.refresh_from_db()
    assert quiz.pass_mark == 50


def test_r6_the_results_page_shows_shares_per_question_for_big_enough_groups_and_no_names(
    teaching,
):
    _instructor, client, course, lesson = teaching
    ProviderSettings.objects.update_or_create(pk=1, defaults={"min_group_size": 3})
    quiz = QuizFactory(lesson=lesson)
    asked = single_choice(quiz, text="Asked of everyone?")
    rare = single_choice(quiz, text="Rarely drawn?")
    learners = []
    for index in range(4):
        token = secrets.token_hex(5)
        learner = UserFactory(full_name=f"Quizzer {token}", email=f"quizzer-{token}@example.org")
        EnrollmentFactory(learner=learner, course=course)
        learners.append(learner)
        attempt = services.start_attempt(learner=learner, quiz=quiz)
        right = asked.choices.get(is_correct=True) if index < 3 else asked.choices.get(text="5")
        answers = {asked.pk: [str(right.pk)]}
        if index == 0:  # everyone is asked it; only one answers it right
            answers[rare.pk] = [str(rare.choices.get(is_correct=True).pk)]
        services.submit_attempt(learner=learner, attempt_id=attempt.pk, answers=answers)

    response = client.get(reverse("quizzes:editor_results", args=[course.slug, lesson.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "3 of 4 (75 %)" in html
    assert "1 of 4 (25 %)" in html
    assert '<svg class="bar-chart"' in html and "<table" in html
    for learner in learners:
        assert learner.full_name not in html and learner.email not in html
        assert course_pseudonym(course.pk, learner.pk) not in html


def test_r6_a_question_answered_by_fewer_learners_than_the_smallest_group_shows_no_figure(
    teaching,
):
    _instructor, client, course, lesson = teaching
    ProviderSettings.objects.update_or_create(pk=1, defaults={"min_group_size": 5})
    quiz = QuizFactory(lesson=lesson)
    question = single_choice(quiz)
    for _ in range(2):
        learner = UserFactory()
        EnrollmentFactory(learner=learner, course=course)
        attempt = services.start_attempt(learner=learner, quiz=quiz)
        services.submit_attempt(
            learner=learner,
            attempt_id=attempt.pk,
            answers={question.pk: [str(question.choices.get(is_correct=True).pk)]},
        )

    html = client.get(reverse("quizzes:editor_results", args=[course.slug, lesson.pk])).content
    text = html.decode()

    assert "fewer than 5 learners" in text
    assert "2 of 2" not in text and '<svg class="bar-chart"' not in text


def test_r30_a_learner_who_objected_to_course_statistics_leaves_the_quiz_figures(teaching):
    from coursekeeper.privacy.factories import ObjectionFactory

    _instructor, client, course, lesson = teaching
    ProviderSettings.objects.update_or_create(pk=1, defaults={"min_group_size": 3})
    quiz = QuizFactory(lesson=lesson)
    question = single_choice(quiz)
    learners = [UserFactory() for _ in range(4)]
    for index, learner in enumerate(learners):
        EnrollmentFactory(learner=learner, course=course)
        attempt = services.start_attempt(learner=learner, quiz=quiz)
        choice = question.choices.get(is_correct=index > 0)
        services.submit_attempt(
            learner=learner, attempt_id=attempt.pk, answers={question.pk: [str(choice.pk)]}
        )
    ObjectionFactory(user=learners[0], purpose="course_statistics")

    html = client.get(reverse("quizzes:editor_results", args=[course.slug, lesson.pk])).content

    assert "3 of 3 (100 %)" in html.decode()
