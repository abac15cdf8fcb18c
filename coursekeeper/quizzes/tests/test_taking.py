"""R6: a learner takes a quiz without JavaScript; the server draws, times, grades and keeps."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coursekeeper.accounts.factories import UserFactory
from coursekeeper.learning.factories import EnrollmentFactory, LessonFactory
from coursekeeper.learning.models import Enrollment, LessonProgress
from coursekeeper.privacy.factories import RestrictionFactory
from coursekeeper.quizzes import services
from coursekeeper.quizzes.errors import QuizError
from coursekeeper.quizzes.factories import (
    AttemptFactory,
    ChoiceFactory,
    QuestionFactory,
    QuizFactory,
    single_choice,
)
from coursekeeper.quizzes.models import Answer, Attempt, Question
from coursekeeper.quizzes.selectors import kept_attempt

pytestmark = pytest.mark.django_db


def right_choice(question: Question) -> str:
    return str(question.choices.get(is_correct=True).pk)


def wrong_choice(question: Question) -> str:
    return str(question.choices.filter(is_correct=False)[0].pk)


def snapshot(learner) -> dict:
    return {
        "attempts": list(Attempt.objects.filter(learner=learner).order_by("pk").values()),
        "answers": list(Answer.objects.filter(attempt__learner=learner).order_by("pk").values()),
        "progress": list(LessonProgress.objects.filter(learner=learner).values()),
    }


def test_r6_the_lesson_page_shows_the_rules_and_a_start_button(quiz, learner_client):
    single_choice(quiz)
    single_choice(quiz, text="Three plus three?")
    quiz.attempts_allowed = 2
    quiz.time_limit_minutes = 10
    quiz.save()

    response = learner_client.get(reverse("learning:lesson", args=[quiz.lesson.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "2 questions per attempt." in html
    assert "You pass with 60 % or more." in html
    assert "You have 2 attempts left." in html
    assert "Each attempt must be submitted within 10 minutes of starting it." in html
    assert "Your best score counts." in html
    assert reverse("quizzes:start", args=[quiz.lesson.pk]) in html
    assert "Start the quiz" in html
    assert reverse("learning:complete", args=[quiz.lesson.pk]) not in html  # no "Mark as done"


def test_r6_the_attempt_page_is_one_form_with_a_legend_per_question_and_labelled_controls(
    quiz, learner, learner_client
):
    single_choice(quiz)
    QuestionFactory(quiz=quiz, kind=Question.Kind.SHORT_TEXT, accepted_answers="x")
    QuestionFactory(quiz=quiz, kind=Question.Kind.TRUE_FALSE)
    quiz.time_limit_minutes = 5
    quiz.save()

    started = learner_client.post(reverse("quizzes:start", args=[quiz.lesson.pk]))
    attempt = Attempt.objects.get(learner=learner)
    page = learner_client.get(started["Location"])

    html = page.content.decode()
    assert started["Location"] == reverse("quizzes:attempt", args=[attempt.pk])
    assert html.count("<fieldset") == 3 and html.count("<legend>") == 3
    for question_id in attempt.question_ids:
        for control_id in [f"question-{question_id}"] + [
            f"question-{question_id}-{c.pk}"
            for c in Question.objects.get(pk=question_id).choices.all()
        ]:
            if f'id="{control_id}"' in html:
                assert f'for="{control_id}"' in html
    assert "Submit your answers by" in html


def test_r6_submitting_grades_on_the_server_and_passing_completes_the_lesson_and_course(
    quiz, learner, learner_client
):
    first = single_choice(quiz, points=2)
    text = QuestionFactory(
        quiz=quiz, kind=Question.Kind.SHORT_TEXT, accepted_answers="Copenhagen", points=1
    )
    number = QuestionFactory(
        quiz=quiz, kind=Question.Kind.NUMBER, number=Decimal(125), tolerance=Decimal("0.5")
    )
    learner_client.post(reverse("quizzes:start", args=[quiz.lesson.pk]))
    attempt = Attempt.objects.get(learner=learner)

    response = learner_client.post(
        reverse("quizzes:attempt", args=[attempt.pk]),
        {
            f"question-{first.pk}": right_choice(first),
            f"question-{text.pk}": "  copenhagen ",
            f"question-{number.pk}": "124,6",
        },
    )

    attempt.refresh_from_db()
    assert response["Location"] == reverse("quizzes:result", args=[attempt.pk])
    assert (attempt.score, attempt.passed, attempt.expired) == (100, True, False)
    assert sorted(Answer.objects.filter(attempt=attempt).values_list("points", flat=True)) == [
        1,
        1,
        2,
    ]
    assert LessonProgress.objects.get(learner=learner, lesson=quiz.lesson).completed_at
    # The quiz was the course's only lesson, so the course is done too.
    assert Enrollment.objects.get(learner=learner).completed_at is not None
    result = learner_client.get(response["Location"]).content.decode()
    assert "You scored 100 %. The pass mark is 60 %." in result
    lesson_page = learner_client.get(reverse("learning:lesson", args=[quiz.lesson.pk]))
    assert "Done" in lesson_page.content.decode()


def test_r6_failing_leaves_the_lesson_not_done(quiz, learner):
    question = single_choice(quiz)
    LessonFactory(module=quiz.lesson.module)
    attempt = services.start_attempt(learner=learner, quiz=quiz)

    services.submit_attempt(
        learner=learner, attempt_id=attempt.pk, answers={question.pk: [wrong_choice(question)]}
    )

    attempt.refresh_from_db()
    assert (attempt.score, attempt.passed) == (0, False)
    assert not LessonProgress.objects.filter(learner=learner).exists()


def test_r6_each_attempt_draws_the_configured_number_of_questions_from_the_bank(quiz, learner):
    bank = {single_choice(quiz, text=f"Q{n}").pk for n in range(6)}
    quiz.draw_count = 4
    quiz.save()

    attempt = services.start_attempt(learner=learner, quiz=quiz)

    assert len(attempt.question_ids) == 4
    assert len(set(attempt.question_ids)) == 4
    assert set(attempt.question_ids) <= bank


def test_r6_without_a_draw_count_every_question_is_asked_in_the_banks_order(quiz, learner):
    bank = [single_choice(quiz, text=f"Q{n}").pk for n in range(3)]

    attempt = services.start_attempt(learner=learner, quiz=quiz)

    assert attempt.question_ids == bank


def test_r6_starting_again_while_an_attempt_is_open_returns_it(quiz, learner):
    single_choice(quiz)
    quiz.attempts_allowed = 1
    quiz.save()

    first = services.start_attempt(learner=learner, quiz=quiz)
    again = services.start_attempt(learner=learner, quiz=quiz)

    assert again.pk == first.pk
    assert Attempt.objects.filter(learner=learner).count() == 1


def test_r6_an_attempt_beyond_the_limit_is_refused_and_nothing_changes(
    quiz, learner, learner_client
):
    single_choice(quiz)
    quiz.attempts_allowed = 2
    quiz.save()
    AttemptFactory(quiz=quiz, learner=learner, score=10, passed=False)
    AttemptFactory(quiz=quiz, learner=learner, score=20, passed=False)
    before = snapshot(learner)

    response = learner_client.post(reverse("quizzes:start", args=[quiz.lesson.pk]))

    assert response.status_code == 403
    assert "You have used all your attempts at this quiz" in response.content.decode()
    assert 'role="alert"' in response.content.decode()
    assert snapshot(learner) == before
    page = learner_client.get(reverse("learning:lesson", args=[quiz.lesson.pk])).content.decode()
    assert "You have 0 attempts left." in page and "Start the quiz" not in page


def test_r6_a_submission_after_the_deadline_and_grace_is_refused_and_the_attempt_closed_at_zero(
    quiz, learner, learner_client
):
    question = single_choice(quiz)
    quiz.time_limit_minutes = 10
    quiz.save()
    attempt = services.start_attempt(learner=learner, quiz=quiz)
    assert attempt.deadline == attempt.started_at + dt.timedelta(minutes=10)
    late = timezone.now() - services.GRACE - dt.timedelta(seconds=1)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=late)
    page = learner_client.get(reverse("quizzes:attempt", args=[attempt.pk])).content.decode()

    response = learner_client.post(
        reverse("quizzes:attempt", args=[attempt.pk]),
        {f"question-{question.pk}": right_choice(question)},
    )

    attempt.refresh_from_db()
    assert (attempt.score, attempt.passed, attempt.expired) == (0, False, True)
    assert attempt.submitted_at is not None
    assert not Answer.objects.filter(attempt=attempt).exists()
    assert not LessonProgress.objects.filter(learner=learner).exists()
    result = learner_client.get(response["Location"]).content.decode()
    assert 'role="alert">The time for this attempt has run out' in page
    assert 'role="alert">The time for this attempt ran out' in result


def test_r6_a_submission_within_the_grace_still_counts(quiz, learner):
    question = single_choice(quiz)
    quiz.time_limit_minutes = 1
    quiz.save()
    attempt = services.start_attempt(learner=learner, quiz=quiz)
    Attempt.objects.filter(pk=attempt.pk).update(
        deadline=timezone.now() - services.GRACE + dt.timedelta(seconds=5)
    )

    services.submit_attempt(
        learner=learner, attempt_id=attempt.pk, answers={question.pk: [right_choice(question)]}
    )

    attempt.refresh_from_db()
    assert (attempt.score, attempt.expired) == (100, False)


def test_r6_an_overdue_open_attempt_is_closed_and_counted_when_the_next_one_starts(quiz, learner):
    single_choice(quiz)
    quiz.time_limit_minutes = 1
    quiz.save()
    old = services.start_attempt(learner=learner, quiz=quiz)
    Attempt.objects.filter(pk=old.pk).update(deadline=timezone.now() - dt.timedelta(hours=1))

    new = services.start_attempt(learner=learner, quiz=quiz)

    old.refresh_from_db()
    assert new.pk != old.pk
    assert (old.expired, old.score, old.is_open) == (True, 0, False)


def test_r6_a_submitted_attempt_cannot_be_submitted_again(quiz, learner):
    question = single_choice(quiz)
    attempt = services.start_attempt(learner=learner, quiz=quiz)
    services.submit_attempt(
        learner=learner, attempt_id=attempt.pk, answers={question.pk: [wrong_choice(question)]}
    )
    before = snapshot(learner)

    with pytest.raises(QuizError) as refused:
        services.submit_attempt(
            learner=learner, attempt_id=attempt.pk, answers={question.pk: [right_choice(question)]}
        )

    assert refused.value.code == "already_submitted"
    assert snapshot(learner) == before


def test_r6_a_choice_the_question_does_not_offer_is_refused_and_nothing_changes(quiz, learner):
    question = single_choice(quiz)
    other = ChoiceFactory(is_correct=True)
    attempt = services.start_attempt(learner=learner, quiz=quiz)
    before = snapshot(learner)

    with pytest.raises(QuizError) as refused:
        services.submit_attempt(
            learner=learner, attempt_id=attempt.pk, answers={question.pk: [str(other.pk)]}
        )

    assert refused.value.code == "bad_answer"
    assert snapshot(learner) == before


def test_r6_another_learners_attempt_is_not_found(quiz, learner, learner_client):
    single_choice(quiz)
    theirs = AttemptFactory(quiz=quiz, submitted_at=None, score=None, passed=False)
    EnrollmentFactory(learner=theirs.learner, course=quiz.lesson.module.course)

    assert learner_client.get(reverse("quizzes:attempt", args=[theirs.pk])).status_code == 404
    assert learner_client.get(reverse("quizzes:result", args=[theirs.pk])).status_code == 404


@pytest.mark.parametrize(("kept", "expected"), [("best", 80), ("last", 40)])
def test_r6_the_kept_score_is_the_best_or_the_last_as_configured(
    kept, expected, quiz, learner, learner_client
):
    quiz.score_kept = kept
    quiz.save()
    single_choice(quiz)
    now = timezone.now()
    AttemptFactory(quiz=quiz, learner=learner, score=80, submitted_at=now - dt.timedelta(hours=2))
    AttemptFactory(quiz=quiz, learner=learner, score=40, submitted_at=now - dt.timedelta(hours=1))

    page = learner_client.get(reverse("learning:lesson", args=[quiz.lesson.pk])).content.decode()

    kept_one = kept_attempt(quiz, learner)
    assert kept_one is not None and kept_one.score == expected
    assert f"Your score: {expected} %." in page


def test_r6_feedback_waits_for_the_date_when_so_configured(quiz, learner, learner_client):
    question = single_choice(quiz)
    question.explanation = "Because two and two make four."
    question.save()
    quiz.feedback = "after_date"
    quiz.feedback_from = timezone.now() + dt.timedelta(days=1)
    quiz.save()
    attempt = services.start_attempt(learner=learner, quiz=quiz)
    services.submit_attempt(
        learner=learner, attempt_id=attempt.pk, answers={question.pk: [right_choice(question)]}
    )
    url = reverse("quizzes:result", args=[attempt.pk])

    before = learner_client.get(url).content.decode()
    quiz.feedback_from = timezone.now() - dt.timedelta(minutes=1)
    quiz.save()
    after = learner_client.get(url).content.decode()

    assert "You scored 100 %." in before
    assert "Because two and two make four." not in before
    assert "The feedback on each answer is shown here from" in before
    assert "Because two and two make four." in after
    assert "your choice" in after


def test_r6_feedback_is_shown_right_after_submitting_by_default(quiz, learner, learner_client):
    question = single_choice(quiz)
    ChoiceFactory(question=question, text="Four", is_correct=False, feedback="Count again.")
    wrong = question.choices.get(text="Four")
    attempt = services.start_attempt(learner=learner, quiz=quiz)
    services.submit_attempt(
        learner=learner, attempt_id=attempt.pk, answers={question.pk: [str(wrong.pk)]}
    )

    html = learner_client.get(reverse("quizzes:result", args=[attempt.pk])).content.decode()

    assert "Not right" in html and "Count again." in html and "a right choice" in html


def test_r6_a_restricted_learner_cannot_start_or_submit_and_nothing_changes(
    quiz, learner, learner_client
):
    question = single_choice(quiz)
    attempt = services.start_attempt(learner=learner, quiz=quiz)
    RestrictionFactory(user=learner, email=learner.email)
    before = snapshot(learner)

    submitted = learner_client.post(
        reverse("quizzes:attempt", args=[attempt.pk]),
        {f"question-{question.pk}": right_choice(question)},
    )
    with pytest.raises(QuizError) as refused:
        services.start_attempt(learner=learner, quiz=QuizFactory(lesson__module=quiz.lesson.module))

    assert submitted.status_code == 403
    assert (
        "quiz attempts cannot be recorded while the restriction lasts" in submitted.content.decode()
    )
    assert refused.value.code == "quiz_restricted"
    assert snapshot(learner) == before


def test_r6_a_learner_not_enrolled_cannot_start(quiz, learner_client):
    single_choice(quiz)
    stranger = Client()
    stranger.force_login(UserFactory())

    response = stranger.post(reverse("quizzes:start", args=[quiz.lesson.pk]))

    assert response.status_code == 403
    assert Attempt.objects.count() == 0
