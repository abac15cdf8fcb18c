"""Test factories for the hand-in app, and the rehearsals of its processing paths."""

from __future__ import annotations

import secrets

import factory
from django.core.files.base import ContentFile

from coursekeeper.accounts.factories import UserFactory
from coursekeeper.assignments.models import Submission
from coursekeeper.learning.factories import EnrollmentFactory, LessonFactory
from coursekeeper.learning.models import Lesson
from coursekeeper.privacy.paths import Rehearsal


class HandinLessonFactory(LessonFactory):
    kind = Lesson.Kind.HANDIN
    title = factory.Sequence(lambda n: f"Exercise {n}")
    body = "Write down what you found."


def _text_of(submission) -> str:
    """The answer names its learner, so a search for their traces finds it until erased."""
    learner = submission.learner
    return f"My answer, by {learner.full_name} <{learner.email}>."


def _file_of(submission) -> ContentFile:
    # A text file whose content, like the answer, carries the learner's identifiers.
    learner = submission.learner
    content = f"Notes of {learner.full_name}, {learner.email}, {secrets.token_hex(4)}\n"
    return ContentFile(content.encode(), "notes.txt")


class SubmissionFactory(factory.django.DjangoModelFactory[Submission]):
    class Meta:
        model = Submission

    learner = factory.SubFactory(UserFactory)
    lesson = factory.SubFactory(HandinLessonFactory)
    text = factory.LazyAttribute(_text_of)
    file = factory.LazyAttribute(_file_of)
    file_type = factory.LazyAttribute(lambda submission: "text/plain" if submission.file else "")
    file_size = factory.LazyAttribute(
        lambda submission: submission.file.size if submission.file else None
    )
    status = Submission.Status.SUBMITTED


# --- Rehearsals: each of the app's processing paths, ready to run for one person --------------


def _enrolled_exercise(user) -> Lesson:
    lesson = HandinLessonFactory()
    EnrollmentFactory(learner=user, course=lesson.module.course)
    return lesson


def rehearse_hand_in(user, path) -> Rehearsal:
    from coursekeeper.assignments.services import hand_in

    lesson = _enrolled_exercise(user)
    return Rehearsal(
        run=lambda: hand_in(learner=user, lesson=lesson, text="My answer."),
        happened=lambda: Submission.objects.filter(learner=user, lesson=lesson).exists(),
    )


def rehearse_review_handin(user, path) -> Rehearsal:
    from coursekeeper.assignments.services import review_submission

    lesson = _enrolled_exercise(user)
    submission = SubmissionFactory(learner=user, lesson=lesson, file=None)
    instructor = lesson.module.course.instructor
    return Rehearsal(
        run=lambda: review_submission(
            acting_user=instructor,
            submission=submission,
            decision=Submission.Status.PASSED,
            comment="Well done.",
            base_url="http://testserver",
        ),
        happened=lambda: Submission.objects.filter(
            pk=submission.pk, status=Submission.Status.PASSED
        ).exists(),
    )
