"""Reads of the hand-in app: a learner's own hand-ins, and an instructor's queue (R34).

An instructor sees each learner only under the per-course pseudonym
(`security.services.course_pseudonym`), never a name or an address. What an instructor opens
of a hand-in is personal data even so: the queue's rows and each opened hand-in are written to
the staff access log (R35) by `record_access`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from coursekeeper.assignments.errors import AssignmentError
from coursekeeper.assignments.models import Submission
from coursekeeper.learning.models import Course, Lesson
from coursekeeper.privacy.access.roles import TEACH, can
from coursekeeper.privacy.access.services import record_access
from coursekeeper.security.services import course_pseudonym

# How many reviewed hand-ins the queue lists below the waiting ones.
RECENTLY_REVIEWED = 30


@dataclass(frozen=True)
class HandinState:
    """A learner's hand-ins to one exercise, newest first, and whether they may hand in now."""

    submissions: list[Submission]

    @property
    def latest(self) -> Submission | None:
        return self.submissions[0] if self.submissions else None

    @property
    def earlier(self) -> list[Submission]:
        return self.submissions[1:]

    @property
    def may_hand_in(self) -> bool:
        return self.latest is None or self.latest.status == Submission.Status.TO_REDO


def handin_state(*, learner, lesson_id: int) -> HandinState:
    """Return the learner's own hand-ins to the lesson (the lesson page already checked it is
    open to them)."""
    return HandinState(
        list(Submission.objects.filter(learner=learner, lesson_id=lesson_id).order_by("-pk"))
    )


def own_submission(*, learner, submission_id: int) -> Submission:
    """Return one of the learner's own hand-ins; anyone else's is "not found", never shown."""
    submission = Submission.objects.filter(pk=submission_id, learner=learner).first()
    if submission is None:
        raise AssignmentError("submission_not_found")
    return submission


def handin_lesson(lesson_id: int) -> Lesson:
    lesson = (
        Lesson.objects.select_related("module__course")
        .filter(pk=lesson_id, module__course__is_published=True, kind=Lesson.Kind.HANDIN)
        .first()
    )
    if lesson is None:
        raise AssignmentError("lesson_not_found")
    return lesson


@dataclass(frozen=True)
class QueueRow:
    submission_id: int
    pseudonym: str
    lesson_title: str
    submitted_at: object
    status: str
    status_label: str


@dataclass(frozen=True)
class ReviewQueue:
    waiting: list[QueueRow]
    reviewed: list[QueueRow]


def _course_for_instructor(*, acting_user, course: Course) -> None:
    if not can(acting_user, TEACH, course):
        raise AssignmentError("not_your_course")


def _row(course: Course, submission: Submission) -> QueueRow:
    return QueueRow(
        submission_id=submission.pk,
        pseudonym=course_pseudonym(course.pk, submission.learner_id),
        lesson_title=submission.lesson.title,
        submitted_at=submission.submitted_at,
        status=submission.status,
        status_label=str(submission.get_status_display()),
    )


def review_queue(*, acting_user, course: Course) -> ReviewQueue:
    """Return the course's hand-ins waiting for review (oldest first) and the latest reviewed."""
    _course_for_instructor(acting_user=acting_user, course=course)
    in_course = Submission.objects.filter(lesson__module__course=course).select_related("lesson")
    waiting = list(
        in_course.filter(status=Submission.Status.SUBMITTED).order_by("submitted_at", "pk")
    )
    reviewed = list(
        in_course.exclude(status=Submission.Status.SUBMITTED).order_by("-reviewed_at", "-pk")[
            :RECENTLY_REVIEWED
        ]
    )
    record_access(
        acting_user=acting_user,
        rows=[*waiting, *reviewed],
        place="assignments:queue",
        categories=["usage"],
        purpose="deliver_courses",
    )
    return ReviewQueue(
        waiting=[_row(course, s) for s in waiting], reviewed=[_row(course, s) for s in reviewed]
    )


@dataclass(frozen=True)
class OpenedSubmission:
    submission: Submission
    pseudonym: str
    earlier: list[Submission] = field(default_factory=list)

    @property
    def waiting(self) -> bool:
        return self.submission.status == Submission.Status.SUBMITTED


def submission_for_review(
    *, acting_user, course: Course, submission_id: int, place: str = "assignments:review"
) -> OpenedSubmission:
    """Return a hand-in of `course` for its instructor, with the learner's earlier hand-ins to
    the same exercise, and log that they were opened."""
    _course_for_instructor(acting_user=acting_user, course=course)
    submission = (
        Submission.objects.select_related("lesson__module__course")
        .filter(pk=submission_id, lesson__module__course=course)
        .first()
    )
    if submission is None:
        raise AssignmentError("submission_not_found")
    earlier = list(
        Submission.objects.filter(
            learner_id=submission.learner_id, lesson_id=submission.lesson_id, pk__lt=submission.pk
        ).order_by("-pk")
    )
    record_access(
        acting_user=acting_user,
        rows=[submission, *earlier],
        place=place,
        categories=["content", "usage"],
        purpose="deliver_courses",
    )
    return OpenedSubmission(
        submission=submission,
        pseudonym=course_pseudonym(course.pk, submission.learner_id),
        earlier=earlier,
    )
