"""Forms of the recipients register and of disclosures on a legal order.

They parse input only; what the law allows (a safeguard for a transfer, an agreement for a
processor, an authority that exists) is decided by the services in `register.py`, so a refusal
reads the same whichever way the data arrives.
"""

from __future__ import annotations

from typing import cast

from django import forms
from django.db.models import Field
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from coursekeeper.accounts.choices import LANGUAGE_CHOICES
from coursekeeper.privacy.declarations import Category
from coursekeeper.privacy.models import Recipient
from coursekeeper.privacy.purposes import ALL_PURPOSES
from coursekeeper.privacy.register import RECIPIENT_FIELDS

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _label(name: str):
    return capfirst(cast(Field, Recipient._meta.get_field(name)).verbose_name)  # stays lazy


class RecipientForm(forms.Form):
    name = forms.CharField(label=_label("name"), max_length=200)
    role = forms.ChoiceField(label=_label("role"), choices=Recipient.Role.choices)
    service = forms.CharField(
        label=_label("service"),
        max_length=200,
        help_text=_("For example: hosting, email delivery, card payments, video meetings."),
    )
    purposes = forms.MultipleChoiceField(
        label=_("Purposes they receive data for"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("They may use the data for these purposes of ours and for nothing else."),
    )
    categories = forms.MultipleChoiceField(
        label=_label("categories"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=Category.choices,
    )
    location = forms.CharField(
        label=_label("location"),
        max_length=100,
        help_text=_("The countries where they store or process the data, e.g. Germany."),
    )
    outside_eea = forms.BooleanField(label=_label("outside_eea"), required=False)
    safeguard = forms.ChoiceField(
        label=_label("safeguard"),
        choices=Recipient.Safeguard.choices,
        required=False,
        help_text=_("Needed when the data leaves the EU/EEA, and only then."),
    )
    agreement_date = forms.DateField(
        label=_("Agreement signed on"),
        required=False,
        widget=DATE_INPUT,
        help_text=_(
            "The data-processing agreement of a processor, or the arrangement with a joint "
            "controller."
        ),
    )
    active = forms.BooleanField(label=_label("active"), required=False, initial=True)
    privacy_email = forms.EmailField(
        label=_("Privacy contact (email)"),
        required=False,
        max_length=254,
        help_text=_(
            "Where we tell them when we correct or erase a person's data or restrict its use "
            "(GDPR Art. 19). Give a role address, such as their privacy or data-protection "
            "officer's address, not a person's own. Without it, you are asked to tell them "
            "yourself."
        ),
    )
    language = forms.ChoiceField(
        label=_label("language"),
        choices=LANGUAGE_CHOICES,
        initial="en",
        required=False,
        help_text=_("The language our notices to them are written in."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Read when the form is built: every app has registered its purposes by then.
        cast(forms.MultipleChoiceField, self.fields["purposes"]).choices = [
            (code, purpose.title) for code, purpose in ALL_PURPOSES.items()
        ]

    @classmethod
    def initial_for(cls, recipient: Recipient) -> dict:
        return {name: getattr(recipient, name) for name in RECIPIENT_FIELDS}


class DisclosureForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address of the person the order is about"),
        max_length=254,
        help_text=_("Their account's address, or the address we know them by if they have none."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    authority = forms.ModelChoiceField(
        label=_("Authority"),
        queryset=Recipient.objects.none(),
        empty_label=_("Choose the authority"),
    )
    categories = forms.MultipleChoiceField(
        label=_("Categories of data disclosed"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=Category.choices,
    )
    order_reference = forms.CharField(
        label=_("Legal order"),
        max_length=280,
        help_text=_(
            "Its reference and the law it rests on, e.g. “Retten i Odense, case 12/2026, "
            "retsplejeloven § 804”. The person sees this in their copy of their data."
        ),
    )
    order_date = forms.DateField(label=_("Date of the order"), widget=DATE_INPUT)
    disclosed_on = forms.DateField(label=_("Date the data was disclosed"), widget=DATE_INPUT)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["authority"]).queryset = Recipient.objects.filter(
            role=Recipient.Role.AUTHORITY, active=True
        ).order_by("name")
        if not self.is_bound:
            self.initial.setdefault("disclosed_on", timezone.localdate())
