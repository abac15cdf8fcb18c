"""The privacy app's one exception type: a refusal with a translated message; nothing changed."""

from django.utils.translation import gettext_lazy as _

from coursekeeper.web.refusals import Refusal

MESSAGES = {
    "not_allowed": _("Your role does not allow this."),
    "unknown_request": _("That is not a request we know. Please choose one from the list."),
    "email_needed": _("Give the email address the request is about."),
    "received_in_future": _("A request cannot arrive in the future."),
    "link_invalid": _("This link has expired or was already used. Please send your request again."),
    "request_not_found": _("There is no such request."),
    "request_closed": _("This request is already closed; nothing was changed."),
    "already_extended": _("The deadline was already extended once; it cannot be extended again."),
    "extension_too_long": _("The deadline can be extended by one or two months, no more."),
    "extension_too_late": _(
        "The first month for answering has run out, so the deadline can no longer be "
        "extended: the person must be told of an extension within that month (GDPR Art. "
        "12(3)). Nothing was changed; answer the request now."
    ),
    "reason_needed": _("Give the reason; the person is told."),
    "not_excessive": _(
        "Only a request flagged as possibly excessive can be charged a fee or refused."
    ),
    "fee_invalid": _("Give a fee above zero in DKK or EUR."),
    "answer_needed": _("Write the answer to the person."),
    "note_needed": _("Write the note."),
    "cannot_object": _("That processing cannot be objected to here."),
    "no_account": _(
        "No account has this email address, so there is nothing to do automatically. "
        "Answer the person yourself."
    ),
    "nothing_to_carry_out": _("This kind of request is carried out by hand; write the answer."),
    "notice_not_found": _("There is no such recipient to tell."),
    "notice_done": _("This recipient was already told; nothing was changed."),
    "how_told_needed": _("Say how and when you told the recipient."),
    "keep_link_invalid": _(
        "This link no longer works: the account it kept is erased or being erased. If you "
        "still have an account, signing in keeps it."
    ),
}


class PrivacyError(Refusal):
    messages = MESSAGES
