"""R6: the demo school's first course has a quiz of mixed questions, seeded once."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from coursekeeper.accounts.factories import UserFactory
from coursekeeper.learning.management.commands.seed_courses import COURSES, INSTRUCTOR_EMAIL
from coursekeeper.learning.models import Lesson
from coursekeeper.quizzes.demo import DEMO_QUIZ_TITLE
from coursekeeper.quizzes.models import Question, Quiz

pytestmark = pytest.mark.django_db


def test_r6_seeding_the_courses_twice_adds_the_demo_quiz_once(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    UserFactory(email=INSTRUCTOR_EMAIL, role="instructor")

    call_command("seed_courses", stdout=io.StringIO())
    call_command("seed_courses", stdout=io.StringIO())

    (quiz,) = Quiz.objects.all()
    assert quiz.lesson.module.course.slug == COURSES[0]["slug"]
    assert quiz.lesson.title == DEMO_QUIZ_TITLE
    assert Lesson.objects.filter(kind=Lesson.Kind.QUIZ).count() == 1
    assert sorted(Question.objects.filter(quiz=quiz).values_list("kind", flat=True)) == [
        "multiple",
        "number",
        "short_text",
        "single",
        "true_false",
    ]
