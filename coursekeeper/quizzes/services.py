"""Every write of the quizzes app: starting and submitting attempts, and editing quizzes (R6).

Taking a quiz is a processing path (`quizzes.privacy.TAKE_QUIZ`): starting and submitting ask
the privacy gate before writing anything, so a restricted learner's attempt is refused and
nothing changes.

The rules an attempt follows, all decided here on the server:

- Starting draws the questions at random, in random order, when the quiz asks fewer than its
  bank holds; otherwise it asks them all, in the bank's order. It fixes the deadline from the
  time limit. While an attempt is open and in time, starting again
  returns it rather than spending another attempt. Every attempt started counts against the
  limit, submitted or not: otherwise leaving one open would be a free look at the questions.
- A submission is accepted up to `GRACE` after the deadline (the time the form takes to travel).
  Later than that, the answers sent are refused, not graded: the attempt is closed as it was
  saved, and since answers are saved only by submitting, it scores zero. An open attempt whose
  time ran out is closed the same way when the learner next starts one.
- Multiple choice is all or nothing (`quizzes.grading`). The score is whole percent, rounded
  down; an attempt passes at or above the quiz's pass mark.
- Passing marks the lesson done through `learning.services.complete_lesson` (and so the course,
  when it was the last lesson). A lesson once done stays done, whichever score is kept: the
  kept score (best or last) is what the learner and the lesson page see.

Each service runs in one transaction and locks the rows it counts (the quiz while starting,
the attempt while submitting), so two tabs cannot start past the limit or submit twice.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from coursekeeper.learning.models import Lesson
from coursekeeper.learning.services import complete_lesson, open_lesson_for
from coursekeeper.privacy.access.roles import TEACH, can
from coursekeeper.privacy.paths import ProcessingPath
from coursekeeper.privacy.people import Person
from coursekeeper.quizzes import grading
from coursekeeper.quizzes.errors import QuizError
from coursekeeper.quizzes.models import Answer, Attempt, Choice, Question, Quiz
from coursekeeper.quizzes.privacy import TAKE_QUIZ

# How late after the deadline a submission still counts: the form's way to the server.
GRACE = dt.timedelta(seconds=30)

_draw = random.SystemRandom()


def ask_gate(path: ProcessingPath, person: Person) -> None:
    """Refuse unless the gate lets `path` run for `person`."""
    decision = path.ask(person)
    if not decision:
        raise QuizError(
            "quiz_restricted" if decision.reason == "restricted" else "processing_refused"
        )


def is_overdue(attempt: Attempt, now: dt.datetime) -> bool:
    """Return whether an open attempt's time, grace included, has run out."""
    return attempt.deadline is not None and now > attempt.deadline + GRACE


def _close_overdue(attempt: Attempt, now: dt.datetime) -> None:
    attempt.submitted_at = now
    attempt.score = 0
    attempt.passed = False
    attempt.expired = True
    attempt.updated_at = now
    attempt.save(update_fields=["submitted_at", "score", "passed", "expired", "updated_at"])


@transaction.atomic
def start_attempt(*, learner, quiz: Quiz) -> Attempt:
    """Start an attempt at `quiz` for `learner`, or return the open one still in time.

    Refuse ("no_attempts_left", "no_questions", the lesson's own refusals, the gate's) with
    nothing changed.
    """
    open_lesson_for(learner=learner, lesson=quiz.lesson)
    ask_gate(TAKE_QUIZ, Person.for_user(learner))
    quiz = Quiz.objects.select_for_update().get(pk=quiz.pk)
    now = timezone.now()
    attempts = Attempt.objects.filter(quiz=quiz, learner=learner)
    bank = list(quiz.questions.order_by("position", "pk").values_list("pk", flat=True))
    open_attempt = attempts.filter(submitted_at__isnull=True).order_by("-started_at").first()
    if open_attempt is not None and not is_overdue(open_attempt, now):
        return open_attempt
    if quiz.attempts_allowed is not None and attempts.count() >= quiz.attempts_allowed:
        raise QuizError("no_attempts_left")
    if not bank:
        raise QuizError("no_questions")
    for overdue in attempts.filter(submitted_at__isnull=True):
        _close_overdue(overdue, now)
    drawn = bank
    if quiz.draw_count is not None and quiz.draw_count < len(bank):
        drawn = _draw.sample(bank, quiz.draw_count)
    limit = quiz.time_limit()
    return Attempt.objects.create(
        learner=learner,
        quiz=quiz,
        started_at=now,
        deadline=now + limit if limit else None,
        question_ids=drawn,
        updated_at=now,
    )


