"""Reports that an account belongs to a minor (R1): received, reviewed, and erased if confirmed.

The flow. Anyone may report an account, signed in or not (`report_minor`): what names it (its
email address, the name it shows, a link), why they think the person is under 18 and, if they
want to hear back, a reply address. A report that gives an account's address is linked to that
account at once; otherwise the privacy officer links it by the account's address
(`link_account`). The privacy officer then dismisses the report with a reason
(`dismiss_report`), or confirms it (`confirm_report`): the account is erased through the same
path an account holder's own erasure takes -- `jobs.request_erasure` disables it and ends its
sessions at once, and the erasure job erases it with `ledger.erase_and_record`, which keeps the
held records (invoices) and records the account in the erasure ledger. Confirming one report
decides every open report about the same account. A staff account is never erased this way.

Who is told what. The account holder is told by the erasure job, in its own transaction, right
after the walk (`after_erasure`, from what `reports_before_erasure` read before it): a message
queued any earlier would be one of the person's rows the walk deletes. The message forgets its
address and text once sent, and names no reporter. A reporter who left an address gets one
short message when the report is decided, in the same words whatever the decision
(`tell_reporter`): reporting an address must not teach anyone whether it has an account here,
or what became of it. Their address is deleted in the same transaction. A report still waiting
when its account is erased for another reason (its holder asked) is emptied by the walk, so the
job closes it and tells its reporter the same; no report waits forever.

Limits. One reply address may send MAX_REPORTS_PER_ADDRESS reports an hour, and one account
(or one text naming it) may be reported MAX_REPORTS_ABOUT_ONE_ACCOUNT times an hour; beyond that
a report is refused (429) and nothing is stored, as on the contact form.

What is atomic. Each function is one transaction: the report, its decision, the erasure job,
the emails (through the outbox) and the audit row (`record_staff_change`) commit together or not
at all, and a refusal changes nothing. A double-clicked form carries one `submission_key`: the
second submit returns the first report.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.admin.models import CHANGE
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from coursekeeper.accounts.models import User, normalize_email
from coursekeeper.messaging.services import queue_email
from coursekeeper.privacy.access.roles import REVIEW_MINOR_REPORTS, can
from coursekeeper.privacy.access.services import record_access, record_staff_change
from coursekeeper.privacy.errors import PrivacyError
from coursekeeper.privacy.minors.models import MinorReport, ReporterAddress
from coursekeeper.privacy.minors.selectors import is_staff_account
from coursekeeper.privacy.models import ProviderSettings
from coursekeeper.privacy.people import Person
from coursekeeper.security.services import pseudonym

logger = logging.getLogger(__name__)

Status = MinorReport.Status

RATE_WINDOW = dt.timedelta(hours=1)
# Reports one reply address may send an hour; more are refused until the hour has passed.
MAX_REPORTS_PER_ADDRESS = 5
# Reports about one account (or one text naming it) an hour: enough for a parent, a teacher and
# a friend to tell us; more only floods the queue about one person.
MAX_REPORTS_ABOUT_ONE_ACCOUNT = 3


def _check_staff(acting_user) -> None:
    if not can(acting_user, REVIEW_MINOR_REPORTS):
        raise PrivacyError("not_allowed")


def _ask_gate(account: User | None) -> None:
    """Refuse unless the gate lets reports be handled for the account's holder now."""
    from coursekeeper.privacy.privacy import MINOR_REPORTS

    person = Person.for_user(account) if account is not None else Person()
    if not MINOR_REPORTS.ask(person):
        raise PrivacyError("report_refused")


def account_named_by(about: str) -> User | None:
    """Return the account whose address `about` is, or None for a name, a link or a stranger.

    Only an address names an account for certain; a name or a link is linked by the privacy
    officer, who can look at what it points to.
    """
    address = normalize_email(about)
    try:
        validate_email(address)
    except ValidationError:
        return None
    return User.objects.filter(email=address).first()


