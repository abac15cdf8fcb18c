"""Rights requests on the legal clock (R32, GDPR Art. 12): filing, confirming, handling, answering.

How a request arrives decides how it starts:
- from the account: the person is signed in, which counts as verified; received at once;
- by the public form: unconfirmed until the person follows the link sent to the address they
  gave, and only then received (an unknown address is answered exactly like a known one);
- by email, post or phone: staff log it with the channel and the day it arrived.

Receipt starts the clock: the answer is due one calendar month later; staff may extend it by up
to two more months, once, telling the person why, and only while the first month runs. The same
kind of request from the same person within 12 months is flagged as possibly excessive, and staff
decide: answer, charge a stated fee, or refuse with reasons and the right to complain. Every
change of state writes a `RightsRequestEvent` in its own transaction (a staff member's change
also its row of the staff audit trail, `privacy.access.changes`), and every email goes through
the outbox in that same transaction, so a request is never changed without its audit lines and
its email.

Where each part lives (the names other modules use are importable from here,
`coursekeeper.privacy.rights`):
- `history`: `record_event` (the request's history and the staff audit row) and `email_person`
  (the email to the person, through the outbox), shared by the modules below;
- `clock`: `add_months`, `first_month_ends`, the queue's `deadline_order`, and the alert to
  staff of a deadline close by (`due_soon`, `alert_staff_of_deadlines`);
- `filing`: `file_request` by each channel and `confirm_request` for the public form;
- `handling`: staff extending, marking urgent, asking a fee, refusing, answering, noting, and
  `tell_recipients` (Art. 19);
- `carrying_out`: restriction, objection and withdrawal of consent from the account, and staff
  carrying out an open request (`carry_out_request`), with the export that answers it.
"""

from coursekeeper.privacy.rights.carrying_out import (
    answer_with_export,
    carry_out_request,
    lift_restriction,
    object_to,
    restrict_processing,
    start_export_for_request,
    withdraw_consent,
)
from coursekeeper.privacy.rights.clock import (
    ALERT_DAYS_BEFORE,
    MAX_EXTENSION_MONTHS,
    add_months,
    alert_staff_of_deadlines,
    deadline_order,
    due_soon,
    first_month_ends,
)
from coursekeeper.privacy.rights.filing import (
    CONFIRMATION_VALID_FOR,
    EXCESSIVE_WINDOW_DAYS,
    MAX_UNCONFIRMED_PER_HOUR,
    STAFF_CHANNELS,
    confirm_request,
    file_request,
)
from coursekeeper.privacy.rights.handling import (
    add_note,
    answer_request,
    check_staff,
    extend_request,
    lock_open_request,
    mark_urgent,
    record_view,
    refuse_request,
    request_fee,
    tell_recipients,
)
from coursekeeper.privacy.rights.history import (
    AUDITED_AS,
    Action,
    Change,
    Channel,
    Kind,
    Status,
    email_person,
    person_filter,
    record_event,
)

# The processing paths name the function that emails the person by its place before the split
# (`coursekeeper.privacy.rights._send`, in privacy/privacy.py); this keeps that name resolving.
_send = email_person

__all__ = [
    "ALERT_DAYS_BEFORE",
    "AUDITED_AS",
    "CONFIRMATION_VALID_FOR",
    "EXCESSIVE_WINDOW_DAYS",
    "MAX_EXTENSION_MONTHS",
    "MAX_UNCONFIRMED_PER_HOUR",
    "STAFF_CHANNELS",
    "Action",
    "Change",
    "Channel",
    "Kind",
    "Status",
    "add_months",
    "add_note",
    "alert_staff_of_deadlines",
    "answer_request",
    "answer_with_export",
    "carry_out_request",
    "check_staff",
    "confirm_request",
    "deadline_order",
    "due_soon",
    "email_person",
    "extend_request",
    "file_request",
    "first_month_ends",
    "lift_restriction",
    "lock_open_request",
    "mark_urgent",
    "object_to",
    "person_filter",
    "record_event",
    "record_view",
    "refuse_request",
    "request_fee",
    "restrict_processing",
    "start_export_for_request",
    "tell_recipients",
    "withdraw_consent",
]
