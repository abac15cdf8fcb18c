"""Test factories for the quizzes app, and the rehearsal of its processing path."""

from __future__ import annotations

from decimal import Decimal

import factory
from django.utils import timezone

from coursekeeper.accounts.factories import UserFactory
from coursekeeper.learning.factories import EnrollmentFactory, LessonFactory
from coursekeeper.learning.models import Lesson
from coursekeeper.privacy.paths import Rehearsal
from coursekeeper.quizzes.models import Answer, Attempt, Choice, Question, Quiz


class QuizLessonFactory(LessonFactory):
    kind = Lesson.Kind.QUIZ
    body = "Answer the questions."


class QuizFactory(factory.django.DjangoModelFactory[Quiz]):
    class Meta:
        model = Quiz

    lesson = factory.SubFactory(QuizLessonFactory)
    pass_mark = 60


class QuestionFactory(factory.django.DjangoModelFactory[Question]):
    """A single-choice question; give it choices with `ChoiceFactory` (or `with_choices`)."""

    class Meta:
        model = Question

    quiz = factory.SubFactory(QuizFactory)
    kind = Question.Kind.SINGLE
    text = factory.Sequence(lambda n: f"Question {n}?")
    points = 1
    position = factory.Sequence(lambda n: n)


class ChoiceFactory(factory.django.DjangoModelFactory[Choice]):
    class Meta:
        model = Choice

    question = factory.SubFactory(QuestionFactory)
    text = factory.Sequence(lambda n: f"Choice {n}")
    is_correct = False
    position = factory.Sequence(lambda n: n)


def single_choice(quiz: Quiz, *, text: str = "Two plus two?", points: int = 1) -> Question:
    """Return a single-choice question with a right choice "4" and a wrong one "5"."""
    question = QuestionFactory(quiz=quiz, text=text, points=points)
    ChoiceFactory(question=question, text="4", is_correct=True, position=1)
    ChoiceFactory(question=question, text="5", is_correct=False, position=2)
    return question


class AttemptFactory(factory.django.DjangoModelFactory[Attempt]):
    """A submitted attempt (give `submitted_at=None` for an open one)."""

    class Meta:
        model = Attempt

    learner = factory.SubFactory(UserFactory)
    quiz = factory.SubFactory(QuizFactory)
    started_at = factory.LazyFunction(timezone.now)
    submitted_at = factory.LazyAttribute(lambda attempt: attempt.started_at)
    score = 100
    passed = True
    question_ids = factory.LazyAttribute(
        lambda attempt: list(attempt.quiz.questions.values_list("pk", flat=True))
    )


class AnswerFactory(factory.django.DjangoModelFactory[Answer]):
    class Meta:
        model = Answer

    attempt = factory.SubFactory(AttemptFactory)
    question = factory.SubFactory(
        QuestionFactory,
        kind=Question.Kind.SHORT_TEXT,
        accepted_answers="Copenhagen",
        quiz=factory.SelfAttribute("..attempt.quiz"),
    )
    text = "Copenhagen"
    number = Decimal("3.5")
    is_correct = True
    points = 1


# --- Rehearsals: the app's processing path, ready to run for one person ---------------------------


def rehearse_take_quiz(user, path) -> Rehearsal:
    from coursekeeper.quizzes.services import start_attempt

    quiz = QuizFactory()
    single_choice(quiz)
    EnrollmentFactory(learner=user, course=quiz.lesson.module.course)
    return Rehearsal(
        run=lambda: start_attempt(learner=user, quiz=quiz),
        happened=lambda: Attempt.objects.filter(learner=user, quiz=quiz).exists(),
    )
