"""Every write of the learning app: enrolment, progress, completion, free material, editing.

Progress, completion, showing a lesson and free material are processing paths
(`learning.privacy`): each asks the privacy gate for the person before it writes or shows
anything, so a restricted learner's place is not saved while the lesson can still be watched.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable

from django.contrib.admin.models import ADDITION, CHANGE
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from coursekeeper.learning import search
from coursekeeper.learning.errors import LearningError
from coursekeeper.learning.models import (
    Course,
    Enrollment,
    Lesson,
    LessonProgress,
    MaterialRequest,
    Module,
    Topic,
    opens_at,
)
from coursekeeper.learning.privacy import (
    MARK_LESSON_DONE,
    NOTE_LESSON_OPENED,
    SAVE_POSITION,
    SEND_FREE_MATERIAL,
    SHOW_LESSON,
)
from coursekeeper.messaging.services import queue_email
from coursekeeper.privacy.access.roles import TEACH, can
from coursekeeper.privacy.access.services import record_staff_change
from coursekeeper.privacy.paths import ProcessingPath
from coursekeeper.privacy.people import Person

# A player reports its position a little after the end on some browsers.
POSITION_TOLERANCE_SECONDS = 1.0
# How often playing a video refreshes the enrolment's "last activity".
ACTIVITY_EVERY = dt.timedelta(minutes=1)


@transaction.atomic
def enroll_learner(
    *, learner, course: Course, access_until: dt.datetime | None = None
) -> Enrollment:
    """Enrol `learner` in a published course; enrolling again returns the same enrolment.

    `access_until` None gives lasting access; a moment gives access until then (a subscription's
    paid period). Enrolling again only ever extends access: a lasting enrolment stays lasting,
    a later end replaces an earlier one, and None turns a limited enrolment into a lasting one
    (the course was bought outright).
    """
    if not course.is_published:
        raise LearningError("course_not_found")
    enrollment, created = Enrollment.objects.select_for_update().get_or_create(
        learner=learner, course=course, defaults={"access_until": access_until}
    )
    if created or enrollment.access_until is None:
        return enrollment
    if access_until is None or access_until > enrollment.access_until:
        enrollment.access_until = access_until
        enrollment.save(update_fields=["access_until"])
    return enrollment


@transaction.atomic
def end_access(*, learner, course: Course, at: dt.datetime) -> Enrollment | None:
    """Let the learner's access to `course` end at `at` (a refund, an ended subscription).

    The progress stays (a learner who buys again continues where they left off). Return the
    enrolment, or None when there is none.
    """
    enrollment = (
        Enrollment.objects.select_for_update().filter(learner=learner, course=course).first()
    )
    if enrollment is None:
        return None
    if enrollment.access_until != at:
        enrollment.access_until = at
        enrollment.save(update_fields=["access_until"])
    return enrollment


def ask_gate(path: ProcessingPath, person: Person, *, restricted: str) -> None:
    """Refuse with `restricted` (or the general refusal) unless the gate lets `path` run."""
    decision = path.ask(person)
    if not decision:
        raise LearningError(restricted if decision.reason == "restricted" else "processing_refused")


def open_lesson_for(*, learner, lesson: Lesson) -> Enrollment:
    """Return the learner's enrolment if `lesson` is open to them; refuse otherwise."""
    enrollment = (
        Enrollment.objects.filter(learner=learner, course_id=lesson.module.course_id)
        .only("pk", "enrolled_at", "course_id", "access_until")
        .first()
    )
    if enrollment is None:
        raise LearningError("not_enrolled")
    now = timezone.now()
    if enrollment.access_until is not None and enrollment.access_until <= now:
        raise LearningError("access_ended")
    if lesson.opens_at(enrollment.enrolled_at) > now:
        raise LearningError("not_released")
    ask_gate(SHOW_LESSON, Person.for_user(learner), restricted="processing_refused")
    return enrollment


def record_position(
    *, learner, lesson_id: int, position_seconds: float, completed: bool = False
) -> None:
    """Save where the learner is in a video (R5); the lesson must be open to them.

    The player calls this every few seconds while a video plays, so the usual call costs two
    statements: one read (the lesson, its course and the learner's enrolment together) and one
    UPDATE of the progress row, besides asking the privacy gate (a restricted learner's place
    is not saved: "progress_restricted", nothing written). The enrolment's "last activity" is
    written only when the lesson changed or a minute has passed. Each statement commits on its
    own: a crash between them leaves at worst a last-activity stamp a minute old.
    """
    found = (
        Enrollment.objects.filter(
            learner=learner,
            course__is_published=True,
            course__modules__lessons__pk=lesson_id,
        )
        .values(
            "pk",
            "enrolled_at",
            "last_lesson_id",
            "last_activity_at",
            "access_until",
            duration=F("course__modules__lessons__duration_seconds"),
            release_after_days=F("course__modules__lessons__release_after_days"),
            release_on=F("course__modules__lessons__release_on"),
        )
        .first()
    )
    if found is None:
        exists = Lesson.objects.filter(pk=lesson_id, module__course__is_published=True).exists()
        raise LearningError("not_enrolled" if exists else "lesson_not_found")
    now = timezone.now()
    if found["access_until"] is not None and found["access_until"] <= now:
        raise LearningError("access_ended")
    if opens_at(found["enrolled_at"], found["release_after_days"], found["release_on"]) > now:
        raise LearningError("not_released")
    limit = (found["duration"] or 0) + POSITION_TOLERANCE_SECONDS
    if not 0 <= position_seconds <= limit:  # also refuses NaN
        raise LearningError("bad_position")
    ask_gate(SAVE_POSITION, Person.for_user(learner), restricted="progress_restricted")
    changes: dict = {"position_seconds": position_seconds, "updated_at": now}
    if completed:
        changes["completed_at"] = Coalesce(F("completed_at"), Value(now))
    mine = LessonProgress.objects.filter(learner=learner, lesson_id=lesson_id)
    if not mine.update(**changes):
        try:
            with transaction.atomic():
                LessonProgress.objects.create(
                    learner=learner,
                    lesson_id=lesson_id,
                    position_seconds=position_seconds,
                    updated_at=now,
                    completed_at=now if completed else None,
                )
        except IntegrityError:  # another request created it a moment ago
            mine.update(**changes)
    if found["last_lesson_id"] != lesson_id or now - found["last_activity_at"] > ACTIVITY_EVERY:
        Enrollment.objects.filter(pk=found["pk"]).update(
            last_lesson_id=lesson_id, last_activity_at=now
        )
    if completed:
        _complete_course_if_done(Enrollment.objects.get(pk=found["pk"]))


