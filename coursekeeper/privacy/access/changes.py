"""What a staff change did, in words: the audit trail's codes and the one reading of an entry.

Every staff write leaves one row in Django's `LogEntry` (`services.record_staff_change`), the
table the administration keeps its own history in. The administration stores its JSON change
messages (`[{"changed": {"fields": ["city"]}}]`), which Django translates when they are read.
The platform's services store one of the codes below in the same shape, `[{"<code>": {values}}]`,
untranslated, and `change_text` reads either kind in the reader's language.

The values are facts of the change (a number of months, an amount and its currency), never a
person's data: the entry reaches its record by type and id only, and erasure clears the
message together with that link (the `LogEntry` declaration in `privacy.privacy`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

ACTIONS: dict[str, Promise] = {
    # The shop (commerce).
    "refund_issued": _("Refund of %(amount)s issued"),
    "withdrawal_recorded": _("Withdrawal from the contract recorded for the buyer"),
    "subscription_cancelled": _("Subscription cancelled for the subscriber"),
    "destination_vat_chosen": _("The buyer's country's VAT chosen from the first euro"),
    "destination_vat_ended": _("The buyer's country's VAT option ended"),
    # Rights requests (privacy.rights, privacy.recipient_notices).
    "request_logged": _("Request logged (it came by email, post or phone)"),
    "request_extended": ngettext_lazy(
        "Deadline extended by %(months)d month", "Deadline extended by %(months)d months", "months"
    ),
    "request_marked_urgent": _("Request marked urgent"),
    "request_not_urgent": _("Request no longer marked urgent"),
    "request_fee_asked": _("Fee of %(amount)s asked"),
    "request_refused": _("Request refused with reasons"),
    "request_answered": _("Request answered"),
    "request_carried_out": _("Request carried out"),
    "request_note_added": _("Note added to the request"),
    "restriction_lifted": _("Restriction of processing lifted"),
    "recipient_told": _("Recipient told of the change by hand (Art. 19)"),
    # The newsletter.
    "newsletter_written": _("Newsletter draft written"),
    "newsletter_changed": _("Newsletter draft changed"),
    "newsletter_sending_started": _("Newsletter sending started, to subscribers"),
    "newsletter_sending_started_customers": _(
        "Newsletter sending started, to subscribers and existing customers"
    ),
    # The contact inbox.
    "contact_logged": _("Call or email logged in the thread"),
    "contact_answered": _("Answered by email"),
    # The course editor (learning).
    "course_published": _("Course published"),
    "course_unpublished": _("Course taken out of the catalogue"),
    "course_news_posted": _("Course news posted to the learners"),
    # Certificates (certificates).
    "certificate_revoked": _("Certificate revoked, with the reason given to the learner"),
    # Exercises handed in (assignments).
    "handin_passed": _("Exercise handed in marked passed"),
    "handin_to_redo": _("Exercise handed in sent back to redo"),
}


def stored_message(code: str, values: Mapping[str, Any]) -> str:
    """Return what `LogEntry.change_message` holds for the platform change `code`."""
    if code not in ACTIONS:
        raise KeyError(f"No staff change is called {code!r}; add it to ACTIONS.")
    return json.dumps([{code: dict(values)}])


def platform_change(message: str) -> str | None:
    """Return the platform change `message` records, in the active language; None when it is
    not one (the administration's own messages, or one erasure cleared)."""
    if not message.startswith("[{"):
        return None
    try:
        parts = json.loads(message)
    except ValueError:
        return None
    texts = []
    for part in parts:
        if not isinstance(part, dict) or len(part) != 1:
            return None
        [(code, values)] = part.items()
        if code not in ACTIONS or not isinstance(values, dict):
            return None
        texts.append(_filled(ACTIONS[code], values))
    return " ".join(texts) or None


def _filled(text: Promise, values: dict[str, Any]) -> str:
    if "amount" in values and "currency" in values:  # an amount is written as the reader writes it
        from coursekeeper.privacy.records import money_text

        values = {**values, "amount": money_text(Decimal(values["amount"]), values["currency"])}
    # A lazy plural picks its form from the values, so fill it before making it text.
    return str(text % values) if values else str(text)


def change_text(message: str) -> str:
    """Return a stored change message as the reader reads it: a platform change, or the
    administration's own message translated by Django."""
    from django.contrib.admin.models import LogEntry

    return platform_change(message) or LogEntry(change_message=message).get_change_message()
