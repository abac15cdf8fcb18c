"""The buyer's pages after the sale: orders, withdrawal, subscriptions, the cancellation page.

Every refusal is a CommerceError shown as the refusal page with its message and status
(`refusals_as_pages`); nothing changes.
The public cancellation page (§ 312k BGB) works without signing in and answers the same for every
address, so it tells nobody whether an address has an account.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from coursekeeper.commerce import cancellation, selectors, services, subscriptions, withdrawal
from coursekeeper.commerce.errors import CommerceError
from coursekeeper.web.refusals import refusals_as_pages


class PublicCancellationForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Your name"), max_length=200)
    email = forms.EmailField(
        label=gettext_lazy("Your email address"),
        help_text=gettext_lazy("The address your subscription is registered with."),
    )
    contract = forms.CharField(
        label=gettext_lazy("Which contract"),
        max_length=200,
        help_text=gettext_lazy("For example the name of the subscription."),
    )
    wanted_on = forms.DateField(
        label=gettext_lazy("Cancel on (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy(
            "Leave empty to cancel at the next possible date: the end of the paid period."
        ),
    )


@login_required
@require_GET
def my_orders(request: HttpRequest) -> HttpResponse:
    """Orders with their status, invoices and the withdrawal button; subscriptions."""
    return render(
        request,
        "commerce/account/orders.html",
        {
            "orders": selectors.orders_of_buyer(request.user),
            "subscriptions": subscriptions.subscriptions_of(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@refusals_as_pages
def withdraw(request: HttpRequest, public_id) -> HttpResponse:
    """GET explains what a withdrawal gives back (or why not); POST withdraws."""
    order = selectors.order_of_buyer(request.user, public_id)
    if request.method == "POST":
        refund = services.withdraw_order(order=order, acting_user=request.user)
        messages.success(
            request,
            _("You have withdrawn from the contract. A confirmation is on its way by email."),
        )
        if refund.status == refund.Status.FAILED:
            messages.error(request, CommerceError("refund_failed").message)
        return redirect("commerce_account:orders")
    assessment = withdrawal.assess_withdrawal(order)
    return render(
        request, "commerce/account/withdraw.html", {"order": order, "assessment": assessment}
    )


@login_required
@require_http_methods(["GET", "POST"])
@refusals_as_pages
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """A confirmation page, then POST cancels at the end of the paid period."""
    subscription = subscriptions.subscription_of(request.user, pk)
    if request.method == "POST":
        subscription = services.cancel_subscription(
            subscription=subscription, acting_user=request.user
        )
        messages.success(
            request,
            _("Your subscription is cancelled. A confirmation is on its way by email."),
        )
        return redirect("commerce_account:orders")
    return render(request, "commerce/account/cancel.html", {"subscription": subscription})


@require_http_methods(["GET", "POST"])
def public_cancel(request: HttpRequest) -> HttpResponse:
    """The cancellation button every visitor reaches (§ 312k BGB).

    The first page is the button "Cancel contracts here"; it leads to the form (name, email,
    which contract, optional date) with the button "cancel now". A signed-in person sees their
    own subscriptions as well. A visitor gets the same answer whatever the address; the
    subscriber gets an email with a link, and only posting from that link cancels.
    """
    own = subscriptions.subscriptions_of(request.user)
    if request.method == "POST":
        form = PublicCancellationForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            services.request_cancellation(
                request=services.CancellationRequest(
                    name=data["name"],
                    email=data["email"],
                    contract=data["contract"],
                    wanted_on=data["wanted_on"],
                ),
                base_url=request.build_absolute_uri("/"),
            )
            return render(request, "commerce/account/public_cancel_sent.html")
        status = 400
    elif request.GET.get("form") != "1":
        return render(request, "commerce/account/public_cancel_start.html", {"own": own})
    else:
        initial = {}
        if request.user.is_authenticated:
            initial = {"name": request.user.full_name, "email": request.user.email}
        form = PublicCancellationForm(initial=initial)
        status = 200
    return render(
        request, "commerce/account/public_cancel.html", {"form": form, "own": own}, status=status
    )


@require_http_methods(["GET", "POST"])
@refusals_as_pages(template="commerce/account/cancel_confirm.html")
def cancel_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the subscription and a button, POST cancels: a link scanner cancels nothing."""
    if request.method == "POST":
        subscription = services.confirm_cancellation(token=token)
        return render(request, "commerce/account/cancel_done.html", {"subscription": subscription})
    subscription = cancellation.subscription_for_token(token)
    return render(request, "commerce/account/cancel_confirm.html", {"subscription": subscription})
