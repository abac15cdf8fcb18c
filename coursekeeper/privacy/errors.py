"""The privacy app's one exception type: a refusal with a translated message; nothing changed."""

from django.utils.translation import gettext_lazy as _

MESSAGES = {
    "not_allowed": _("Your role does not allow this."),
}


class PrivacyError(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code

    @property
    def message(self) -> str:
        return str(MESSAGES[self.code])
