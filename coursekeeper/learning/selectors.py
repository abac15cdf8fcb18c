"""Reads of the learning app for pages: the catalogue, a course's outline, the dashboard."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Prefetch
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from coursekeeper.cookies.video import Video, video_for
from coursekeeper.learning import search
from coursekeeper.learning.errors import LearningError
from coursekeeper.learning.models import (
    Course,
    Enrollment,
    Lesson,
    LessonProgress,
    Module,
    Topic,
    opens_at,
)
from coursekeeper.learning.privacy import SHOW_LESSON
from coursekeeper.learning.services import ask_gate
from coursekeeper.privacy.access.roles import TEACH, TEACH_ANY_COURSE, can
from coursekeeper.privacy.people import Person


def catalogue(*, text: str = "", topic: str = "", language: str = ""):
    """Return the published courses matching the search text, topic and language."""
    courses = (
        Course.objects.filter(is_published=True)
        .select_related("instructor")
        .prefetch_related("topics")
        .annotate(lesson_count=Count("modules__lessons", distinct=True))
    )
    if topic:
        courses = courses.filter(topics__slug=topic)
    if language:
        courses = courses.filter(language=language)
    return search.matching_courses(courses, text).order_by("title")


def topics():
    return Topic.objects.filter(courses__is_published=True).distinct()


def published_course(slug: str) -> Course:
    course = (
        Course.objects.filter(slug=slug, is_published=True).select_related("instructor").first()
    )
    if course is None:
        raise LearningError("course_not_found")
    return course


@dataclass
class LessonState:
    lesson: Lesson
    is_open: bool
    opens_at: dt.datetime | None
    completed: bool
    position_seconds: float


@dataclass
class ModuleState:
    module: Module
    lessons: list[LessonState] = field(default_factory=list)

    @property
    def percent(self) -> int:
        return _percent(sum(s.completed for s in self.lessons), len(self.lessons))


@dataclass
class CourseOutline:
    course: Course
    enrollment: Enrollment | None
    modules: list[ModuleState]

    @property
    def lesson_count(self) -> int:
        return sum(len(m.lessons) for m in self.modules)

    @property
    def completed_count(self) -> int:
        return sum(s.completed for m in self.modules for s in m.lessons)

    @property
    def percent(self) -> int:
        return _percent(self.completed_count, self.lesson_count)

    def next_lesson(self) -> LessonState | None:
        """Return the first open lesson not done yet."""
        for module in self.modules:
            for state in module.lessons:
                if state.is_open and not state.completed:
                    return state
        return None


def _percent(done: int, total: int) -> int:
    return round(100 * done / total) if total else 0


def course_outline(*, course: Course, learner) -> CourseOutline:
    """Return the course's modules and lessons with the learner's progress and release dates."""
    enrollment = None
    progress: dict[int, LessonProgress] = {}
    if learner is not None and learner.is_authenticated:
        enrollment = Enrollment.objects.filter(learner=learner, course=course).first()
        if enrollment is not None:
            progress = {
                p.lesson_id: p
                for p in LessonProgress.objects.filter(
                    learner=learner, lesson__module__course=course
                )
            }
    now = timezone.now()
    access_ended = bool(
        enrollment and enrollment.access_until is not None and enrollment.access_until <= now
    )
    modules = []
    for module in course.modules.prefetch_related(
        Prefetch("lessons", queryset=Lesson.objects.order_by("position", "pk"))
    ):
        state = ModuleState(module)
        for lesson in module.lessons.all():
            opens_at = lesson.opens_at(enrollment.enrolled_at) if enrollment else None
            own = progress.get(lesson.pk)
            state.lessons.append(
                LessonState(
                    lesson=lesson,
                    is_open=bool(opens_at is not None and opens_at <= now and not access_ended),
                    opens_at=opens_at,
                    completed=bool(own and own.completed_at),
                    position_seconds=own.position_seconds if own else 0.0,
                )
            )
        modules.append(state)
    return CourseOutline(course=course, enrollment=enrollment, modules=modules)


@dataclass
class LessonPage:
    """What the lesson page shows: the lesson, where it sits, and the learner's progress."""

    lesson_id: int
    title: str
    kind: str
    body: str
    module_title: str
    course_slug: str
    course_title: str
    course_language: str
    completed: bool
    position_seconds: float
    percent: int
    # A YouTube or Vimeo video the lesson embeds (shown once its cookies are allowed), or None.
    video: Video | None = None
    # Whether the learner's first opening of the lesson is noted (`services.note_lesson_opened`).
    opened_before: bool = False


