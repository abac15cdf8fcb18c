"""Pages for reports of minors' accounts: the public report form and the privacy officer's queue.

Thin: parse, call a service or selector, render. A refused decision is rendered again on the
report's page with its errors and what was typed (status 400), not redirected.
"""

from __future__ import annotations

from typing import NoReturn

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coursekeeper.privacy.access.roles import REVIEW_MINOR_REPORTS, requires
from coursekeeper.privacy.errors import PrivacyError
from coursekeeper.privacy.minors import selectors, services
from coursekeeper.privacy.minors.forms import (
    ConfirmForm,
    DismissForm,
    LinkAccountForm,
    MinorReportForm,
)


def _language() -> str:
    return (translation.get_language() or "en").split("-")[0]


@require_http_methods(["GET", "POST"])
def report_minor(request: HttpRequest) -> HttpResponse:
    """The public form: anyone may report an account they think belongs to a minor (R1)."""
    if request.method == "POST":
        form = MinorReportForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.report_minor(
                    about=data["about"],
                    reasons=data["reasons"],
                    reply_to=data["reply_to"],
                    language=_language(),
                    submission_key=data["submission_key"] or None,
                )
            except PrivacyError as error:
                form.add_error(None, error.message)
                return render(
                    request, "privacy/minors/report_form.html", {"form": form}, status=error.status
                )
            return render(request, "privacy/minors/report_sent.html")
        status = 400
    else:
        form = MinorReportForm()
        status = 200
    return render(request, "privacy/minors/report_form.html", {"form": form}, status=status)


def _raise_for(error: PrivacyError) -> NoReturn:
    """Turn a refusal that is not about a form's content into its 403 or 404 page."""
    if error.code == "report_not_found":
        raise Http404 from error
    raise PermissionDenied from error


@requires(REVIEW_MINOR_REPORTS)
@require_GET
def report_queue(request: HttpRequest) -> HttpResponse:
    show_all = request.GET.get("show") == "all"
    page = selectors.report_queue_page(show_all=show_all, number=request.GET.get("page"))
    services.record_queue_view(acting_user=request.user, reports=page.object_list)
    return render(
        request,
        "privacy/minors/report_queue.html",
        {"page": page, "show_all": show_all, "query": "show=all" if show_all else ""},
    )


def _report_page(
    request: HttpRequest,
    pk: int,
    *,
    link_form: LinkAccountForm | None = None,
    dismiss_form: DismissForm | None = None,
    confirm_form: ConfirmForm | None = None,
    refusal: str = "",
    status: int = 200,
) -> HttpResponse:
    try:
        report = services.open_report(acting_user=request.user, report_id=pk)
    except PrivacyError as error:
        _raise_for(error)
    context = {
        "report": report,
        "link_form": link_form or LinkAccountForm(),
        "dismiss_form": dismiss_form or DismissForm(),
        "confirm_form": confirm_form or ConfirmForm(),
        "refusal": refusal,
        "refused": status >= 400,
        **selectors.report_facts(report),
    }
    return render(request, "privacy/minors/report_detail.html", context, status=status)


@requires(REVIEW_MINOR_REPORTS)
@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _report_page(request, pk)


def _decided(request: HttpRequest, pk: int, form, form_name: str, decide) -> HttpResponse:
    """Carry out one decision from its valid form, or show the page again with what went wrong:
    the form's own errors beside it, a refusal at the top (the report may be decided by now)."""
    refusal = ""
    if form.is_valid():
        try:
            decide(form.cleaned_data)
        except PrivacyError as error:
            if error.status != 400:
                _raise_for(error)
            refusal = error.message
        else:
            return redirect("privacy:minor_report", pk)
    return _report_page(request, pk, refusal=refusal, status=400, **{form_name: form})


@requires(REVIEW_MINOR_REPORTS)
@require_POST
def link_account(request: HttpRequest, pk: int) -> HttpResponse:
    def decide(data):
        services.link_account(acting_user=request.user, report_id=pk, email=data["email"])
        messages.success(request, _("The report is linked to the account."))

    return _decided(request, pk, LinkAccountForm(request.POST), "link_form", decide)


@requires(REVIEW_MINOR_REPORTS)
@require_POST
def dismiss_report(request: HttpRequest, pk: int) -> HttpResponse:
    def decide(data):
        services.dismiss_report(acting_user=request.user, report_id=pk, reason=data["reason"])
        messages.success(request, _("The report is dismissed; the account stays."))

    return _decided(request, pk, DismissForm(request.POST), "dismiss_form", decide)


@requires(REVIEW_MINOR_REPORTS)
@require_POST
def confirm_report(request: HttpRequest, pk: int) -> HttpResponse:
    def decide(data):
        services.confirm_report(acting_user=request.user, report_id=pk, note=data["note"])
        messages.success(
            request,
            _("The report is confirmed. The account is closed and will be erased in a moment."),
        )

    return _decided(request, pk, ConfirmForm(request.POST), "confirm_form", decide)
