"""Forms for reports of minors' accounts: the public report, and the privacy officer's decisions.

The report's text area carries no `maxlength` attribute: a browser cuts pasted text at the limit
without a word. The server checks the length and says so, and the text stays in the form.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from coursekeeper.privacy.forms import SubmissionKeyMixin
from coursekeeper.privacy.minors.models import (
    ABOUT_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    REASONS_MAX_LENGTH,
)


class MinorReportForm(SubmissionKeyMixin):
    about = forms.CharField(
        label=_("Which account is it?"),
        max_length=ABOUT_MAX_LENGTH,
        help_text=_("Its email address, the name it shows, or a link to something it posted."),
    )
    reasons = forms.CharField(
        label=_("What makes you think the person is under 18?"),
        max_length=REASONS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Up to 5,000 characters."),
    )
    reply_to = forms.EmailField(
        label=_("Your email address (optional)"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_(
            "Only if you want to hear from us when we have looked into your report. We tell "
            "you that it is closed, not what we found, and then delete the address."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reasons"].widget.attrs.pop("maxlength", None)


class LinkAccountForm(forms.Form):
    prefix = "link"  # the report page holds three forms

    email = forms.EmailField(
        label=_("The account's email address"),
        help_text=_("Say which account the report is about, if it does not say so itself."),
    )


class DismissForm(forms.Form):
    prefix = "dismiss"

    reason = forms.CharField(
        label=_("Why is the report dismissed?"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept with the report. The reporter is only told that it is closed."),
    )


class ConfirmForm(forms.Form):
    prefix = "confirm"

    confirmed = forms.BooleanField(
        label=_("I checked: the account belongs to someone under 18. Erase it."),
    )
    note = forms.CharField(
        label=_("What you found (optional)"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
