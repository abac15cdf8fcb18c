"""The contact app's one exception type: a refusal with a translated message; nothing changed."""

from django.utils.translation import gettext_lazy as _

from coursekeeper.web.refusals import Refusal

MESSAGES = {
    "not_allowed": (403, _("Your role does not allow this.")),
    "contact_not_found": (404, _("There is no such contact.")),
    "in_the_future": (400, _("A contact cannot be logged in the future.")),
    "unknown_channel": (400, _("Choose how the contact came: by phone or by email.")),
    "processing_restricted": (
        403,
        _(
            "You restricted the processing of your data, so this form cannot take your "
            "message while the restriction lasts, and nothing was stored. To reach us about "
            "your data, send us a privacy request."
        ),
    ),
    "reply_restricted": (
        403,
        _(
            "This person restricted the processing of their data, so no reply was sent and "
            "nothing was logged."
        ),
    ),
    "processing_refused": (
        403,
        _("We may not process this person's data for this right now; nothing was stored."),
    ),
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
