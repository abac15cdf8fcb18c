from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "coursekeeper.accounts"
    label = "accounts"
    verbose_name = _("People")

    def ready(self) -> None:
        from coursekeeper.accounts import checks  # noqa: F401 - registers the system checks
