"""The checkout form and the seat invitation form. No form of ours has a card field (R12):
the buyer types card details only on the payment provider's own page."""

from __future__ import annotations

import uuid
from typing import cast

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from coursekeeper.accounts.choices import COUNTRY_CHOICES, TIME_ZONE_CHOICES
from coursekeeper.accounts.errors import MESSAGES as ACCOUNT_MESSAGES
from coursekeeper.commerce import checkout, vat
from coursekeeper.commerce.models import Currency, Product
from coursekeeper.commerce.pricing import MAX_SEATS

_OTHER_COUNTRIES = [
    ("AU", _("Australia")),
    ("CA", _("Canada")),
    ("JP", _("Japan")),
    ("NZ", _("New Zealand")),
    ("SG", _("Singapore")),
    ("US", _("United States")),
]


def billing_country_choices() -> list:
    """EU member states first (their VAT applies), then every other country we sell to."""
    europe = [(code, label) for code, label in COUNTRY_CHOICES if code in vat.EU_STANDARD_RATES]
    others = [(code, label) for code, label in COUNTRY_CHOICES if code not in vat.EU_STANDARD_RATES]
    return [
        ("", _("Choose your country")),
        (_("European Union"), europe),
        (_("Other countries"), others + _OTHER_COUNTRIES),
    ]


