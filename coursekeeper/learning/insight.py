"""What an instructor sees of their learners (R34): pseudonyms and figures about groups.

An instructor never sees a learner's name, email or address. Each learner appears under a
stable per-course pseudonym (`security.services.course_pseudonym`), with their progress; every
figure about several learners (how many finished, how far a lesson got) is shown only when it
counts at least the owner's smallest group (`ProviderSettings.min_group_size`, default 5), and
otherwise reads "fewer than N", so a small group cannot be told apart.

Pseudonymised rows are still personal data, so the learners listed are written to the staff
access log (R35); the group figures are not about anyone and log nothing.

Where learners struggle (R6). Besides how many finished each lesson, the course page shows
the drop-off from one lesson to the next (of those who reached a lesson, how many reached the
following one; "reached" is any progress on it: opened, watched or done), the funnel
enrolled -> started -> half-way (at least half the lessons done) -> finished, and how long
lessons took: from when the learner first opened the lesson (`LessonProgress.first_opened_at`)
to when it was done. A span longer than `LONGEST_MEASURED` is left out: the learner came back
another day, and the clock says nothing about the lesson.

Counting is processing for its own purpose, `course_statistics` (legitimate interest, R30): a
learner who objected to it (or to every such purpose), restricted processing or is being erased
is left out of every figure. The gate answers for the whole group in one subquery
(`privacy.gate.refused_accounts`); `counts_in_statistics` asks it for one learner, and a test
holds the two to the same answer. Every figure is a fixed number of grouped queries, whatever
the number of learners.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils.translation import gettext_lazy as _

from coursekeeper.learning.models import Course, Enrollment, Lesson, LessonProgress
from coursekeeper.learning.privacy import COUNT_FOR_STATISTICS, COURSE_STATISTICS
from coursekeeper.privacy.access.services import record_access
from coursekeeper.privacy.gate import refused_accounts
from coursekeeper.privacy.people import Person
from coursekeeper.security.services import course_pseudonym

LEARNERS_PER_PAGE = 50
# A lesson's time is measured up to this long; a longer span is left out (see above).
LONGEST_MEASURED = dt.timedelta(hours=24)
# The time buckets: (up to, label); the last has no upper end.
TIME_BUCKETS: list[tuple[dt.timedelta | None, Any]] = [
    (dt.timedelta(minutes=5), _("under 5 min")),
    (dt.timedelta(minutes=15), _("5 to 15 min")),
    (dt.timedelta(minutes=30), _("15 to 30 min")),
    (dt.timedelta(minutes=60), _("30 to 60 min")),
    (None, _("over 60 min")),
]


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
    reached: GroupFigure = GroupFigure(0, True)
    # Of those who reached the previous lesson, how many reached this one (None: the first).
    went_on: GroupFigure | None = None
    went_on_share: int | None = None
    times: tuple[GroupFigure, ...] = ()


@dataclass(frozen=True)
class FunnelStep:
    label: Any
    figure: GroupFigure
    share: int | None  # percent of the enrolled, when shown


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
    funnel: tuple[FunnelStep, ...] = ()
    # Lessons finished, per time bucket, over the whole course (one per `TIME_BUCKETS`).
    times: tuple[GroupFigure, ...] = ()
    # False while the privacy policy in effect does not announce the statistics (R21).
    counting: bool = True

    @property
    def time_labels(self) -> list[Any]:
        return [label for _limit, label in TIME_BUCKETS]


def _figure(count: int, threshold: int) -> GroupFigure:
    """Show 0 (nobody) and counts of at least `threshold`; hide the small ones in between."""
    return GroupFigure(count, count == 0 or count >= threshold)


def _share(part: GroupFigure, whole: GroupFigure | int) -> int | None:
    total = whole if isinstance(whole, int) else (whole.count if whole.shown else 0)
    return round(100 * part.count / total) if part.shown and total else None


# --- Who is counted (R30) ---------------------------------------------------------------------


def excluded_learner_ids() -> QuerySet:
    """Return the ids of the learners left out of every course statistic, as a subquery.

    Those the gate refuses `course_statistics` for: who objected to it or to every objectable
    purpose, restricted processing, or is being erased. Other apps' group figures (a quiz's
    questions) reuse it: `.exclude(learner_id__in=excluded_learner_ids())`.
    """
    return refused_accounts(COURSE_STATISTICS)


def counted_learners(course: Course) -> QuerySet:
    """Return the accounts enrolled in `course` whose progress counts in its statistics."""
    return (
        get_user_model()
        .objects.filter(enrollments__course=course)
        .exclude(pk__in=excluded_learner_ids())
    )


def counts_in_statistics(*, learner) -> bool:
    """Ask the gate whether `learner`'s progress may be counted into course statistics."""
    return bool(COUNT_FOR_STATISTICS.ask(Person.for_user(learner)))


def statistics_announced() -> bool:
    """Return whether the policy in effect announces the statistics (True before any)."""
    from coursekeeper.privacy.publishing import announced_purpose_codes

    codes = announced_purpose_codes()
    return codes is None or COURSE_STATISTICS.code in codes


# --- The figures ------------------------------------------------------------------------------


