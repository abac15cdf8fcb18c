"""The contact app's one exception type: a refusal with a translated message; nothing changed."""

from django.utils.translation import gettext_lazy as _

from coursekeeper.web.refusals import Refusal

MESSAGES = {
    "not_allowed": (403, _("Your role does not allow this.")),
    "contact_not_found": (404, _("There is no such contact.")),
    "in_the_future": (400, _("A contact cannot be logged in the future.")),
    "unknown_channel": (400, _("Choose how the contact came: by phone or by email.")),
    "too_many_messages": (
        429,
        _(
            "You have sent us several messages in the last hour. We have them all; please "
            "wait a little before you send another."
        ),
    ),
}


class ContactError(Refusal):
    messages = MESSAGES
