"""The newsletter app's one exception type: a refusal with a translated message; nothing changed."""

from django.utils.translation import gettext_lazy as _

from coursekeeper.web.refusals import Refusal

MESSAGES = {
    "not_allowed": _("Your role does not allow this."),
    "link_invalid": _(
        "This confirmation link has expired or was already used. Nothing was changed; "
        "please sign up again."
    ),
    "unsubscribe_link_invalid": _(
        "This unsubscribe link is not valid. Nothing was changed. Please use the link from "
        "the newsletter itself, or write to us."
    ),
    "no_language": _("Write the subject and the text in at least one language."),
    "not_a_draft": _("This newsletter is already being sent or was sent; it cannot be changed."),
    "customer_statements_needed": _(
        "To include existing customers, confirm both statements about them; otherwise send "
        "to subscribers only."
    ),
    "newsletter_not_found": _("There is no such newsletter."),
    "discontinued": _(
        "The newsletter has been discontinued, so it cannot be subscribed to. Nothing was changed."
    ),
    "discontinued_not_sent": _(
        "The newsletter is discontinued: start it again before you send one. Its former "
        "subscribers get it only if they subscribe again."
    ),
}


class NewsletterError(Refusal):
    messages = MESSAGES
