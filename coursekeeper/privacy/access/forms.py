"""The privacy officer's filter over the staff-access log: by person, by staff member, by period."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from coursekeeper.accounts.models import normalize_email
from coursekeeper.web.widgets import NativeDateInput


class AccessLogFilterForm(forms.Form):
    person = forms.EmailField(
        label=_("Whose data (email address)"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    staff = forms.EmailField(
        label=_("Seen by (staff email address)"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    since = forms.DateField(label=_("From"), required=False, widget=NativeDateInput())
    until = forms.DateField(label=_("To"), required=False, widget=NativeDateInput())

    def clean_person(self) -> str:
        return normalize_email(self.cleaned_data["person"] or "")

    def clean_staff(self) -> str:
        return normalize_email(self.cleaned_data["staff"] or "")

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end of the period is before its start."))
        return cleaned