# The lesson page is the hot path of learning (R5): one query, written out so it is not compiled
# by the ORM on every request (compiling the equivalent five subqueries cost more than running
# them). Table and column names are the models' own; test_learning covers both databases.
LESSON_PAGE_SQL = """
SELECT l.id, l.title, l.kind, l.body, l.release_after_days, l.release_on,
       l.embed_provider, l.embed_video_id, m.title, c.slug, c.title, c.language,
       e.enrolled_at, e.access_until,
       (SELECT p.position_seconds FROM learning_lessonprogress p
         WHERE p.learner_id = %(learner)s AND p.lesson_id = l.id),
       (SELECT COUNT(*) FROM learning_lessonprogress p
         WHERE p.learner_id = %(learner)s AND p.lesson_id = l.id AND p.completed_at IS NOT NULL),
       (SELECT COUNT(*) FROM learning_lessonprogress p
         WHERE p.learner_id = %(learner)s AND p.lesson_id = l.id
           AND p.first_opened_at IS NOT NULL),
       (SELECT COUNT(*) FROM learning_lesson l2 JOIN learning_module m2 ON m2.id = l2.module_id
         WHERE m2.course_id = c.id),
       (SELECT COUNT(*) FROM learning_lessonprogress p2
          JOIN learning_lesson l3 ON l3.id = p2.lesson_id
          JOIN learning_module m3 ON m3.id = l3.module_id
         WHERE p2.learner_id = %(learner)s AND m3.course_id = c.id
           AND p2.completed_at IS NOT NULL)
  FROM learning_lesson l
  JOIN learning_module m ON m.id = l.module_id
  JOIN learning_course c ON c.id = m.course_id
  LEFT JOIN learning_enrollment e ON e.learner_id = %(learner)s AND e.course_id = c.id
 WHERE l.id = %(lesson)s AND c.is_published = %(published)s
"""


def _aware(value) -> dt.datetime | None:
    """Return a database value as an aware datetime (SQLite hands subquery results as text)."""
    if value is None or isinstance(value, dt.datetime):
        moment = value
    else:
        moment = parse_datetime(str(value))
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment, dt.UTC)
    return moment


def lesson_page(*, learner, lesson_id: int) -> LessonPage:
    """Return what the lesson page shows, refusing a lesson that is not open to the learner."""
    with connection.cursor() as cursor:
        cursor.execute(
            LESSON_PAGE_SQL, {"learner": learner.pk, "lesson": lesson_id, "published": True}
        )
        row = cursor.fetchone()
    if row is None:
        raise LearningError("lesson_not_found")
    (lid, title, kind, body, after_days, release_on, embed_provider, embed_video_id,
     module_title, slug, course_title, language, enrolled_at, access_until, position, completed,
     opened, total, done) = row  # fmt: skip
    enrolled_at = _aware(enrolled_at)
    if enrolled_at is None:
        raise LearningError("not_enrolled")
    access_until = _aware(access_until)
    if access_until is not None and access_until <= timezone.now():
        raise LearningError("access_ended")
    if isinstance(release_on, str):
        release_on = dt.date.fromisoformat(release_on)
    if opens_at(enrolled_at, after_days, release_on) > timezone.now():
        raise LearningError("not_released")
    ask_gate(SHOW_LESSON, Person.for_user(learner), restricted="processing_refused")
    return LessonPage(
        lesson_id=lid,
        title=title,
        kind=kind,
        body=body,
        module_title=module_title,
        course_slug=slug,
        course_title=course_title,
        course_language=language,
        completed=bool(completed),
        position_seconds=float(position or 0.0),
        percent=_percent(done or 0, total or 0),
        video=video_for(embed_provider, embed_video_id),
        opened_before=bool(opened),
    )


def embedded_video_providers() -> set[str]:
    """Return the providers ("youtube", "vimeo") a lesson of a published course embeds from."""
    return set(
        Lesson.objects.filter(module__course__is_published=True)
        .exclude(embed_provider="")
        .order_by()
        .values_list("embed_provider", flat=True)
        .distinct()
    )


def lesson_by_id(lesson_id: int) -> Lesson:
    lesson = (
        Lesson.objects.select_related("module__course")
        .filter(pk=lesson_id, module__course__is_published=True)
        .first()
    )
    if lesson is None:
        raise LearningError("lesson_not_found")
    return lesson


@dataclass
class DashboardCourse:
    outline: CourseOutline
    continue_lesson: LessonState | None
    opening_soon: list[LessonState]


def dashboard(*, learner, soon_days: int = 14) -> list[DashboardCourse]:
    """Return the learner's courses: progress, where to continue, lessons opening soon."""
    now = timezone.now()
    result = []
    enrollments = (
        Enrollment.objects.filter(learner=learner)
        .select_related("course", "last_lesson")
        .order_by("-last_activity_at")
    )
    for enrollment in enrollments:
        outline = course_outline(course=enrollment.course, learner=learner)
        states = [s for m in outline.modules for s in m.lessons]
        last = next((s for s in states if s.lesson.pk == enrollment.last_lesson_id), None)
        continue_lesson = last if last and not last.completed else outline.next_lesson()
        opening_soon = [
            s
            for s in states
            if not s.is_open and s.opens_at and s.opens_at <= now + dt.timedelta(days=soon_days)
        ]
        result.append(DashboardCourse(outline, continue_lesson, opening_soon))
    return result


# --- The course editor ---------------------------------------------------------------------------


def courses_to_edit(*, acting_user):
    """Return the courses `acting_user` may edit: their own, or every course of the school."""
    courses = Course.objects.order_by("title")
    if not can(acting_user, TEACH_ANY_COURSE):
        courses = courses.filter(instructor=acting_user)
    return courses


def course_to_edit(*, acting_user, slug: str) -> Course:
    """Return a course for its editor; refuse one that is not there or not theirs to edit."""
    course = Course.objects.filter(slug=slug).first()
    if course is None:
        raise LearningError("course_not_found")
    if not can(acting_user, TEACH, course):
        raise LearningError("not_your_course")
    return course


def lesson_to_edit(*, course: Course, lesson_id: int) -> Lesson:
    """Return a lesson of `course` for its editor."""
    lesson = Lesson.objects.filter(pk=lesson_id, module__course=course).first()
    if lesson is None:
        raise LearningError("lesson_not_found")
    return lesson
