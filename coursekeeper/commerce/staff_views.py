"""Staff pages for orders: the list, an order's page, and a refund with a confirmation step;
and the shop's VAT page: the One-Stop-Shop threshold's figures and the owner's option.

Staff who may sell only (`privacy.access.roles.SELL`); each look at an order is logged
(`selectors.staff_order_page`). The refund form carries a key made when the page is shown, so a
double click on the final button refunds once.
"""

from __future__ import annotations

import uuid
from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from coursekeeper.commerce import oss, selectors, services, withdrawal
from coursekeeper.commerce.errors import CommerceError
from coursekeeper.commerce.models import Order
from coursekeeper.privacy.access.roles import CONFIGURE_SHOP, SELL, can, requires
from coursekeeper.web.refusals import refusals_as_pages, show_on_form

# Refusals about the amount typed, shown beside it.
AMOUNT_REFUSALS = {"refund_amount_invalid", "refund_too_much"}


class RefundForm(forms.Form):
    amount = forms.DecimalField(
        label=gettext_lazy("Amount to refund, VAT included"),
        min_value=Decimal("0.01"),
        max_digits=12,
        decimal_places=2,
    )
    note = forms.CharField(
        label=gettext_lazy("Note (why)"), max_length=300, required=False, widget=forms.Textarea
    )
    request_key = forms.UUIDField(widget=forms.HiddenInput)

    @property
    def amount_minor(self) -> int:
        value = self.cleaned_data["amount"] * 100
        return int(value.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


@requires(SELL)
@require_GET
def order_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:254]
    status = request.GET.get("status", "")
    page = selectors.staff_order_page(
        acting_user=request.user, query=query, status=status, page_number=request.GET.get("page")
    )
    return render(
        request,
        "commerce/staff/orders.html",
        {"page": page, "query": query, "status": status, "statuses": Order.Status.choices},
    )


def _detail(request: HttpRequest, public_id, *, form=None, status: int = 200) -> HttpResponse:
    order = selectors.open_order_for_staff(acting_user=request.user, public_id=public_id)
    left = withdrawal.refundable_minor(order)
    if form is None:
        form = RefundForm(
            initial={"amount": Decimal(left) / 100, "request_key": uuid.uuid4(), "note": ""}
        )
    return render(
        request,
        "commerce/staff/order_detail.html",
        {"order": order, "left": left, "form": form},
        status=status,
    )


@requires(SELL)
@require_GET
@refusals_as_pages
def order_detail(request: HttpRequest, public_id) -> HttpResponse:
    return _detail(request, public_id)


@requires(SELL)
@require_POST
@refusals_as_pages
def refund(request: HttpRequest, public_id) -> HttpResponse:
    """The first POST shows the confirmation page; the POST with `confirm` refunds. A refused
    refund shows the order's page again, the form as typed and the reason beside the amount."""
    form = RefundForm(request.POST)
    if not form.is_valid():
        return _detail(request, public_id, form=form, status=400)
    order = selectors.open_order_for_staff(acting_user=request.user, public_id=public_id)
    if request.POST.get("confirm") != "1":
        return render(
            request,
            "commerce/staff/refund_confirm.html",
            {"order": order, "form": form, "amount_minor": form.amount_minor},
        )
    try:
        services.refund_order(
            order=order,
            amount_minor=form.amount_minor,
            reason="staff",
            acting_user=request.user,
            note=form.cleaned_data["note"],
            request_key=form.cleaned_data["request_key"],
        )
    except CommerceError as refusal:
        field = "amount" if refusal.code in AMOUNT_REFUSALS else None
        status = show_on_form(form, refusal, field=field)
        return _detail(request, public_id, form=form, status=status)
    messages.success(request, _("The refund is done and the buyer is told by email."))
    return redirect("commerce_staff:order", public_id=order.public_id)


class DestinationVatForm(forms.Form):
    chosen = forms.BooleanField(
        label=gettext_lazy(
            "Charge consumers in other EU countries their own country's VAT from the first euro"
        ),
        required=False,
    )


def _vat_page(request: HttpRequest, form=None, *, status: int = 200) -> HttpResponse:
    figures = oss.threshold_figures()
    initial = {"chosen": bool(figures.destination_chosen_at)}
    return render(
        request,
        "commerce/staff/vat_threshold.html",
        {
            "figures": figures,
            "cents": figures.cents(),
            "dkk_rate": oss.euro_rate("DKK"),
            "form": form or DestinationVatForm(initial=initial),
            "may_choose": can(request.user, CONFIGURE_SHOP),
        },
        status=status,
    )


@requires(SELL)
@require_GET
def vat_threshold(request: HttpRequest) -> HttpResponse:
    """The threshold's figures for shop staff, and the owner's option (`vat_choice`)."""
    return _vat_page(request)


@requires(CONFIGURE_SHOP)
@require_POST
@refusals_as_pages
def vat_choice(request: HttpRequest) -> HttpResponse:
    """The owner opts for destination VAT, or ends the option once it no longer binds."""
    form = DestinationVatForm(request.POST)
    if not form.is_valid():
        return _vat_page(request, form, status=400)
    try:
        services.choose_destination_vat(
            acting_user=request.user, chosen=form.cleaned_data["chosen"]
        )
    except CommerceError as refusal:
        return _vat_page(request, form, status=show_on_form(form, refusal, field="chosen"))
    messages.success(request, _("The shop's VAT choice is saved."))
    return redirect("commerce_staff:vat")
