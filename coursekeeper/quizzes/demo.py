"""A demo quiz for the demo school (called by `learning`'s `seed_courses`)."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from coursekeeper.learning.models import Course, Lesson, Module
from coursekeeper.quizzes import grading, services
from coursekeeper.quizzes.models import Attempt, Choice, Question, Quiz

DEMO_QUIZ_TITLE = "Check what you know"


@transaction.atomic
def seed_demo_quiz(course: Course) -> Quiz | None:
    """Add a quiz lesson with five questions of mixed kinds to `course`'s last module.

    Idempotent: a course that already has a lesson of that title is left as it is (None).
    """
    if Lesson.objects.filter(module__course=course, title=DEMO_QUIZ_TITLE).exists():
        return None
    module = course.modules.order_by("-position", "-pk").first()
    if module is None:
        module = Module.objects.create(course=course, title="Quiz", position=1)
    lesson = Lesson.objects.create(
        module=module,
        title=DEMO_QUIZ_TITLE,
        kind=Lesson.Kind.QUIZ,
        body="Five short questions on what the course covered. You pass with 60 %.",
        position=module.lessons.count() + 1,
    )
    quiz = Quiz.objects.create(
        lesson=lesson, pass_mark=60, attempts_allowed=3, score_kept=Quiz.ScoreKept.BEST
    )
    single = Question.objects.create(
        quiz=quiz,
        kind=Question.Kind.SINGLE,
        text="Which of these must every invoice carry?",
        position=1,
        explanation="A unique, sequential number lets you and the tax authority find it again.",
    )
    for position, (text, right) in enumerate(
        [("A unique sequential number", True), ("The buyer's date of birth", False),
         ("A company logo", False)],
        1,
    ):  # fmt: skip
        Choice.objects.create(question=single, text=text, is_correct=right, position=position)
    multiple = Question.objects.create(
        quiz=quiz,
        kind=Question.Kind.MULTIPLE,
        text="Which of these belong in your books? Tick every right choice.",
        position=2,
        explanation="Receipts and invoices, both ways; a shopping list is no voucher.",
    )
    for position, (text, right) in enumerate(
        [("Receipts for what you bought", True), ("Invoices you sent", True),
         ("Your shopping list", False)],
        1,
    ):  # fmt: skip
        Choice.objects.create(question=multiple, text=text, is_correct=right, position=position)
    Question.objects.create(
        quiz=quiz,
        kind=Question.Kind.TRUE_FALSE,
        text="True or false: good bookkeeping habits take about ten minutes a week.",
        statement_is_true=True,
        position=3,
        explanation="Ten minutes a week keeps the yearly close short.",
    )
    Question.objects.create(
        quiz=quiz,
        kind=Question.Kind.SHORT_TEXT,
        text="What do you call the tax added to the price of what you sell (three letters)?",
        accepted_answers="VAT\nvalue added tax",
        position=4,
        explanation="Value added tax: VAT.",
    )
    Question.objects.create(
        quiz=quiz,
        kind=Question.Kind.NUMBER,
        text="An item costs 100 before VAT at 25 %. What is the price with VAT?",
        number=Decimal(125),
        tolerance=Decimal("0.5"),
        position=5,
        explanation="100 plus 25 % of 100 is 125.",
    )
    return quiz


def pass_demo_quiz(*, learner, course: Course) -> Attempt | None:
    """Let a demo learner take `course`'s demo quiz and pass it, through the same services as
    a learner's own attempt (so the lesson is marked done and the attempt counts).

    Idempotent: a learner who already has an attempt at it is left alone (None).
    """
    quiz = Quiz.objects.filter(lesson__module__course=course, lesson__title=DEMO_QUIZ_TITLE).first()
    if quiz is None or Attempt.objects.filter(quiz=quiz, learner=learner).exists():
        return None
    attempt = services.start_attempt(learner=learner, quiz=quiz)
    answers: dict[int, list[str]] = {}
    for question in Question.objects.filter(pk__in=attempt.question_ids):
        if question.has_choices:
            right = question.choices.filter(is_correct=True).values_list("pk", flat=True)
            answers[question.pk] = [str(pk) for pk in right]
        elif question.kind == Question.Kind.TRUE_FALSE:
            answers[question.pk] = [grading.TRUE if question.statement_is_true else grading.FALSE]
        elif question.kind == Question.Kind.NUMBER:
            answers[question.pk] = [str(question.number)]
        else:
            answers[question.pk] = [question.accepted_answers.splitlines()[0]]
    return services.submit_attempt(learner=learner, attempt_id=attempt.pk, answers=answers)
