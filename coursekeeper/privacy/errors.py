"""The privacy app's one exception type: a refusal with a translated message; nothing changed."""

from collections.abc import Mapping
from typing import ClassVar

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
    "erasure_step_failed": (
        503,
        _(
            "A step that must come before the erasure could not be done now, so nothing was "
            "erased. Please try again later."
        ),
    ),
    # Reports that an account belongs to a minor (privacy.minors).
    "report_about_needed": _("Say which account you mean."),
    "report_reasons_needed": _("Say what makes you think the person is under 18."),
    "too_many_reports": (
        429,
        _(
            "You have sent us several reports in the last hour. We have them all; please wait "
            "a little before you send another."
        ),
    ),
    "account_already_reported": (
        429,
        _(
            "We received several reports about this account in the last hour and are looking "
            "into them. Please wait a little before you send another."
        ),
    ),
    "report_refused": _("We may not take this report right now; nothing was stored."),
    "report_not_found": _("There is no such report."),
    "report_decided": _("This report is already decided; nothing was changed."),
    "no_such_account": _(
        "No account has this email address, so nothing was changed. Check the address."
    ),
    "no_account_linked": _(
        "Say which account the report is about before you confirm it; nothing was changed."
    ),
    "staff_account": _(
        "This account has a staff role, and a staff account is not erased through a report. "
        "Nothing was changed."
    ),
    "dismissal_reason_needed": _("Say why the report is dismissed; the reason stays with it."),
    "keep_link_invalid": _(
        "This link no longer works: the account it kept is erased or being erased. If you "
        "still have an account, signing in keeps it."
    ),
}


class PrivacyError(Refusal):
    # A message is its text, or (status, text) where the status is not the code's default.
    messages: ClassVar[Mapping[str, object]] = MESSAGES