def note_lesson_opened(*, learner, lesson_id: int) -> bool:
    """Note when the learner first opened the lesson, for the course statistics (R6).

    The lesson page calls this only while nothing is noted yet, so later views write nothing.
    A learner who objected to the statistics or restricted processing is not noted (the gate
    says no; nothing is written, and the page shows as always). Return whether it was noted.
    A concurrent first view is harmless: whichever writes first wins, the other changes nothing.
    """
    if not NOTE_LESSON_OPENED.ask(Person.for_user(learner)):
        return False
    now = timezone.now()
    unnoted = LessonProgress.objects.filter(
        learner=learner, lesson_id=lesson_id, first_opened_at__isnull=True
    )
    if unnoted.update(first_opened_at=now):
        return True
    try:
        with transaction.atomic():
            LessonProgress.objects.create(
                learner=learner, lesson_id=lesson_id, updated_at=now, first_opened_at=now
            )
    except IntegrityError:  # a row exists: noted already, or made a moment ago by the player
        return bool(unnoted.update(first_opened_at=now))
    return True


@transaction.atomic
def complete_lesson(*, learner, lesson: Lesson) -> LessonProgress:
    """Mark a lesson or exercise done (works without JavaScript: a plain form posts here)."""
    enrollment = open_lesson_for(learner=learner, lesson=lesson)
    ask_gate(MARK_LESSON_DONE, Person.for_user(learner), restricted="progress_restricted")
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
        completed = Enrollment.objects.filter(pk=enrollment.pk, completed_at__isnull=True).update(
            completed_at=timezone.now()
        )
        if completed:
            # The course's certificate, if it gives one (R9); a direct call, never a signal.
            from coursekeeper.certificates.services import issue_certificate

            issue_certificate(enrollment=Enrollment.objects.get(pk=enrollment.pk))


@transaction.atomic
def request_free_material(
    *, lesson: Lesson, name: str, email: str, base_url: str
) -> MaterialRequest:
    """Send a download link for free material to `email`; only a name and the address are kept."""
    from coursekeeper.accounts.models import normalize_email

    if not (lesson.is_free_sample and lesson.media and lesson.module.course.is_published):
        raise LearningError("lesson_not_found")
    ask_gate(SEND_FREE_MATERIAL, Person.for_email(email), restricted="material_restricted")
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


# --- The course editor ---------------------------------------------------------------------------


def _check_teaches(acting_user, course: Course | None) -> None:
    if not can(acting_user, TEACH, course):
        raise LearningError("not_your_course")


@transaction.atomic
def save_course(*, acting_user, course: Course, topics: Iterable[Topic] | None = None) -> Course:
    """Save a course an instructor edited (and its topics), keeping the search index in step.

    `course` is the edited, unsaved instance; a new one is taught by `acting_user`. Putting a
    course in the catalogue or taking it out is a staff change: it is audited with the save.
    """
    _check_teaches(acting_user, course if course.pk else None)
    was_published = (
        course.pk is not None and Course.objects.filter(pk=course.pk, is_published=True).exists()
    )
    created = course.pk is None
    if course.instructor_id is None:
        course.instructor = acting_user
    course.save()
    if topics is not None:
        course.topics.set(topics)
    search.index_course(course)
    if course.is_published != was_published:
        record_staff_change(
            acting_user=acting_user,
            obj=course,
            action=ADDITION if created else CHANGE,
            message="course_published" if course.is_published else "course_unpublished",
        )
    return course


@transaction.atomic
def add_module(*, acting_user, course: Course, title: str, position: int) -> Module:
    """Add a module to a course the acting instructor teaches."""
    _check_teaches(acting_user, course)
    return Module.objects.create(course=course, title=title, position=position)


@transaction.atomic
def save_lesson(*, acting_user, lesson: Lesson) -> Lesson:
    """Save a lesson an instructor edited (`lesson` unsaved, its file's type already checked by
    the form), in a module of a course they teach."""
    _check_teaches(acting_user, lesson.module.course)
    lesson.save()
    return lesson