@transaction.atomic
def report_minor(
    *,
    about: str,
    reasons: str,
    reply_to: str = "",
    language: str = "en",
    submission_key: str | None = None,
) -> MinorReport:
    """Store a report that the account `about` names belongs to a minor (R1)."""
    if submission_key:
        existing = MinorReport.objects.filter(submission_key=submission_key).first()
        if existing is not None:
            return existing
    about, reasons, reply_to = about.strip(), reasons.strip(), normalize_email(reply_to)
    if not about:
        raise PrivacyError("report_about_needed")
    if not reasons:
        raise PrivacyError("report_reasons_needed")
    account = account_named_by(about)
    since = timezone.now() - RATE_WINDOW
    if reply_to:
        sent = ReporterAddress.objects.filter(email=reply_to, created_at__gte=since).count()
        if sent >= MAX_REPORTS_PER_ADDRESS:
            raise PrivacyError("too_many_reports")
    same_account = Q(account=account) if account is not None else Q(about=about)
    if (
        MinorReport.objects.filter(same_account, created_at__gte=since).count()
        >= MAX_REPORTS_ABOUT_ONE_ACCOUNT
    ):
        raise PrivacyError("account_already_reported")
    _ask_gate(account)
    report = MinorReport(
        about=about, reasons=reasons, account=account, submission_key=submission_key or None
    )
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        # The same submission raced us here; its first save won.
        existing = MinorReport.objects.filter(submission_key=submission_key).first()
        if submission_key and existing is not None:
            return existing
        raise
    if reply_to:
        ReporterAddress.objects.create(report=report, email=reply_to, language=language)
    logger.info("minor report received report=%s linked=%s", report.pk, account is not None)
    return report


def _open_report(report_id: int) -> MinorReport:
    """Return the report, locked, if it waits for a decision; refuse otherwise."""
    report = MinorReport.objects.select_for_update().filter(pk=report_id).first()
    if report is None:
        raise PrivacyError("report_not_found")
    if not report.is_open:
        raise PrivacyError("report_decided")
    return report


@transaction.atomic
def link_account(*, acting_user, report_id: int, email: str) -> MinorReport:
    """Say which account a report is about, by the account's address."""
    _check_staff(acting_user)
    report = _open_report(report_id)
    account = User.objects.filter(email=normalize_email(email)).first()
    if account is None:
        raise PrivacyError("no_such_account")
    report.account = account
    report.save(update_fields=["account"])
    record_staff_change(
        acting_user=acting_user,
        obj=report,
        action=CHANGE,
        message=[{"changed": {"fields": ["account"]}}],
    )
    return report


def _decide(report: MinorReport, *, status: str, acting_user, note: str, now) -> None:
    report.status = status
    report.decided_at = now
    report.decided_by = acting_user
    report.decision_note = note
    report.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])
    tell_reporter(report)
    record_staff_change(
        acting_user=acting_user,
        obj=report,
        action=CHANGE,
        message=[{"changed": {"fields": ["status", "decision_note"]}}],
    )


@transaction.atomic
def dismiss_report(*, acting_user, report_id: int, reason: str) -> MinorReport:
    """Dismiss a report with the reason; the account stays, the reporter hears it is closed."""
    _check_staff(acting_user)
    report = _open_report(report_id)
    if not reason.strip():
        raise PrivacyError("dismissal_reason_needed")
    _decide(
        report,
        status=Status.DISMISSED,
        acting_user=acting_user,
        note=reason.strip(),
        now=timezone.now(),
    )
    logger.info("minor report dismissed report=%s by=%s", report.pk, pseudonym(acting_user.pk))
    return report


@transaction.atomic
def confirm_report(*, acting_user, report_id: int, note: str = "") -> MinorReport:
    """Confirm that the reported account belongs to a minor, and erase it (R1, R29).

    Every open report about the account is decided with this one. The account is disabled and
    its sessions end in this transaction; the erasure job erases it and tells its holder.
    """
    from coursekeeper.privacy import jobs

    _check_staff(acting_user)
    report = _open_report(report_id)
    account = User.objects.filter(pk=report.account_id).first() if report.account_id else None
    if account is None:
        raise PrivacyError("no_account_linked")
    if is_staff_account(account):
        raise PrivacyError("staff_account")
    _ask_gate(account)
    now = timezone.now()
    about_the_account = MinorReport.objects.select_for_update().filter(
        account=account, status=Status.RECEIVED
    )
    decided = list(about_the_account.order_by("pk"))
    for each in decided:
        _decide(each, status=Status.CONFIRMED, acting_user=acting_user, note=note.strip(), now=now)
    jobs.request_erasure(user=account)
    logger.info(
        "minor report confirmed report=%s reports=%s person=%s by=%s",
        report.pk,
        len(decided),
        pseudonym(account.pk),
        pseudonym(acting_user.pk),
    )
    report.refresh_from_db()
    return report


# --- Reading ------------------------------------------------------------------------------------