def _given(question: Question, raw: Sequence[str], choice_ids: set[int]) -> grading.Given:
    """Parse the strings the form sent for `question`; refuse a choice it does not offer."""
    values = [value for value in raw if value.strip()]
    if question.has_choices:
        try:
            chosen = frozenset(int(value) for value in values)
        except ValueError:
            raise QuizError("bad_answer") from None
        if not chosen <= choice_ids or (question.kind == Question.Kind.SINGLE and len(chosen) > 1):
            raise QuizError("bad_answer")
        return grading.Given(chosen=chosen)
    text = values[0].strip()[:500] if values else ""
    if question.kind == Question.Kind.TRUE_FALSE:
        if text not in ("", grading.TRUE, grading.FALSE):
            raise QuizError("bad_answer")
        return grading.Given(text=text)
    if question.kind == Question.Kind.NUMBER:
        return grading.Given(text=text, number=grading.parse_number(text))
    return grading.Given(text=text)


@transaction.atomic
def submit_attempt(*, learner, attempt_id: int, answers: Mapping[int, Sequence[str]]) -> Attempt:
    """Grade and close the learner's open attempt with `answers` (question id -> raw values).

    A submission later than the deadline and its grace closes the attempt with a zero instead
    (`attempt.expired` says so; see the module docstring). Refuse an attempt that is not the
    learner's, is already closed, or an answer naming a choice its question does not offer,
    with nothing changed.
    """
    attempt = (
        Attempt.objects.select_for_update()
        .select_related("quiz__lesson__module")
        .filter(pk=attempt_id, learner=learner)
        .first()
    )
    if attempt is None:
        raise QuizError("attempt_not_found")
    if not attempt.is_open:
        raise QuizError("already_submitted")
    quiz = attempt.quiz
    open_lesson_for(learner=learner, lesson=quiz.lesson)
    ask_gate(TAKE_QUIZ, Person.for_user(learner))
    now = timezone.now()
    if is_overdue(attempt, now):
        _close_overdue(attempt, now)
        return attempt
    questions = Question.objects.in_bulk(attempt.question_ids)
    right: dict[int, set[int]] = {}
    offered: dict[int, set[int]] = {}
    for choice in Choice.objects.filter(question_id__in=attempt.question_ids).values(
        "pk", "question_id", "is_correct"
    ):
        offered.setdefault(choice["question_id"], set()).add(choice["pk"])
        if choice["is_correct"]:
            right.setdefault(choice["question_id"], set()).add(choice["pk"])
    earned = possible = 0
    rows = []
    # A question the instructor deleted since the draw is left out of the score.
    for question_id in attempt.question_ids:
        question = questions.get(question_id)
        if question is None:
            continue
        given = _given(question, answers.get(question_id, ()), offered.get(question_id, set()))
        correct = grading.is_right(question, given, right.get(question_id, set()))
        points = question.points if correct else 0
        earned += points
        possible += question.points
        rows.append(
            Answer(
                attempt=attempt,
                question=question,
                chosen=sorted(given.chosen),
                text=given.text,
                number=given.number,
                is_correct=correct,
                points=points,
                updated_at=now,
            )
        )
    Answer.objects.bulk_create(rows)
    attempt.score = grading.percent(earned, possible)
    attempt.passed = attempt.score >= quiz.pass_mark
    attempt.submitted_at = now
    attempt.updated_at = now
    attempt.save(update_fields=["score", "passed", "submitted_at", "updated_at"])
    if attempt.passed:
        complete_lesson(learner=learner, lesson=quiz.lesson)
    return attempt


# --- The quiz editor ------------------------------------------------------------------------------


def _check_teaches(acting_user, lesson: Lesson) -> None:
    if not can(acting_user, TEACH, lesson.module.course):
        raise QuizError("not_your_course")


@transaction.atomic
def save_quiz(*, acting_user, quiz: Quiz) -> Quiz:
    """Save a quiz's rules (`quiz` edited, unsaved) for a quiz lesson the instructor teaches."""
    _check_teaches(acting_user, quiz.lesson)
    if quiz.lesson.kind != Lesson.Kind.QUIZ:
        raise QuizError("not_a_quiz")
    quiz.save()
    return quiz


@dataclass(frozen=True)
class ChoiceDraft:
    text: str
    is_correct: bool
    feedback: str = ""


@transaction.atomic
def save_question(
    *, acting_user, question: Question, choices: Iterable[ChoiceDraft] = ()
) -> Question:
    """Save a question (edited, unsaved) and set its choices to `choices`, in order.

    Choices are changed in place by position, so answers already given keep pointing at the
    choice in the same place; surplus choices go. A question of a kind without choices keeps
    none.
    """
    _check_teaches(acting_user, question.quiz.lesson)
    question.save()
    drafts = list(choices) if question.has_choices else []
    existing = list(question.choices.order_by("position", "pk"))
    for position, draft in enumerate(drafts, 1):
        choice = existing[position - 1] if position <= len(existing) else Choice(question=question)
        choice.text = draft.text
        choice.is_correct = draft.is_correct
        choice.feedback = draft.feedback
        choice.position = position
        choice.save()
    Choice.objects.filter(pk__in=[choice.pk for choice in existing[len(drafts) :]]).delete()
    return question


@transaction.atomic
def delete_question(*, acting_user, question: Question) -> None:
    """Take a question out of its quiz's bank (its answers go with it)."""
    _check_teaches(acting_user, question.quiz.lesson)
    question.delete()
