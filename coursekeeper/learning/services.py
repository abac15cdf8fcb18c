"""Every write of the learning app: enrolment, progress, completion, free material, editing."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from coursekeeper.learning import search
from coursekeeper.learning.errors import LearningError
from coursekeeper.learning.models import Course, Enrollment, Lesson, LessonProgress, MaterialRequest
from coursekeeper.messaging.services import queue_email

# A player reports its position a little after the end on some browsers.
POSITION_TOLERANCE_SECONDS = 1.0


@transaction.atomic
def enroll_learner(*, learner, course: Course) -> Enrollment:
    """Enrol `learner` in a published course; enrolling again returns the same enrolment."""
    if not course.is_published:
        raise LearningError("course_not_found")
    enrollment, _created = Enrollment.objects.get_or_create(learner=learner, course=course)
    return enrollment


def open_lesson_for(*, learner, lesson: Lesson) -> Enrollment:
    """Return the learner's enrolment if `lesson` is open to them; refuse otherwise."""
    enrollment = (
        Enrollment.objects.filter(learner=learner, course_id=lesson.module.course_id)
        .only("pk", "enrolled_at", "course_id")
        .first()
    )
    if enrollment is None:
        raise LearningError("not_enrolled")
    if lesson.opens_at(enrollment.enrolled_at) > timezone.now():
        raise LearningError("not_released")
    return enrollment


@transaction.atomic
def record_position(
    *, learner, lesson: Lesson, position_seconds: float, completed: bool = False
) -> LessonProgress:
    """Save where the learner is in a video (R5); the lesson must be open to them."""
    enrollment = open_lesson_for(learner=learner, lesson=lesson)
    limit = (lesson.duration_seconds or 0) + POSITION_TOLERANCE_SECONDS
    if not 0 <= position_seconds <= limit or position_seconds != position_seconds:  # NaN
        raise LearningError("bad_position")
    now = timezone.now()
    progress, created = LessonProgress.objects.get_or_create(
        learner=learner,
        lesson=lesson,
        defaults={"position_seconds": position_seconds, "updated_at": now},
    )
    fields = []
    if not created:
        progress.position_seconds = position_seconds
        progress.updated_at = now
        fields = ["position_seconds", "updated_at"]
    if completed and progress.completed_at is None:
        progress.completed_at = now
        fields.append("completed_at")
    if fields:
        progress.save(update_fields=fields)
    Enrollment.objects.filter(pk=enrollment.pk).update(last_lesson=lesson, last_activity_at=now)
    if completed:
        _complete_course_if_done(enrollment)
    return progress


@transaction.atomic
def complete_lesson(*, learner, lesson: Lesson) -> LessonProgress:
    """Mark a lesson or exercise done (works without JavaScript: a plain form posts here)."""
    enrollment = open_lesson_for(learner=learner, lesson=lesson)
    now = timezone.now()
    progress, _created = LessonProgress.objects.get_or_create(
        learner=learner, lesson=lesson, defaults={"updated_at": now}
    )
    if progress.completed_at is None:
        progress.completed_at = now
        progress.updated_at = now
        progress.save(update_fields=["completed_at", "updated_at"])
    Enrollment.objects.filter(pk=enrollment.pk).update(last_lesson=lesson, last_activity_at=now)
    _complete_course_if_done(enrollment)
    return progress


def _complete_course_if_done(enrollment: Enrollment) -> None:
    total = Lesson.objects.filter(module__course_id=enrollment.course_id).count()
    done = LessonProgress.objects.filter(
        learner_id=enrollment.learner_id,
        lesson__module__course_id=enrollment.course_id,
        completed_at__isnull=False,
    ).count()
    if total and done >= total:
        Enrollment.objects.filter(pk=enrollment.pk, completed_at__isnull=True).update(
            completed_at=timezone.now()
        )


@transaction.atomic
def request_free_material(
    *, lesson: Lesson, name: str, email: str, base_url: str
) -> MaterialRequest:
    """Send a download link for free material to `email`; only a name and the address are kept."""
    from coursekeeper.accounts.models import normalize_email

    if not (lesson.is_free_sample and lesson.media and lesson.module.course.is_published):
        raise LearningError("lesson_not_found")
    request = MaterialRequest.objects.create(
        lesson=lesson,
        name=name.strip(),
        email=normalize_email(email),
        token=secrets.token_urlsafe(32),
    )
    link = base_url + reverse("learning:material_download", args=[request.token])
    context = {"name": request.name, "lesson": lesson, "link": link}
    language = translation.get_language() or "en"
    queue_email(
        to=request.email,
        subject=render_to_string("learning/email/material_subject.txt", context).strip(),
        body_text=render_to_string("learning/email/material_message.txt", context),
        language=language,
        template="learning/material",
    )
    return request


@transaction.atomic
def save_course(*, course: Course, acting_user) -> Course:
    """Save a course an instructor edited, and keep the search index in step."""
    if (
        course.pk
        and course.instructor_id not in (None, acting_user.pk)
        and not acting_user.is_staff
    ):
        raise LearningError("not_your_course")
    if course.instructor_id is None:
        course.instructor = acting_user
    course.save()
    search.index_course(course)
    return course
