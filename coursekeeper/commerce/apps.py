from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommerceConfig(AppConfig):
    name = "coursekeeper.commerce"
    label = "commerce"
    verbose_name = _("Shop")

    def ready(self) -> None:
        from coursekeeper.commerce import checks  # noqa: F401 - registers the system checks
