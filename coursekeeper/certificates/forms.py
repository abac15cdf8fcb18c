"""Forms of the certificates app: a course's settings, a revocation, the public code check."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from coursekeeper.certificates.models import CertificateSettings

MAX_KEEP_YEARS = 30


class CertificateSettingsForm(forms.ModelForm):
    class Meta:
        model = CertificateSettings
        fields = ("enabled", "hours", "documented_participation", "duty_name", "keep_years")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["hours"].widget.attrs.update({"min": 0, "step": "0.5"})
        self.fields["keep_years"].widget.attrs.update({"min": 1, "max": MAX_KEEP_YEARS})

    def clean_keep_years(self):
        years = self.cleaned_data.get("keep_years")
        if years is not None and not 1 <= years <= MAX_KEEP_YEARS:
            raise forms.ValidationError(
                _("Give a number of years from 1 to %(most)d."), params={"most": MAX_KEEP_YEARS}
            )
        return years

    def clean_hours(self):
        hours = self.cleaned_data.get("hours")
        if hours is not None and hours < 0:
            raise forms.ValidationError(_("Give the hours as a number of at least 0."))
        return hours

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("documented_participation"):
            if not cleaned.get("duty_name"):
                self.add_error("duty_name", _("Name the law or duty that requires the record."))
            if not cleaned.get("keep_years") and "keep_years" not in self.errors:
                self.add_error("keep_years", _("Say how many years the record must be kept."))
        return cleaned


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the certificate revoked?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "The learner sees the reason; the public check shows only that it was revoked."
        ),
    )


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=40,
        help_text=_("The 12 characters printed on the certificate, for example ABCD-EFGH-JKLM."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
