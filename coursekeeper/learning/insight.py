"""What an instructor sees of their learners (R34): pseudonyms and figures about groups.

An instructor never sees a learner's name, email or address. Each learner appears under a
stable per-course pseudonym (`security.services.course_pseudonym`), with their progress; every
figure about several learners (how many finished, how far a lesson got) is shown only when it
counts at least the owner's smallest group (`ProviderSettings.min_group_size`, default 5), and
otherwise reads "fewer than N", so a small group cannot be told apart.

Pseudonymised rows are still personal data, so the learners listed are written to the staff
access log (R35); the group figures are not about anyone and log nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q

from coursekeeper.learning.models import Course, Enrollment, Lesson, LessonProgress
from coursekeeper.privacy.access.services import record_access
from coursekeeper.security.services import course_pseudonym

LEARNERS_PER_PAGE = 50


@dataclass(frozen=True)
class GroupFigure:
    """A count about several learners, or nothing when the group is too small to show."""

    count: int
    shown: bool

    @property
    def value(self) -> int | None:
        return self.count if self.shown else None


@dataclass(frozen=True)
class LessonFigure:
    lesson: Lesson
    completed: GroupFigure
    share: int | None  # percent of the enrolled who finished it, when shown


@dataclass(frozen=True)
class LearnerRow:
    pseudonym: str
    done: int
    total: int
    last_active: dt.date
    completed: bool

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


@dataclass(frozen=True)
class CourseInsight:
    threshold: int
    enrolled: int
    too_few: bool
    completed: GroupFigure
    lessons: list[LessonFigure]
    learners: Page


def _figure(count: int, threshold: int) -> GroupFigure:
    """Show 0 (nobody) and counts of at least `threshold`; hide the small ones in between."""
    return GroupFigure(count, count == 0 or count >= threshold)


def course_insight(*, course: Course, acting_user, page_number=None) -> CourseInsight:
    """Return the instructor's view of `course`: group figures and a page of pseudonymised rows."""
    from coursekeeper.privacy.models import ProviderSettings

    threshold = ProviderSettings.objects.values_list("min_group_size", flat=True).first() or 5
    enrollments = Enrollment.objects.filter(course=course)
    enrolled = enrollments.count()
    too_few = enrolled < threshold
    lessons = list(
        Lesson.objects.filter(module__course=course).order_by("module__position", "position", "pk")
    )
    lesson_ids = [lesson.pk for lesson in lessons]
    done_per_lesson = dict(
        LessonProgress.objects.filter(
            lesson_id__in=lesson_ids,
            completed_at__isnull=False,
            learner__enrollments__course=course,
        )
        .values_list("lesson_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    figures = []
    for lesson in lessons:
        figure = _figure(done_per_lesson.get(lesson.pk, 0), threshold)
        shown = figure.shown and not too_few
        figures.append(
            LessonFigure(
                lesson,
                GroupFigure(figure.count, shown),
                round(100 * figure.count / enrolled) if shown and enrolled else None,
            )
        )
    completed = _figure(enrollments.filter(completed_at__isnull=False).count(), threshold)
    rows = (
        enrollments.annotate(
            done=Count(
                "learner__lesson_progress",
                filter=Q(
                    learner__lesson_progress__lesson_id__in=lesson_ids,
                    learner__lesson_progress__completed_at__isnull=False,
                ),
            )
        )
        .order_by("-last_activity_at", "pk")
        .values("pk", "learner_id", "done", "last_activity_at", "completed_at")
    )
    # The page's rows are swapped for pseudonymised ones below, so it is no page of dicts.
    page: Page[Any] = Paginator(rows, LEARNERS_PER_PAGE).get_page(page_number)
    on_page = list(page.object_list)
    page.object_list = [
        LearnerRow(
            pseudonym=course_pseudonym(course.pk, row["learner_id"]),
            done=row["done"],
            total=len(lessons),
            last_active=row["last_activity_at"].date(),
            completed=row["completed_at"] is not None,
        )
        for row in on_page
    ]
    record_access(
        acting_user=acting_user,
        rows=Enrollment.objects.filter(pk__in=[row["pk"] for row in on_page]),
        place="learning:editor_course",
        categories=["usage"],
        purpose="deliver_courses",
    )
    return CourseInsight(
        threshold=threshold,
        enrolled=enrolled,
        too_few=too_few,
        completed=GroupFigure(completed.count, completed.shown and not too_few),
        lessons=figures,
        learners=page,
    )
