"""Checkout pages: the form, the return from the provider, the cancelled page, the seats.

Thin: parse, call a service or selector, render. A refusal is a CommerceError shown as a
translated message with its status (`refusals_as_pages`, or beside the checkout form's field it is
about); nothing changed.

The browser that starts a checkout holds a random token in its session; the order keeps only
its digest. The return page signs in only the browser whose token matches (see
`checkout.complete_return`).
"""

from __future__ import annotations

import secrets
from typing import cast

from allauth.account.adapter import get_adapter
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from coursekeeper.commerce import checkout, pricing, seats, selectors, services
from coursekeeper.commerce.errors import CommerceError
from coursekeeper.commerce.forms import CheckoutForm, SeatInvitationForm
from coursekeeper.commerce.models import Order, Product
from coursekeeper.web.refusals import refusals_as_pages, show_on_form

BROWSER_TOKEN_KEY = "commerce_checkout_browser_token"  # noqa: S105 -- a session key's name

# Which field a refusal belongs to on the checkout form (others are shown above the form).
_FIELD_OF = {
    "coupon_invalid": "coupon_code",
    "coupon_expired": "coupon_code",
    "coupon_not_yet_valid": "coupon_code",
    "coupon_used_up": "coupon_code",
    "coupon_not_for_product": "coupon_code",
    "coupon_wrong_currency": "coupon_code",
    "seats_invalid": "seats",
}


def _language() -> str:
    return (translation.get_language() or "en").split("-")[0]


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _browser_token(request: HttpRequest) -> str:
    token = request.session.get(BROWSER_TOKEN_KEY)
    if not token:
        token = secrets.token_urlsafe(32)
        request.session[BROWSER_TOKEN_KEY] = token
    return token


def _initial(request: HttpRequest, product: Product) -> dict:
    language = _language()
    currencies = [price.currency for price in selectors.active_prices(product)]
    preferred = "DKK" if language == "da" else "EUR"
    initial = {
        "currency": preferred if preferred in currencies else (currencies or [""])[0],
        "country": {"da": "DK", "de": "DE"}.get(language, ""),
        "seats": 1,
        "time_zone": {"de": "Europe/Berlin"}.get(language, "Europe/Copenhagen"),
    }
    user = request.user
    if user.is_authenticated:
        initial.update(
            {
                "full_name": user.full_name,
                "email": user.email,
                "street_address": user.street_address,
                "postal_code": user.postal_code,
                "city": user.city,
                "country": user.country or initial["country"],
                "phone": user.phone,
                "company_name": user.company,
            }
        )
    return initial


def _quote_for(form: CheckoutForm, product: Product):
    """Return (quote, coupon error message) for what the form says now."""
    inputs = form.quote_inputs()
    if not inputs["buyer_country"]:
        inputs["buyer_country"] = pricing.seller_country()
    offered = cast(forms.ChoiceField, form.fields["currency"]).choices
    currencies = dict(cast("list[tuple[str, str]]", offered))  # CheckoutForm sets a list of pairs
    if inputs["currency"] not in currencies:
        inputs["currency"] = next(iter(currencies), "")
    try:
        return pricing.quote(product=product, **inputs), ""
    except CommerceError as error:
        if not inputs["coupon_code"]:
            raise
        inputs["coupon_code"] = ""
        return pricing.quote(product=product, **inputs), error.message