class CheckoutForm(forms.Form):
    """What the buyer gives at checkout; the price is always computed again on the server.

    `shown_total` is the total the page showed; the checkout refuses when the price changed
    since. Pressing "Update the price" (`action=quote`) only re-renders the price.
    """

    submission_key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)
    shown_total = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    currency = forms.ChoiceField(
        label=_("Currency"), choices=Currency.choices, widget=forms.RadioSelect
    )
    full_name = forms.CharField(
        label=_("Full name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        label=_("Email"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    street_address = forms.CharField(
        label=_("Street address"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "address-line1"}),
    )
    postal_code = forms.CharField(
        label=_("Postal code"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
    )
    city = forms.CharField(
        label=_("City"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    country = forms.ChoiceField(
        label=_("Country"),
        choices=billing_country_choices,
        widget=forms.Select(attrs={"autocomplete": "country"}),
        help_text=_("The VAT you pay depends on the country you buy from."),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        help_text=_("Optional."),
    )
    as_business = forms.BooleanField(label=_("I am buying as a business"), required=False)
    company_name = forms.CharField(
        label=_("Company"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    vat_number = forms.CharField(
        label=_("VAT number"),
        max_length=20,
        required=False,
        help_text=_(
            "A business in another EU country with a VAT number pays no VAT here: it accounts "
            "for the VAT itself (reverse charge)."
        ),
    )
    seats = forms.IntegerField(
        label=_("Number of places"), min_value=1, max_value=MAX_SEATS, initial=1
    )
    for_others = forms.BooleanField(
        label=_("I am buying these places for my staff; I invite them after paying"),
        required=False,
    )
    coupon_code = forms.CharField(label=_("Coupon code"), max_length=32, required=False)

    # A guest's sign-up (only when not signed in), as the sign-up form asks it (R1).
    password = forms.CharField(
        label=_("Password for your new account"),
        strip=False,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters. Your account is created when the payment is made."),
    )
    adult_confirmed = forms.BooleanField(
        label=_("I confirm that I am 18 or older."), required=False
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"), choices=TIME_ZONE_CHOICES, required=False, initial="Europe/Copenhagen"
    )

    # Consumer law (R15): the ticks and their exact wording.
    immediate_access = forms.BooleanField(required=False)
    waiver_acknowledged = forms.BooleanField(required=False)
    early_start = forms.BooleanField(required=False)

    def __init__(self, *args, product: Product, guest: bool, **kwargs):
        kwargs.setdefault("label_suffix", "")  # most labels here are sentences or questions
        super().__init__(*args, **kwargs)
        self.product = product
        self.guest = guest
        if not self.is_bound:
            self.initial.setdefault("submission_key", new_submission_key_uuid())
        currencies = {price.currency for price in product.prices.filter(active=True)}
        cast(forms.ChoiceField, self.fields["currency"]).choices = [
            (code, label) for code, label in Currency.choices if code in currencies
        ]
        if not guest:
            for name in ("password", "adult_confirmed", "time_zone"):
                del self.fields[name]
        if product.kind == Product.Kind.SUBSCRIPTION:
            del self.fields["seats"]
            del self.fields["for_others"]
        if product.is_service:
            del self.fields["immediate_access"]
            del self.fields["waiver_acknowledged"]
            self.fields["early_start"].label = checkout.early_start_wording()
            self.fields["early_start"].help_text = _("Optional.")
        else:
            del self.fields["early_start"]
            self.fields["immediate_access"].label = checkout.immediate_access_wording()
            self.fields["waiver_acknowledged"].label = checkout.waiver_acknowledgement_wording()

    # -- what the price depends on, read leniently for "Update the price" -----------------

    def quote_inputs(self) -> dict:
        """Return the inputs of the price from what was posted (or the initial values), without
        validating the rest of the form."""
        source = self.data if self.is_bound else self.initial
        currency = str(source.get("currency") or "")
        try:
            seats = int(source.get("seats") or 1)
        except (TypeError, ValueError):
            seats = 1
        as_business = bool(source.get("as_business"))
        return {
            "currency": currency,
            "seats": max(1, min(seats, MAX_SEATS)) if "seats" in self.fields else 1,
            "coupon_code": str(source.get("coupon_code") or "").strip()[:32],
            "buyer_country": str(source.get("country") or "")[:2],
            "vat_number": str(source.get("vat_number") or "")[:20] if as_business else "",
        }

    # -- validation --------------------------------------------------------------------------

    def clean_vat_number(self) -> str:
        return vat.normalise_vat_number(self.cleaned_data.get("vat_number", ""))

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("as_business"):
            if not cleaned.get("company_name"):
                self.add_error("company_name", _("Give the company's name."))
            number = cleaned.get("vat_number", "")
            country = cleaned.get("country", "")
            if number and country in vat.EU_STANDARD_RATES:
                number_country = vat.vat_number_country(number)
                if number_country is None:
                    self.add_error("vat_number", _("This is not an EU VAT number."))
                elif number_country != country:
                    self.add_error(
                        "vat_number",
                        _("The VAT number is from another country than the billing address."),
                    )
        else:
            cleaned["company_name"] = ""
            cleaned["vat_number"] = ""
        if not cleaned.get("for_others"):
            cleaned["for_others"] = False
        if self.guest:
            if not cleaned.get("adult_confirmed"):
                self.add_error("adult_confirmed", ACCOUNT_MESSAGES["adult_confirmation_missing"])
            password = cleaned.get("password") or ""
            if not password:
                self.add_error("password", _("Choose a password for your account."))
            else:
                from coursekeeper.accounts.models import User

                probe = User(email=cleaned.get("email", ""), full_name=cleaned.get("full_name", ""))
                try:
                    validate_password(password, user=probe)
                except ValidationError as error:
                    self.add_error("password", error)
        if "immediate_access" in self.fields:
            required = _("Tick this to buy: access starts as soon as you have paid.")
            if not cleaned.get("immediate_access"):
                self.add_error("immediate_access", required)
            if not cleaned.get("waiver_acknowledged"):
                self.add_error("waiver_acknowledged", required)
        return cleaned

    @property
    def immediate_start(self) -> bool:
        if "immediate_access" in self.fields:
            return bool(
                self.cleaned_data.get("immediate_access")
                and self.cleaned_data.get("waiver_acknowledged")
            )
        return bool(self.cleaned_data.get("early_start"))


def new_submission_key_uuid() -> str:
    """The checkout's submission key becomes the order's public id, so it is a random UUID."""
    return str(uuid.uuid4())


class SeatInvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address of the person who takes the place"),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
