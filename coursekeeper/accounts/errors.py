"""The one exception type of the accounts app: a person-caused refusal with a translated message."""

from django.utils.translation import gettext_lazy as _

MESSAGES = {
    "adult_confirmation_missing": _("Please confirm that you are 18 or older."),
    "not_your_profile": _("You can only change your own profile."),
    "unknown_profile_fields": _("That change is not possible on this page."),
    "unknown_language": _("That language is not available."),
    "unknown_role": _("That role does not exist."),
    "session_not_found": _("That session has already ended."),
    "unlock_link_invalid": _(
        "This link has expired or was already used. Nothing was changed; you can ask for a new "
        "one on the sign-in page."
    ),
}


class AccountError(Exception):
    """A refusal the view turns into a 4xx with `message`; nothing was changed."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code

    @property
    def message(self) -> str:
        return str(MESSAGES[self.code])
