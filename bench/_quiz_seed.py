"""The quiz benchmark's data: a course with its quiz, 10,000 enrolled learners and their
progress, and quiz attempts made in bulk (`bench/quiz_and_insight.py` measures on them).

Not a benchmark itself: `make bench` runs every bench/*.py except the ones starting with "_".
Django is set up by the benchmark before any of these functions runs; the models are imported
inside them.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from _servers import session_headers

LEARNERS = 10_000
QUESTIONS = 20
MODULES = 3
LESSONS_PER_MODULE = 5
POSITION_SECONDS = 42.5
BATCH = 2_000


@dataclass
class Seed:
    course: Any  # the models are imported only once Django is set up
    quiz: Any
    video_id: int
    learner: Any
    learner_ids: list[int]
    right_choices: dict[int, int]  # question id -> its right choice's id
    wrong_choices: dict[int, int]
    learner_headers: dict[str, str]
    instructor_headers: dict[str, str]


def create_course():
    """Create the instructor (with an authenticator app), the course, its lessons and quiz."""
    from coursekeeper.accounts.choices import Role
    from coursekeeper.accounts.factories import UserFactory
    from coursekeeper.learning.factories import (
        CourseFactory,
        LessonFactory,
        ModuleFactory,
        VideoLessonFactory,
    )
    from coursekeeper.privacy.factories import AuthenticatorFactory
    from coursekeeper.quizzes.factories import QuizFactory, QuizLessonFactory
    from coursekeeper.quizzes.models import Choice, Question

    instructor = UserFactory(role=Role.INSTRUCTOR)
    authenticator = AuthenticatorFactory(user=instructor)
    course = CourseFactory(title="Statistics benchmark course", instructor=instructor)
    lessons: list[Any] = []
    for module_number in range(MODULES):
        module = ModuleFactory(course=course, position=module_number + 1)
        for position in range(LESSONS_PER_MODULE):
            if not lessons:
                lesson = VideoLessonFactory(module=module, position=0, duration_seconds=600)
            elif len(lessons) == 1:
                lesson = QuizLessonFactory(module=module, position=position)
            else:
                lesson = LessonFactory(module=module, position=position)
            lessons.append(lesson)
    quiz = QuizFactory(lesson=lessons[1], attempts_allowed=None, pass_mark=60)
    questions = Question.objects.bulk_create(
        Question(quiz=quiz, text=f"Question {number}?", position=number)
        for number in range(1, QUESTIONS + 1)
    )
    choices = Choice.objects.bulk_create(
        Choice(question=question, text=text, is_correct=right, position=position)
        for question in questions
        for position, (text, right) in enumerate([("Right", True), ("Wrong", False)], 1)
    )
    right_choices = {choice.question_id: choice.pk for choice in choices if choice.is_correct}
    wrong_choices = {choice.question_id: choice.pk for choice in choices if not choice.is_correct}
    return instructor, authenticator, course, lessons, quiz, right_choices, wrong_choices


def enrol_learners(course, lessons) -> list[int]:
    """Bulk-create the learners, their enrolments and progress; return their ids."""
    from django.utils import timezone

    from coursekeeper.accounts.models import User
    from coursekeeper.learning.models import Enrollment, LessonProgress

    now = timezone.now()
    token = secrets.token_hex(4)
    User.objects.bulk_create(
        (
            User(
                email=f"bench-learner-{number}-{token}@example.org",
                full_name=f"Bench Learner {number}",
                password="!",  # noqa: S106 - an unusable password
                adult_confirmed_at=now,
            )
            for number in range(LEARNERS)
        ),
        batch_size=BATCH,
    )
    learner_ids = list(
        User.objects.filter(
            email__startswith="bench-learner-", email__endswith=f"-{token}@example.org"
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    Enrollment.objects.bulk_create(
        (
            Enrollment(
                learner_id=learner_id,
                course=course,
                enrolled_at=now - dt.timedelta(days=30),
                last_activity_at=now - dt.timedelta(minutes=number),
            )
            for number, learner_id in enumerate(learner_ids)
        ),
        batch_size=BATCH,
    )

    def progress():
        for number, learner_id in enumerate(learner_ids):
            reached = number % (len(lessons) + 1)
            for index, lesson in enumerate(lessons[:reached]):
                opened = now - dt.timedelta(days=20, hours=index)
                done = index < reached - 1 or number % 3 == 0
                yield LessonProgress(
                    learner_id=learner_id,
                    lesson=lesson,
                    first_opened_at=opened,
                    completed_at=opened + dt.timedelta(minutes=1 + (number + index) % 49)
                    if done
                    else None,
                )

    LessonProgress.objects.bulk_create(progress(), batch_size=BATCH)
    return learner_ids


def create_submitted_attempts(seeded: Seed, count: int) -> None:
    """Bulk-create `count` submitted attempts on the quiz, 20 answers each, spread over the
    learners; every fourth answer is wrong (a score of 75 %, passed)."""
    from django.utils import timezone

    from coursekeeper.quizzes.models import Answer, Attempt

    now = timezone.now()
    question_ids = list(seeded.right_choices)
    wrong = seeded.wrong_choices
    learners = seeded.learner_ids
    done = 0
    while done < count:
        size = min(BATCH // 4, count - done)
        attempts = Attempt.objects.bulk_create(
            Attempt(
                learner_id=learners[(done + number) % len(learners)],
                quiz=seeded.quiz,
                started_at=now - dt.timedelta(minutes=10),
                submitted_at=now,
                question_ids=question_ids,
                score=75,
                passed=True,
                updated_at=now,
            )
            for number in range(size)
        )
        Answer.objects.bulk_create(
            Answer(
                attempt=attempt,
                question_id=question_id,
                chosen=[seeded.right_choices[question_id] if index % 4 else wrong[question_id]],
                is_correct=bool(index % 4),
                points=1 if index % 4 else 0,
                updated_at=now,
            )
            for attempt in attempts
            for index, question_id in enumerate(question_ids)
        )
        done += size


def create_open_attempts(seeded: Seed, count: int) -> list[int]:
    """Bulk-create `count` open attempts of the benchmark learner; return their ids."""
    from django.utils import timezone

    from coursekeeper.quizzes.models import Attempt

    now = timezone.now()
    created = Attempt.objects.bulk_create(
        (
            Attempt(
                learner=seeded.learner,
                quiz=seeded.quiz,
                started_at=now,
                question_ids=list(seeded.right_choices),
                updated_at=now,
            )
            for _number in range(count)
        ),
        batch_size=BATCH,
    )
    return [attempt.pk for attempt in created]


def analyze() -> None:
    """On PostgreSQL, give the planner the statistics of the tables just filled, as autovacuum
    would have by the time a course had that many learners. Without them the course page's
    queries are planned for empty tables and take tens of seconds."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def graded_in_full(attempt_ids: list[int]) -> int:
    from coursekeeper.quizzes.models import Attempt

    return Attempt.objects.filter(pk__in=attempt_ids, submitted_at__isnull=False, score=100).count()


def seed() -> Seed:
    from coursekeeper.accounts.models import User
    from coursekeeper.learning.models import LessonProgress

    instructor, authenticator, course, lessons, quiz, right, wrong = create_course()
    learner_ids = enrol_learners(course, lessons)
    learner = User.objects.get(pk=learner_ids[0])
    LessonProgress.objects.update_or_create(
        learner=learner, lesson=lessons[0], defaults={"position_seconds": POSITION_SECONDS}
    )
    return Seed(
        course=course,
        quiz=quiz,
        video_id=lessons[0].pk,
        learner=learner,
        learner_ids=learner_ids,
        right_choices=right,
        wrong_choices=wrong,
        learner_headers=session_headers(learner),
        instructor_headers=session_headers(instructor, authenticator=authenticator),
    )
