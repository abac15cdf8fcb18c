"""Invoice pages: the buyer's own PDF, and the staff list and download. Thin: check, read, render.

A buyer gets the same 404 for someone else's invoice as for a number that does not exist, so
the page tells nobody which numbers are taken. Every staff look at an invoice is logged (R35).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from coursekeeper.commerce import einvoice, invoices
from coursekeeper.commerce.models import Invoice
from coursekeeper.privacy.access.roles import SEE_INVOICES, requires
from coursekeeper.web.refusals import refusals_as_pages


def _document(invoice: Invoice) -> HttpResponse:
    invoice_format, content = einvoice.produce(invoice, "pdf")
    response = HttpResponse(content, content_type=invoice_format.media_type)
    response["Content-Disposition"] = f'attachment; filename="{invoices.download_name(invoice)}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def my_invoice(request: HttpRequest, number: str) -> HttpResponse:
    """The signed-in buyer's invoice or credit note as PDF (R14)."""
    invoice = invoices.invoice_of_buyer(user=request.user, number=number)
    if invoice is None:
        raise Http404
    return _document(invoice)


@requires(SEE_INVOICES)
@require_GET
def staff_invoices(request: HttpRequest) -> HttpResponse:
    """Every invoice and credit note, newest first, searchable by number."""
    query = request.GET.get("number", "")[:32]
    page = invoices.staff_invoice_page(
        acting_user=request.user, query=query, page_number=request.GET.get("page")
    )
    return render(request, "commerce/invoice/staff_list.html", {"page": page, "query": query})


@requires(SEE_INVOICES)
@require_GET
@refusals_as_pages
def staff_invoice(request: HttpRequest, number: str) -> HttpResponse:
    """One invoice as PDF, for staff."""
    invoice = invoices.open_invoice_for_staff(acting_user=request.user, number=number)
    return _document(invoice)