def _render(
    request: HttpRequest, form: CheckoutForm, product: Product, *, status: int = 200, notice=""
) -> HttpResponse:
    offer, coupon_error = _quote_for(form, product)
    return render(
        request,
        "commerce/checkout/checkout.html",
        {
            "form": form,
            "product": product,
            "quote": offer,
            "coupon_error": coupon_error,
            "country_chosen": bool(form.quote_inputs()["buyer_country"]),
            "notice": notice,
            "is_digital_content": product.kind in checkout.DIGITAL_CONTENT_KINDS,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@refusals_as_pages
def checkout_page(request: HttpRequest, slug: str) -> HttpResponse:
    """The checkout form (R11, R12, R15): price with VAT, billing details, sign-up, consent."""
    product = selectors.product_by_slug(slug)
    if not selectors.active_prices(product):
        raise CommerceError("price_not_found")
    guest = not request.user.is_authenticated
    if request.method != "POST":
        form = CheckoutForm(initial=_initial(request, product), product=product, guest=guest)
        return _render(request, form, product)

    if request.POST.get("action") == "quote":
        # "Update the price" / "Apply": show the new price, keep what was typed, judge nothing.
        initial = {key: request.POST.get(key) for key in request.POST if key != "password"}
        form = CheckoutForm(initial=initial, product=product, guest=guest)
        return _render(request, form, product)

    form = CheckoutForm(request.POST, product=product, guest=guest)
    if not form.is_valid():
        return _render(request, form, product, status=400)
    data = form.cleaned_data
    try:
        _order, url = services.start_checkout(
            product=product,
            currency=data["currency"],
            billing=services.BillingDetails(
                full_name=data["full_name"],
                email=data["email"],
                street_address=data["street_address"],
                postal_code=data["postal_code"],
                city=data["city"],
                country=data["country"],
                phone=data["phone"],
                company_name=data["company_name"],
                vat_number=data["vat_number"],
            ),
            buyer=request.user if request.user.is_authenticated else None,
            guest=services.GuestSignup(
                password=data["password"],
                adult_confirmed=data["adult_confirmed"],
                time_zone=data.get("time_zone") or "Europe/Copenhagen",
            )
            if guest
            else None,
            coupon_code=data["coupon_code"],
            seats=data.get("seats") or 1,
            for_others=bool(data.get("for_others")),
            immediate_start=form.immediate_start,
            expected_total_minor=data["shown_total"],
            base_url=_base_url(request),
            browser_token=_browser_token(request),
            language=_language(),
            submission_key=data["submission_key"] or None,
        )
    except CommerceError as refusal:
        status = show_on_form(form, refusal, field=_FIELD_OF.get(refusal.code))
        return _render(request, form, product, status=status)
    return redirect(url)


@require_GET
@refusals_as_pages
def checkout_return(request: HttpRequest, public_id) -> HttpResponse:
    """Where the provider sends the buyer back: paid (signed in here), pending or failed."""
    outcome = services.complete_return(
        order_public_id=public_id,
        session_id=request.GET.get("session_id", "")[:255],
        browser_token=request.session.get(BROWSER_TOKEN_KEY, ""),
    )
    if outcome.sign_in is not None and request.user.pk != outcome.sign_in.pk:
        get_adapter(request).login(request, outcome.sign_in)
    order = outcome.order
    is_buyer = request.user.is_authenticated and request.user.pk == order.buyer_id
    product = selectors.product_of_order(order)
    return render(
        request,
        "commerce/checkout/return.html",
        {
            "order": order,
            "product": product,
            "is_buyer": is_buyer,
            "paid": order.status in (Order.Status.PAID, Order.Status.PARTIALLY_REFUNDED),
            "pending": order.status == Order.Status.PENDING,
            "pending_message": CommerceError("payment_pending").message,
            "failed_message": CommerceError(
                "order_expired" if order.status == Order.Status.EXPIRED else "payment_failed"
            ).message,
            "courses": list(product.courses.filter(is_published=True)) if product else [],
            "invoice": order.invoices.filter(kind="invoice").first() if is_buyer else None,
            "login_url": reverse("account_login") + "?next=" + reverse("learning:dashboard"),
            "retry_url": request.get_full_path(),
        },
    )


@require_GET
@refusals_as_pages
def checkout_cancelled(request: HttpRequest, public_id) -> HttpResponse:
    """The buyer left the provider's page without paying; nothing was charged.

    Only an unpaid checkout has this page: a paid order's link says nothing to whoever holds it.
    """
    order = selectors.order_by_public_id(public_id)
    if order.status not in (Order.Status.PENDING, Order.Status.FAILED, Order.Status.EXPIRED):
        raise CommerceError("order_not_found")
    return render(
        request,
        "commerce/checkout/cancelled.html",
        {"product": selectors.product_of_order(order)},
    )


@login_required
@require_http_methods(["GET", "POST"])
@refusals_as_pages
def order_seats(request: HttpRequest, public_id) -> HttpResponse:
    """The buyer's page for the places they bought for others: invite, see who took one."""
    order = selectors.buyer_order(public_id=public_id, user=request.user)
    overview = seats.seat_overview(order=order, acting_user=request.user)
    status = 200
    form = SeatInvitationForm()
    if request.method == "POST":
        form = SeatInvitationForm(request.POST)
        if form.is_valid():
            try:
                services.invite_to_seat(
                    order=order,
                    email=form.cleaned_data["email"],
                    acting_user=request.user,
                    base_url=_base_url(request),
                )
            except CommerceError as refusal:
                status = show_on_form(form, refusal, field="email")
            else:
                messages.success(request, _("The invitation is on its way."))
                return redirect("checkout:seats", public_id=order.public_id)
        else:
            status = 400
    return render(
        request,
        "commerce/checkout/seats.html",
        {
            "order": order,
            "overview": overview,
            "form": form,
            "product": selectors.product_of_order(order),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@refusals_as_pages
def accept_seat(request: HttpRequest, token: str) -> HttpResponse:
    """The invited person's link: sign in, then take the place (and be enrolled)."""
    invitation = seats.invitation_for_token(token)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={request.path}")
        services.accept_seat(token=token, acting_user=request.user)
        messages.success(request, _("The place is yours. Welcome to the course!"))
        return redirect("learning:dashboard")
    return render(
        request,
        "commerce/checkout/accept_seat.html",
        {
            "invitation": invitation,
            "product": selectors.product_of_order(invitation.order),
            "login_url": f"{reverse('account_login')}?next={request.path}",
            "signup_url": f"{reverse('account_signup')}?next={request.path}",
        },
    )