@transaction.atomic
def open_report(*, acting_user, report_id: int) -> MinorReport:
    """Return a report for the privacy officer to read, and log whose data they see on it.

    The page shows what the report says and the linked account's name and address (the account
    holder's data), and the reporter's reply address (the reporter's).
    """
    _check_staff(acting_user)
    report = (
        MinorReport.objects.select_related("account", "decided_by").filter(pk=report_id).first()
    )
    if report is None:
        raise PrivacyError("report_not_found")
    record_access(
        acting_user=acting_user,
        rows=[report],
        categories=["identity", "contact", "communication"],
        place="privacy:minor_report",
    )
    record_access(
        acting_user=acting_user,
        rows=ReporterAddress.objects.filter(report=report),
        place="privacy:minor_report",
    )
    return report


@transaction.atomic
def record_queue_view(*, acting_user, reports: Iterable[MinorReport]) -> int:
    """Log that the privacy officer saw these reports' account names in the queue."""
    _check_staff(acting_user)
    return record_access(
        acting_user=acting_user,
        rows=reports,
        categories=["identity"],
        place="privacy:minor_reports",
    )


# --- Telling the reporter ------------------------------------------------------------------------


def _context(**extra) -> dict:
    return {"provider": ProviderSettings.load(), "school": settings.SCHOOL_NAME, **extra}


def tell_reporter(report: MinorReport) -> None:
    """Tell the reporter, if they left an address, that their report is closed; then forget it.

    The words are the same whatever was decided (see the module docstring).
    """
    address = ReporterAddress.objects.filter(report=report).first()
    if address is None:
        return
    context = _context(report=report)
    with translation.override(address.language):
        subject = render_to_string("privacy/email/minor_report_outcome_subject.txt", context)
        body = render_to_string("privacy/email/minor_report_outcome_message.txt", context)
    queue_email(
        to=address.email,
        subject=subject.strip(),
        body_text=body,
        language=address.language,
        template="privacy/minor_report_outcome",
        forget_after_sending=True,
    )
    address.delete()


# --- Around an erasure ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportsOfAnErasedAccount:
    """What an erasure must do about the reports naming the account, read before the walk.

    `confirmed` are the reports that led to the erasure: the holder is told (at `to`, read now,
    before the walk deletes it). `waiting` are reports still undecided, about an account erased
    for another reason (its holder asked): the walk empties them, so they are closed, and their
    reporters are told as for any decision.
    """

    to: str
    language: str
    kept: list
    confirmed: tuple[int, ...]
    waiting: tuple[int, ...]


def reports_before_erasure(person: Person) -> ReportsOfAnErasedAccount | None:
    """Return what the erasure of `person`'s account must do about reports, or None if no
    report names it."""
    from coursekeeper.privacy.selectors import what_erasure_keeps

    if person.user_id is None:
        return None
    rows = MinorReport.objects.filter(account_id=person.user_id, erased_at__isnull=True)
    by_status: dict[str, list[int]] = {Status.CONFIRMED: [], Status.RECEIVED: []}
    for pk, status in rows.order_by("pk").values_list("pk", "status"):
        by_status.get(status, []).append(pk)
    if not (by_status[Status.CONFIRMED] or by_status[Status.RECEIVED]):
        return None
    language = person.user.language or "en"
    with translation.override(language):
        kept = what_erasure_keeps(person) if by_status[Status.CONFIRMED] else []
    return ReportsOfAnErasedAccount(
        to=person.user.email,
        language=language,
        kept=kept,
        confirmed=tuple(by_status[Status.CONFIRMED]),
        waiting=tuple(by_status[Status.RECEIVED]),
    )


def after_erasure(reports: ReportsOfAnErasedAccount) -> None:
    """Tell the holder of an account erased on a report, close the reports still waiting, and
    mark every report's account as erased.

    Called in the erasure job's transaction, after the walk. The messages forget their
    address and text once sent, as the answer to an erasure request does.
    """
    now = timezone.now()
    if reports.confirmed:
        tell_account_holder(reports)
    for report in MinorReport.objects.select_for_update().filter(pk__in=reports.waiting):
        report.status = Status.CLOSED
        report.decided_at = now
        report.save(update_fields=["status", "decided_at"])
        tell_reporter(report)
    MinorReport.objects.filter(pk__in=reports.confirmed + reports.waiting).update(erased_at=now)


def tell_account_holder(reports: ReportsOfAnErasedAccount) -> None:
    """Tell the holder that their account is erased because it belongs to a minor."""
    context = _context(kept=reports.kept)
    with translation.override(reports.language):
        subject = render_to_string("privacy/email/minor_account_erased_subject.txt", context)
        body = render_to_string("privacy/email/minor_account_erased_message.txt", context)
    queue_email(
        to=reports.to,
        subject=subject.strip(),
        body_text=body,
        language=reports.language,
        template="privacy/minor_account_erased",
        forget_after_sending=True,
    )
