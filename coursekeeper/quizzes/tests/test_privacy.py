"""R6 with R28 and R29: a learner's attempts and answers are in their copy and go with erasure."""

from __future__ import annotations

import io
import json
import secrets
import zipfile

import pytest

from coursekeeper.accounts.factories import UserFactory
from coursekeeper.learning.factories import CourseFactory, EnrollmentFactory, ModuleFactory
from coursekeeper.privacy.exports import build_export
from coursekeeper.privacy.people import Person
from coursekeeper.privacy.walks import erase_person, export_person
from coursekeeper.quizzes import services
from coursekeeper.quizzes.factories import QuizFactory, QuizLessonFactory, single_choice
from coursekeeper.quizzes.models import Answer, Attempt

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted():
    token = secrets.token_hex(5)
    learner = UserFactory(full_name=f"Quiz {token} Taker", email=f"taker-{token}@example.org")
    course = CourseFactory(title=f"Knitting {token}")
    quiz = QuizFactory(
        lesson=QuizLessonFactory(module=ModuleFactory(course=course), title=f"Check {token}")
    )
    question = single_choice(quiz, text=f"Stitches {token}?")
    EnrollmentFactory(learner=learner, course=course)
    attempt = services.start_attempt(learner=learner, quiz=quiz)
    services.submit_attempt(
        learner=learner,
        attempt_id=attempt.pk,
        answers={question.pk: [str(question.choices.get(is_correct=True).pk)]},
    )
    return learner, token, attempt


def test_r6_the_access_copy_names_each_attempt_by_its_course_and_quiz(
    submitted, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    learner, token, _attempt = submitted

    archive_bytes = build_export(Person.for_user(learner), portability_only=False, language="en")

    data = json.loads(zipfile.ZipFile(io.BytesIO(archive_bytes)).read("data.json"))
    (record,) = [r for r in data["records"] if r["type"] == "quizzes.Attempt"]
    assert record["name"] == f"Course: Knitting {token}"
    assert record["values"]["quiz"]["text"] == f"Check {token}"
    assert record["values"]["score"]["text"] == "100"
    assert record["values"]["passed"]["label"] == "Passed"
    (answer,) = [r for r in data["records"] if r["type"] == "quizzes.Answer"]
    assert answer["values"]["question"]["text"] == f"Stitches {token}?"
    assert answer["values"]["points"]["text"] == "1"


def test_r6_erasure_deletes_the_learners_attempts_and_answers_only(submitted):
    learner, _token, attempt = submitted
    bystander = UserFactory()
    EnrollmentFactory(learner=bystander, course=attempt.quiz.lesson.module.course)
    theirs = services.start_attempt(learner=bystander, quiz=attempt.quiz)

    erase_person(Person.for_user(learner))

    assert not Attempt.objects.filter(learner_id=learner.pk).exists()
    assert not Answer.objects.filter(attempt_id=attempt.pk).exists()
    assert Attempt.objects.filter(pk=theirs.pk).exists()
    assert "quizzes.Attempt" not in export_person(Person.for_user(learner))
