"""The one exception type of the accounts app: a person-caused refusal with a translated message."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from coursekeeper.web.refusals import Refusal

MESSAGES = {
    "adult_confirmation_missing": _("Please confirm that you are 18 or older."),
    "not_your_profile": _("You can only change your own profile."),
    "unknown_profile_fields": _("That change is not possible on this page."),
    "unknown_language": _("That language is not available."),
    "unknown_role": _("That role does not exist."),
    "session_not_found": _("That session has already ended."),
    "processing_refused": _(
        "We may not process your data for this right now, so nothing was changed."
    ),
    "second_factor_incorrect": _("Incorrect code."),
    "second_factor_paused": ngettext_lazy(
        "Too many wrong codes. Signing in with a code is paused; please try again in "
        "%(minutes)d minute.",
        "Too many wrong codes. Signing in with a code is paused; please try again in "
        "%(minutes)d minutes.",
        "minutes",
    ),
    "unlock_link_invalid": _(
        "This link has expired or was already used. Nothing was changed; you can ask for a new "
        "one on the sign-in page."
    ),
}


class AccountError(Refusal):
    """A refusal the view turns into a 4xx with `message`; nothing was changed.

    (A refused two-factor code is recorded in the security log; that record is the only write.)
    """

    messages = MESSAGES
