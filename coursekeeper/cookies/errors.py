"""The cookies app's one exception type: a refusal with a translated message; nothing stored."""

from django.utils.translation import gettext_lazy as _

from coursekeeper.web.refusals import Refusal

MESSAGES = {
    "no_choice": _(
        "Nothing was saved: choose “Accept all”, “Reject all”, or tick the "
        "categories you allow and press “Save my choices”."
    ),
    "unknown_category": _(
        "Nothing was saved: that is not one of the cookie categories. Choose from the list."
    ),
}


class CookieChoiceError(Refusal):
    messages = MESSAGES