def _per_lesson(progress: QuerySet, lessons: list[Lesson]) -> dict[int, dict[str, int]]:
    """Return, per lesson id, who reached it, finished it, and went on to the next one."""
    following = [
        When(lesson_id=current.pk, then=Value(after.pk)) for current, after in pairwise(lessons)
    ]
    next_lesson = Case(*following, default=Value(None), output_field=IntegerField())
    went_on = Exists(
        LessonProgress.objects.filter(learner_id=OuterRef("learner_id"), lesson_id=OuterRef("next"))
    )
    rows = (
        progress.annotate(next=next_lesson)
        .values("lesson_id")
        .annotate(
            reached=Count("pk"),
            completed=Count("pk", filter=Q(completed_at__isnull=False)),
            went_on=Count("pk", filter=Q(went_on)),
        )
        .order_by()
    )
    return {row["lesson_id"]: row for row in rows}


def _time_buckets(progress: QuerySet) -> dict[tuple[int, int], int]:
    """Return {(lesson id, bucket index): lessons finished in that time}."""
    took = ExpressionWrapper(F("completed_at") - F("first_opened_at"), output_field=DurationField())
    bucket = Case(
        *[
            When(took__lt=limit, then=Value(index))
            for index, (limit, _label) in enumerate(TIME_BUCKETS)
            if limit is not None
        ],
        default=Value(len(TIME_BUCKETS) - 1),
        output_field=IntegerField(),
    )
    rows = (
        progress.filter(completed_at__isnull=False, first_opened_at__isnull=False)
        .annotate(took=took)
        .filter(took__gte=dt.timedelta(0), took__lte=LONGEST_MEASURED)
        .annotate(bucket=bucket)
        .values_list("lesson_id", "bucket")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {(lesson_id, index): n for lesson_id, index, n in rows}


def _funnel(
    counted: QuerySet, progress: QuerySet, *, lessons: int, course: Course
) -> dict[str, int]:
    started = Exists(
        LessonProgress.objects.filter(
            learner_id=OuterRef("learner_id"), lesson__module__course=course
        )
    )
    figures = counted.aggregate(
        started=Count("pk", filter=Q(started)),
        completed=Count("pk", filter=Q(completed_at__isnull=False)),
    )
    half = math.ceil(lessons / 2)
    figures["half_way"] = (
        (
            progress.filter(completed_at__isnull=False)
            .values("learner_id")
            .annotate(done=Count("pk"))
            .filter(done__gte=half)
            .count()
        )
        if lessons
        else 0
    )
    return figures


def course_insight(*, course: Course, acting_user, page_number=None) -> CourseInsight:
    """Return the instructor's view of `course`: group figures and a page of pseudonymised rows.

    The figures count only the learners the gate lets `course_statistics` count; the rows list
    every learner (delivering the course includes showing its instructor the progress).
    """
    from coursekeeper.privacy.models import ProviderSettings

    threshold = ProviderSettings.objects.values_list("min_group_size", flat=True).first() or 5
    enrollments = Enrollment.objects.filter(course=course)
    lessons = list(
        Lesson.objects.filter(module__course=course).order_by("module__position", "position", "pk")
    )
    counting = statistics_announced()
    counted = enrollments.exclude(learner_id__in=excluded_learner_ids())
    enrolled = counted.count() if counting else 0
    too_few = enrolled < threshold

    def figure(count: int) -> GroupFigure:
        shown = _figure(count, threshold).shown and not too_few
        return GroupFigure(count, shown)

    per_lesson: dict[int, dict[str, int]] = {}
    times: dict[tuple[int, int], int] = {}
    funnel_counts = {"started": 0, "completed": 0, "half_way": 0}
    if counting and not too_few:
        progress = LessonProgress.objects.filter(
            lesson_id__in=[lesson.pk for lesson in lessons],
            learner__enrollments__course=course,
        ).exclude(learner_id__in=excluded_learner_ids())
        if lessons:
            per_lesson = _per_lesson(progress, lessons)
            times = _time_buckets(progress)
        funnel_counts = _funnel(counted, progress, lessons=len(lessons), course=course)
    figures = []
    previous: GroupFigure | None = None
    previous_went_on = 0
    for lesson in lessons:
        row = per_lesson.get(lesson.pk, {})
        completed_here = figure(row.get("completed", 0))
        reached = figure(row.get("reached", 0))
        went_on = None
        if previous is not None:
            went_on = figure(previous_went_on)
        figures.append(
            LessonFigure(
                lesson,
                completed_here,
                _share(completed_here, enrolled),
                reached=reached,
                went_on=went_on,
                went_on_share=_share(went_on, previous) if went_on and previous else None,
                times=tuple(figure(times.get((lesson.pk, i), 0)) for i in range(len(TIME_BUCKETS))),
            )
        )
        previous, previous_went_on = reached, row.get("went_on", 0)
    course_times = tuple(
        figure(sum(n for (_lesson, i), n in times.items() if i == index))
        for index in range(len(TIME_BUCKETS))
    )
    total = GroupFigure(enrolled, not too_few)
    completed = figure(funnel_counts["completed"])
    funnel = tuple(
        FunnelStep(label, step, _share(step, enrolled))
        for label, step in (
            (_("enrolled"), total),
            (_("started"), figure(funnel_counts["started"])),
            (_("half-way"), figure(funnel_counts["half_way"])),
            (_("finished"), completed),
        )
    )
    rows = (
        enrollments.annotate(
            done=Count(
                "learner__lesson_progress",
                filter=Q(
                    learner__lesson_progress__lesson_id__in=[lesson.pk for lesson in lessons],
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
        completed=completed,
        lessons=figures,
        learners=page,
        funnel=funnel,
        times=course_times,
        counting=counting,
    )
