from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuizzesConfig(AppConfig):
    name = "coursekeeper.quizzes"
    label = "quizzes"
    verbose_name = _("Quizzes")
