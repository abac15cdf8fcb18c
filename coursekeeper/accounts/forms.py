"""Forms a person fills in about themselves."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from coursekeeper.accounts.errors import MESSAGES
from coursekeeper.accounts.models import User
from coursekeeper.accounts.services import PROFILE_FIELDS


class SignupDetailsForm(forms.Form):
    """What sign-up asks beyond email and password (R1); allauth builds its form on this one."""

    field_order = ["full_name", "email", "password1", "adult_confirmed"]

    full_name = forms.CharField(
        label=_("Full name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    adult_confirmed = forms.BooleanField(
        label=_("I confirm that I am 18 or older."),
        required=True,
        error_messages={"required": MESSAGES["adult_confirmation_missing"]},
    )

    def signup(self, request, user) -> None:
        """Everything is already saved by the adapter's `save_user`."""


class UnlockRequestForm(forms.Form):
    """The address of an account whose sign-in is paused, to send it an unlock link."""

    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class ProfileForm(forms.ModelForm):
    """Every profile field a person keeps up to date themselves (R3, R27)."""

    class Meta:
        model = User
        fields = PROFILE_FIELDS
        widgets = {
            "full_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
            "street_address": forms.TextInput(attrs={"autocomplete": "address-line1"}),
            "postal_code": forms.TextInput(attrs={"autocomplete": "postal-code"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
            "country": forms.Select(attrs={"autocomplete": "country"}),
            "company": forms.TextInput(attrs={"autocomplete": "organization"}),
            "job_title": forms.TextInput(attrs={"autocomplete": "organization-title"}),
            "interests": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "interests": _("Topics you would like to learn about. Optional."),
            "time_zone": _("Dates and times are shown in this time zone."),
        }
