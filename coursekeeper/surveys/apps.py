"""Surveys in lessons, named or anonymous (R6, R44)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "coursekeeper.surveys"
    label = "surveys"
    verbose_name = _("Surveys")

    def ready(self) -> None:
        from coursekeeper.learning.kinds import LessonPart, register_lesson_part
        from coursekeeper.learning.models import Lesson
        from coursekeeper.surveys.selectors import lesson_part

        register_lesson_part(
            Lesson.Kind.SURVEY,
            LessonPart(
                template="surveys/lesson_part.html", context=lesson_part, done_by_hand=False
            ),
        )
