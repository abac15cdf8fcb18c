"""Exercises a learner hands in and an instructor marks."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssignmentsConfig(AppConfig):
    name = "coursekeeper.assignments"
    label = "assignments"
    verbose_name = _("Exercises to hand in")

    def ready(self) -> None:
        from coursekeeper.assignments.views import lesson_part
        from coursekeeper.learning.kinds import LessonPart, register_lesson_part
        from coursekeeper.learning.models import Lesson

        register_lesson_part(
            Lesson.Kind.HANDIN,
            LessonPart(template="assignments/part.html", context=lesson_part, done_by_hand=False),
        )
