"""The recipients register (R37) and the record of processing activities (R25, GDPR Art. 30(1)).

The record is computed, never stored: one activity per purpose that some declaration uses,
built from the declaration registry, `ALL_PURPOSES`, the active `Recipient` rows and the
provider's settings. A new declaration, purpose or recipient is in the record the moment it
exists, so the record cannot drift from what the platform does.

Recipients are written only through `save_recipient`, which refuses what the law does not
allow (data leaving the EU/EEA without a safeguard, a processor without an agreement) and
changes nothing when it refuses. Every accepted change writes a Django admin log entry (who,
when, which fields) in the same transaction: the admin's own history of the row, and the record
the "running the platform" purpose declares for what staff change.

A disclosure to an authority on a legal order is `record_disclosure`: a `Disclosure` row about
the person (by account, or by address for someone without one) whose `reason` holds the order's
reference and date. The person's access export and the Art. 19 notices read it through
`recipients.recipients_for`: a recipient with a privacy contact (`privacy_email`) is told of a
correction, erasure or restriction by email, one without is told by staff, by hand
(`privacy.recipient_notices`).

Where each part lives (the names other modules use are importable from here,
`coursekeeper.privacy.register`):
- `refusals`: `RegisterError` and its `MESSAGES`, and `check_allowed` (who keeps the register);
- `recipients`: `save_recipient`, the staff list (`recipients_overview`, `recipient_history`)
  and `record_disclosure`;
- `record`: the record of processing (`record_of_processing`, `Activity` and its parts), the
  platform's security measures and what the controller's details still miss;
- `documents`: the record as CSV, HTML and PDF, and the exports' file name.
"""

from coursekeeper.privacy.register.documents import (
    csv_columns,
    export_filename,
    record_csv,
    record_document_html,
    record_pdf,
)
from coursekeeper.privacy.register.recipients import (
    RECIPIENT_FIELDS,
    RecipientRow,
    Role,
    Safeguard,
    log_change,
    recipient_history,
    recipients_overview,
    record_disclosure,
    save_recipient,
)
from coursekeeper.privacy.register.record import (
    PLATFORM_SECURITY_MEASURES,
    REQUIRED_FOR_RECORD,
    Activity,
    Controller,
    RecipientEntry,
    RetentionEntry,
    check_record_exportable,
    controller_from,
    missing_for_record,
    record_of_processing,
    security_measures,
)
from coursekeeper.privacy.register.refusals import MESSAGES, RegisterError, check_allowed

__all__ = [
    "MESSAGES",
    "PLATFORM_SECURITY_MEASURES",
    "RECIPIENT_FIELDS",
    "REQUIRED_FOR_RECORD",
    "Activity",
    "Controller",
    "RecipientEntry",
    "RecipientRow",
    "RegisterError",
    "RetentionEntry",
    "Role",
    "Safeguard",
    "check_allowed",
    "check_record_exportable",
    "controller_from",
    "csv_columns",
    "export_filename",
    "log_change",
    "missing_for_record",
    "recipient_history",
    "recipients_overview",
    "record_csv",
    "record_disclosure",
    "record_document_html",
    "record_of_processing",
    "record_pdf",
    "save_recipient",
    "security_measures",
]
