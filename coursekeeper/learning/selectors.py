"""Reads of the learning app for pages: the catalogue, a course's outline, the dashboard."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch
from django.utils import timezone

from coursekeeper.learning import search
from coursekeeper.learning.errors import LearningError
from coursekeeper.learning.models import Course, Enrollment, Lesson, LessonProgress, Module, Topic


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
                    is_open=bool(enrollment and opens_at <= now),
                    opens_at=opens_at,
                    completed=bool(own and own.completed_at),
                    position_seconds=own.position_seconds if own else 0.0,
                )
            )
        modules.append(state)
    return CourseOutline(course=course, enrollment=enrollment, modules=modules)


def lesson_by_id(lesson_id: int) -> Lesson:
    lesson = (
        Lesson.objects.select_related("module__course")
        .filter(pk=lesson_id, module__course__is_published=True)
        .first()
    )
    if lesson is None:
        raise LearningError("lesson_not_found")
    return lesson


def saved_position(*, learner, lesson: Lesson) -> float:
    progress = LessonProgress.objects.filter(learner=learner, lesson=lesson).only(
        "position_seconds"
    )
    row = progress.first()
    return row.position_seconds if row else 0.0


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
