"""Where the privacy app's purposes are carried out, and what every erasure does beyond the rows.

The app's email and processing paths (`privacy.paths`): answering requests, telling recipients,
looking into reports about minors, erasing after the customer relationship, logging staff views;
and its erasure participants (`privacy.participants`): the cache, the recipients.
"""

from collections.abc import Iterable

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from coursekeeper.privacy.cache import cache_keys_about, forget_keys_read
from coursekeeper.privacy.gate import DespiteRestriction
from coursekeeper.privacy.models import Disclosure
from coursekeeper.privacy.participants import erasure_participant
from coursekeeper.privacy.paths import email_path, processing_path
from coursekeeper.privacy.purposes import ACCOUNT, PLATFORM_OPERATION, PRIVACY_RIGHTS, Purpose
from coursekeeper.privacy.recipient_notices.services import tell_of_erasure
from coursekeeper.privacy.recipients import recipients_for

# --- Where the privacy app's purposes are carried out -------------------------------------------


def _email_paths(
    purpose: Purpose, table: Iterable[tuple[str, Promise, str, DespiteRestriction | None]]
) -> None:
    """Register an email path of `purpose` per row: template, title, where, exception.

    The exception (GDPR Art. 18(2)) is None where the purpose alone decides whether the email
    goes on under a restriction (`ProcessingPath.goes_on_under_restriction`).
    """
    for template, title, where, exception in table:
        email_path(purpose, template=template, title=title, where=where, exception=exception)


# Answering requests and announcing policy changes are what Art. 12 to 14 and 19 oblige us to do:
# the purpose rests on that obligation, so these go on while processing is restricted.
_ANSWERING = _("emailing you about the requests you make")
_email_paths(
    PRIVACY_RIGHTS,
    [
        # (template, title, where, exception)
        ("privacy/request_confirm", _ANSWERING, "coursekeeper.privacy.rights._send", None),
        ("privacy/request_receipt", _ANSWERING, "coursekeeper.privacy.rights._send", None),
        ("privacy/request_extended", _ANSWERING, "coursekeeper.privacy.rights._send", None),
        ("privacy/request_fee", _ANSWERING, "coursekeeper.privacy.rights._send", None),
        ("privacy/request_refused", _ANSWERING, "coursekeeper.privacy.rights._send", None),
        ("privacy/request_answered", _ANSWERING, "coursekeeper.privacy.rights._send", None),
        # Telling the recipients of a correction, erasure or restriction is itself Art. 19's
        # duty, so it goes on under a restriction and after an erasure; the overdue alert goes
        # to our own staff.
        (
            "privacy/recipient_notice",
            _("telling those who received your data of a correction, erasure or restriction"),
            "coursekeeper.privacy.recipient_notices.services.tell_recipients",
            DespiteRestriction.LEGAL_OBLIGATION,
        ),
        (
            "privacy/recipients_overdue",
            _("warning our privacy staff of a recipient not yet told of a change"),
            "coursekeeper.privacy.recipient_notices.services.alert_staff_of_overdue_notices",
            None,
        ),
        (
            "privacy/deadline_alert",
            _("warning our privacy staff of a request close to its deadline"),
            "coursekeeper.privacy.rights.alert_staff_of_deadlines",
            None,
        ),
        (
            "privacy/policy_notice",
            _("announcing a material change of this policy"),
            "coursekeeper.privacy.publishing.dispatch_policy_notices",
            None,
        ),
        # What a report that an account belongs to a minor leads to (`MINOR_REPORTS` below).
        (
            "privacy/minor_account_erased",
            _("telling you that your account was erased because it belongs to someone under 18"),
            "coursekeeper.privacy.minors.services.tell_account_holder",
            None,
        ),
        (
            "privacy/minor_report_outcome",
            _("telling you that a report you sent about an account is closed"),
            "coursekeeper.privacy.minors.services.tell_reporter",
            None,
        ),
    ],
)

# Reports that an account belongs to a minor. Erasing a child's data that an online service
# collected is the controller's duty (GDPR Art. 17(1)(d), (f) with Art. 8), and a report is how
# we learn of it, so looking into one goes on under a restriction too.
MINOR_REPORTS = processing_path(
    PRIVACY_RIGHTS,
    name="privacy.minor_reports",
    title=_("looking into reports that an account belongs to someone under 18, and erasing it"),
    where=(
        "coursekeeper.privacy.minors.services.report_minor",
        "coursekeeper.privacy.minors.services.confirm_report",
    ),
    rehearsal="coursekeeper.privacy.factories.rehearse_minor_report",
)

# The warning and the erasure run on the account's contract and stop while processing is
# restricted: a restriction asks us to store the data and do nothing else with it, and it is how
# a person keeps data we would otherwise erase (GDPR Art. 18(1)(b), (c)).
email_path(
    ACCOUNT,
    template="privacy/relationship_warning",
    title=_("warning you before we erase an account you no longer use"),
    where="coursekeeper.privacy.relationship.services.warn_ended_relationships",
)
ERASE_AFTER_RELATIONSHIP = processing_path(
    ACCOUNT,
    name="privacy.erase_after_relationship",
    title=_("erasing your account once the customer relationship has long ended"),
    where="coursekeeper.privacy.relationship.services.erase_ended_relationships",
    rehearsal="coursekeeper.privacy.factories.rehearse_erase_after_relationship",
)
STAFF_ACCESS_LOG = processing_path(
    PLATFORM_OPERATION,
    name="privacy.staff_access_log",
    title=_("logging every time our staff look at your data"),
    where="coursekeeper.privacy.access.services.record_access",
    rehearsal="coursekeeper.privacy.factories.rehearse_staff_access_log",
    # The log is how we show that your data was handled lawfully (Art. 5(2)) and that only
    # authorised staff saw it (Art. 32(4)): a look at restricted data must be logged too.
    exception=DespiteRestriction.LEGAL_OBLIGATION,
)

# --- What every erasure does beyond the declared rows (participants.py) -------------------------
# Both run right after the walk, in the erasure's transaction, from what they read before it.

erasure_participant(
    "privacy.forget_in_cache",
    after=forget_keys_read,
    reads=cache_keys_about,
    does=_(
        "what the platform's cache holds about you, such as limits on sign-in attempts, is deleted"
    ),
)
erasure_participant(
    "privacy.tell_recipients",
    after=tell_of_erasure,
    reads=recipients_for,
    models=[Disclosure],
    does=_(
        "everyone who received your data from us is told of the erasure and asked to erase it too"
    ),
)
