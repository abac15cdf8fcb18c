"""The privacy officer's reading of the staff-access log (R35)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from coursekeeper.privacy.access.forms import AccessLogFilterForm
from coursekeeper.privacy.access.roles import READ_ACCESS_LOG, requires
from coursekeeper.privacy.access.selectors import access_log_page, staff_changes_page


@requires(READ_ACCESS_LOG)
@require_GET
def access_log(request: HttpRequest) -> HttpResponse:
    form = AccessLogFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    page, lines = access_log_page(
        acting_user=request.user,
        person=filters.get("person", ""),
        staff=filters.get("staff", ""),
        since=filters.get("since"),
        until=filters.get("until"),
        page_number=request.GET.get("page"),
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "privacy/access_log.html",
        {"form": form, "page": page, "lines": lines, "query": query.urlencode()},
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@requires(READ_ACCESS_LOG)
@require_GET
def staff_changes(request: HttpRequest) -> HttpResponse:
    """Every change staff made, on the platform's pages or in the administration."""
    form = AccessLogFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    page, lines = staff_changes_page(
        acting_user=request.user,
        staff=filters.get("staff", ""),
        since=filters.get("since"),
        until=filters.get("until"),
        page_number=request.GET.get("page"),
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "privacy/staff_changes.html",
        {"form": form, "page": page, "lines": lines, "query": query.urlencode()},
        status=400 if form.is_bound and not form.is_valid() else 200,
    )
