from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuizzesConfig(AppConfig):
    name = "coursekeeper.quizzes"
    label = "quizzes"
    verbose_name = _("Quizzes")

    def ready(self) -> None:
        from coursekeeper.learning.kinds import LessonPart, register_lesson_part
        from coursekeeper.learning.models import Lesson
        from coursekeeper.quizzes.selectors import lesson_part_context

        register_lesson_part(
            Lesson.Kind.QUIZ,
            LessonPart(
                template="quizzes/lesson_part.html",
                context=lesson_part_context,
                done_by_hand=False,
            ),
        )
