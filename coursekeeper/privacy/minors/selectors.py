"""Reads of the reports of minors' accounts for the privacy officer's queue and report page.

Views check the capability (`@requires`) before calling these; the services log what is seen.
"""

from __future__ import annotations

from django.core.paginator import Page, Paginator

from coursekeeper.privacy.access.roles import works_with_others_data
from coursekeeper.privacy.erasure_state import erasure_jobs_of
from coursekeeper.privacy.minors.models import MinorReport, ReporterAddress

QUEUE_PAGE_SIZE = 50


def report_queue_page(*, show_all: bool, number: int | str | None) -> Page:
    """Return one page of reports: those waiting, oldest first; or every report, newest first."""
    reports = MinorReport.objects.only(
        "pk", "about", "account_id", "created_at", "status", "decided_at", "erased_at"
    )
    if show_all:
        reports = reports.order_by("-created_at", "-pk")
    else:
        reports = reports.filter(status=MinorReport.Status.RECEIVED).order_by("created_at", "pk")
    return Paginator(reports, QUEUE_PAGE_SIZE).get_page(number)


def is_staff_account(account) -> bool:
    """Return whether `account` works with others' data: such an account is not erased on a
    report (someone would be taking away a colleague's account by a form anyone can fill)."""
    return account.is_superuser or account.is_staff or works_with_others_data(account.role)


def report_facts(report: MinorReport) -> dict:
    """Return what the report page says beside the report itself."""
    account = report.account
    others = MinorReport.objects.exclude(pk=report.pk)
    return {
        "reporter_address": ReporterAddress.objects.filter(report=report).first(),
        "account_is_staff": account is not None and is_staff_account(account),
        "erasure_pending": account is not None and erasure_jobs_of(account.pk).exists(),
        "other_reports": (
            others.filter(account=account).count()
            if account is not None
            else others.filter(about=report.about).count()
        ),
    }
