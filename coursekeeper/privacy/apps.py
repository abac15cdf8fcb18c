from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "coursekeeper.privacy"
    label = "privacy"
    verbose_name = _("Privacy")

    def ready(self) -> None:
        from coursekeeper.privacy import checks  # noqa: F401 - registers the system checks

        # Every app's privacy.py declares its models into the registry.
        autodiscover_modules("privacy")
