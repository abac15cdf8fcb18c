"""The built-in test provider's hosted payment page: `/pay/test/<session_id>/`.

It plays the part of Stripe's checkout page for the demo and the tests, and is labelled as a test
page that moves no money. There is deliberately no card-number field: the tester picks what the
card does (accepted, declined, or accepted but expiring this month, to demonstrate the
card-expiry reminder) and the card's country, which starts at the billing country of the order
(read from the provider's own checkout record, never from the address bar).

A declined card is shown on the page and the checkout stays open, as on Stripe's page: the
buyer can try another card or cancel. The fields are named `simulate` and `issuer_country`, so
no field of this page even looks like it could take card data. Thin: parse, call
`services.pay_sandbox_checkout`, render; a checkout paid or expired meanwhile is refused with the
shared refusal page (409).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, cast

from django import forms
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from coursekeeper.accounts.choices import COUNTRY_CHOICES
from coursekeeper.commerce import services
from coursekeeper.commerce.errors import MESSAGES
from coursekeeper.commerce.models import SandboxCheckout
from coursekeeper.commerce.providers import sandbox
from coursekeeper.commerce.providers.base import test_payments_enabled
from coursekeeper.web.refusals import refusals_as_pages

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class SandboxPaymentForm(forms.Form):
    simulate = forms.ChoiceField(
        label=_("Test card"),
        choices=[
            (sandbox.CARD_ACCEPTED, _("A card that is accepted")),
            (sandbox.CARD_DECLINED, _("A card that is declined")),
            (
                sandbox.CARD_EXPIRING,
                _("A card that is accepted but expires before the next charge (this month)"),
            ),
        ],
        widget=forms.RadioSelect,
        initial=sandbox.CARD_ACCEPTED,
    )
    issuer_country = forms.ChoiceField(label=_("Country the card was issued in"), choices=())

    def __init__(self, *args, default_country: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, StrOrPromise]] = list(COUNTRY_CHOICES)
        if default_country and default_country not in dict(choices):
            choices.append((default_country, default_country))
        cast(forms.ChoiceField, self.fields["issuer_country"]).choices = choices
        self.fields["issuer_country"].initial = default_country or "DK"


def _page(
    request: HttpRequest,
    checkout: SandboxCheckout,
    form: SandboxPaymentForm | None,
    *,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    payable = sandbox.checkout_is_payable(checkout)
    context = {
        "checkout": checkout,
        "amount": Decimal(checkout.amount_minor) / 100,
        "payable": payable,
        "paid": checkout.status == SandboxCheckout.Status.PAID,
        "form": form if payable else None,
        "error": error,
    }
    return render(request, "commerce/sandbox/pay.html", context, status=status)


@require_http_methods(["GET", "POST"])
@refusals_as_pages
def pay(request: HttpRequest, session_id: str) -> HttpResponse:
    if not test_payments_enabled():
        raise Http404
    checkout = sandbox.get_open_checkout(session_id=session_id)
    if checkout is None:
        raise Http404
    if request.method == "GET":
        form = SandboxPaymentForm(default_country=checkout.card_country)
        return _page(request, checkout, form)
    form = SandboxPaymentForm(request.POST, default_country=checkout.card_country)
    if request.POST.get("outcome") != "pay" or not form.is_valid():
        return _page(request, checkout, form, status=400)
    result = services.pay_sandbox_checkout(
        session_id=session_id,
        card=form.cleaned_data["simulate"],
        card_country=form.cleaned_data["issuer_country"],
    )
    if not result.paid:
        return _page(request, checkout, form, error=str(MESSAGES["sandbox_declined"]), status=402)
    return HttpResponseRedirect(result.redirect_url, status=303)
