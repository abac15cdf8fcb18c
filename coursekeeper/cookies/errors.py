"""The cookies app's one exception type: a refusal with a translated message; nothing stored."""

from django.utils.translation import gettext_lazy as _

MESSAGES = {
    "no_choice": _(
        "Nothing was saved: choose “Accept all”, “Reject all”, or tick the "
        "categories you allow and press “Save my choices”."
    ),
    "unknown_category": _(
        "Nothing was saved: that is not one of the cookie categories. Choose from the list."
    ),
}


class CookieChoiceError(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code

    @property
    def message(self) -> str:
        return str(MESSAGES[self.code])
