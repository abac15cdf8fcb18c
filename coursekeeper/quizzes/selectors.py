"""Reads of the quizzes app: a quiz's rules for the lesson page, an attempt, its result (R6).

A learner reads only their own attempts, and only while the lesson is open to them
(`learning.services.open_lesson_for`, which asks the gate for showing a lesson).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from coursekeeper.learning.models import Course, Lesson
from coursekeeper.learning.selectors import LessonPage
from coursekeeper.learning.services import open_lesson_for
from coursekeeper.privacy.access.roles import TEACH, can
from coursekeeper.quizzes.errors import QuizError
from coursekeeper.quizzes.models import Answer, Attempt, Choice, Question, Quiz
from coursekeeper.quizzes.services import is_overdue


def quiz_for_lesson(lesson_id: int) -> Quiz:
    quiz = Quiz.objects.select_related("lesson__module__course").filter(lesson_id=lesson_id).first()
    if quiz is None or quiz.lesson.kind != Lesson.Kind.QUIZ:
        raise QuizError("quiz_not_found")
    return quiz


def questions_per_attempt(quiz: Quiz, bank_size: int) -> int:
    return min(quiz.draw_count, bank_size) if quiz.draw_count else bank_size


def kept_attempt(quiz: Quiz, learner) -> Attempt | None:
    """Return the learner's attempt whose score counts: the best or the last submitted one."""
    submitted = Attempt.objects.filter(quiz=quiz, learner=learner, submitted_at__isnull=False)
    if quiz.score_kept == Quiz.ScoreKept.BEST:
        return submitted.order_by("-score", "-submitted_at", "-pk").first()
    return submitted.order_by("-submitted_at", "-pk").first()


@dataclass(frozen=True)
class QuizRules:
    """What the lesson page tells a learner before they start."""

    quiz: Quiz
    question_count: int
    attempts_used: int
    attempts_left: int | None  # None: no limit
    open_attempt: Attempt | None
    kept: Attempt | None

    @property
    def may_start(self) -> bool:
        return self.question_count > 0 and (self.attempts_left is None or self.attempts_left > 0)


def quiz_rules(*, quiz: Quiz, learner) -> QuizRules:
    now = timezone.now()
    attempts = list(Attempt.objects.filter(quiz=quiz, learner=learner).order_by("started_at"))
    open_attempt = next((a for a in attempts if a.is_open and not is_overdue(a, now)), None)
    used = len(attempts)
    left = None if quiz.attempts_allowed is None else max(quiz.attempts_allowed - used, 0)
    return QuizRules(
        quiz=quiz,
        question_count=questions_per_attempt(quiz, quiz.questions.count()),
        attempts_used=used,
        attempts_left=left,
        open_attempt=open_attempt,
        kept=kept_attempt(quiz, learner),
    )


def lesson_part_context(request: HttpRequest, page: LessonPage) -> dict[str, Any]:
    """Return the quiz part of the lesson page: the rules, or nothing when none are set yet."""
    quiz = Quiz.objects.filter(lesson_id=page.lesson_id).first()
    if quiz is None:
        return {"rules": None}
    return {"rules": quiz_rules(quiz=quiz, learner=request.user)}


@dataclass
class QuestionSheet:
    number: int
    question: Question
    choices: list[Choice]
    answer: Answer | None = None
    right_choices: set[int] = field(default_factory=set)

    @property
    def input_name(self) -> str:
        return f"question-{self.question.pk}"


def _sheets(attempt: Attempt) -> list[QuestionSheet]:
    questions = Question.objects.in_bulk(attempt.question_ids)
    choices: dict[int, list[Choice]] = {}
    for choice in Choice.objects.filter(question_id__in=attempt.question_ids):
        choices.setdefault(choice.question_id, []).append(choice)
    answers = {answer.question_id: answer for answer in attempt.answers.all()}
    sheets: list[QuestionSheet] = []
    for question_id in attempt.question_ids:
        question = questions.get(question_id)
        if question is None:
            continue
        offered = choices.get(question_id, [])
        sheets.append(
            QuestionSheet(
                number=len(sheets) + 1,
                question=question,
                choices=offered,
                answer=answers.get(question_id),
                right_choices={c.pk for c in offered if c.is_correct},
            )
        )
    return sheets


def _own_attempt(*, learner, attempt_id: int) -> Attempt:
    attempt = (
        Attempt.objects.select_related("quiz__lesson__module__course")
        .filter(pk=attempt_id, learner=learner)
        .first()
    )
    if attempt is None:
        raise QuizError("attempt_not_found")
    open_lesson_for(learner=learner, lesson=attempt.quiz.lesson)
    return attempt


@dataclass(frozen=True)
class AttemptSheet:
    attempt: Attempt
    questions: list[QuestionSheet]
    closes_at: dt.datetime | None  # the deadline, if any
    overdue: bool = False  # the time and its grace ran out: submitting only closes it


def attempt_to_take(*, learner, attempt_id: int) -> AttemptSheet:
    """Return the learner's open attempt with its questions; refuse one that is closed."""
    attempt = _own_attempt(learner=learner, attempt_id=attempt_id)
    if not attempt.is_open:
        raise QuizError("already_submitted")
    overdue = is_overdue(attempt, timezone.now())
    return AttemptSheet(attempt, _sheets(attempt), attempt.deadline, overdue)


@dataclass(frozen=True)
class AttemptResult:
    attempt: Attempt
    questions: list[QuestionSheet]
    feedback_shown: bool
    feedback_from: dt.datetime | None
    kept: Attempt | None


def attempt_result(*, learner, attempt_id: int) -> AttemptResult:
    """Return a submitted attempt's score, and each answer's feedback once it may be shown."""
    attempt = _own_attempt(learner=learner, attempt_id=attempt_id)
    if attempt.is_open:
        raise QuizError("attempt_not_found")
    quiz = attempt.quiz
    shown = quiz.feedback_shown()
    return AttemptResult(
        attempt=attempt,
        questions=_sheets(attempt) if shown else [],
        feedback_shown=shown,
        feedback_from=quiz.feedback_from,
        kept=kept_attempt(quiz, learner),
    )


# --- The quiz editor ------------------------------------------------------------------------------


def quiz_lesson_to_edit(*, acting_user, slug: str, lesson_id: int) -> tuple[Course, Lesson]:
    """Return a course the instructor teaches and its quiz lesson; refuse anything else."""
    course = Course.objects.filter(slug=slug).first()
    if course is None:
        raise QuizError("quiz_not_found")
    if not can(acting_user, TEACH, course):
        raise QuizError("not_your_course")
    lesson = (
        Lesson.objects.select_related("module__course")
        .filter(pk=lesson_id, module__course=course)
        .first()
    )
    if lesson is None:
        raise QuizError("quiz_not_found")
    if lesson.kind != Lesson.Kind.QUIZ:
        raise QuizError("not_a_quiz")
    return course, lesson


def question_to_edit(*, quiz: Quiz, question_id: int) -> Question:
    question = quiz.questions.filter(pk=question_id).first()
    if question is None:
        raise QuizError("question_not_found")
    return question
