"""Forms of the contact app: the public contact form and the staff inbox's forms.

Long texts carry no `maxlength` attribute: a browser cuts pasted text at the limit without a
word, and what is cut is lost. The server checks the length instead and says so, and the text
stays in the form for the person to shorten.
"""

from __future__ import annotations

from typing import cast

from django import forms
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coursekeeper.accounts.choices import LANGUAGE_CHOICES
from coursekeeper.contact.models import (
    ADDRESS_MAX_LENGTH,
    ENTRY_MAX_LENGTH,
    MESSAGE_MAX_LENGTH,
    NAME_MAX_LENGTH,
    PHONE_MAX_LENGTH,
    SUBJECT_MAX_LENGTH,
    ContactEntry,
)
from coursekeeper.contact.services import CLOCK_SKEW
from coursekeeper.privacy.forms import SubmissionKeyMixin

phone_characters = RegexValidator(
    r"^[0-9+()./ \-]*$",
    message=_("A phone number may hold digits, spaces and + ( ) - . / only."),
)


def one_line(value: str) -> None:
    if "\n" in value or "\r" in value:
        raise forms.ValidationError(_("Write the subject on one line."))


class LongTextMixin(forms.Form):
    """Drop the browser's `maxlength` from the text areas (see the module docstring)."""

    long_texts: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.long_texts:
            self.fields[name].widget.attrs.pop("maxlength", None)


class PersonFieldsMixin(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Email address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Phone (optional)"),
        required=False,
        max_length=PHONE_MAX_LENGTH,
        validators=[phone_characters],
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    postal_address = forms.CharField(
        label=_("Postal address (optional)"),
        required=False,
        max_length=ADDRESS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
    )


class ContactForm(LongTextMixin, PersonFieldsMixin, SubmissionKeyMixin):
    long_texts = ("postal_address", "message")

    message = forms.CharField(
        label=_("Your message"),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Up to 5,000 characters."),
    )


class LogContactForm(LongTextMixin, SubmissionKeyMixin):
    """A phone call or an email, either way, logged by staff."""

    prefix: str | None = "log"  # it shares the contact's page with the reply form
    long_texts: tuple[str, ...] = ("text",)

    channel = forms.ChoiceField(
        label=_("How"),
        choices=[
            (ContactEntry.Channel.PHONE.value, ContactEntry.Channel.PHONE.label),
            (ContactEntry.Channel.EMAIL.value, ContactEntry.Channel.EMAIL.label),
        ],
    )
    direction = forms.ChoiceField(label=_("Who got in touch"), choices=[])
    at = forms.DateTimeField(
        label=_("When"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    subject = forms.CharField(
        label=_("Subject (for an email)"),
        required=False,
        max_length=SUBJECT_MAX_LENGTH,
        validators=[one_line],
    )
    text = forms.CharField(
        label=_("What was said"),
        max_length=ENTRY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["direction"]).choices = [
            (ContactEntry.Direction.IN.value, _("The person contacted us")),
            (ContactEntry.Direction.OUT.value, _("We contacted the person")),
        ]
        if not self.is_bound:
            self.initial.setdefault("at", timezone.localtime().replace(second=0, microsecond=0))

    def clean_at(self):
        at = self.cleaned_data["at"]
        if at > timezone.now() + CLOCK_SKEW:
            raise forms.ValidationError(_("A contact cannot be logged in the future."))
        return at


class NewContactForm(PersonFieldsMixin, LogContactForm):
    """A call or an email from someone the inbox does not know yet."""

    prefix = None
    long_texts = ("postal_address", "text")

    language = forms.ChoiceField(label=_("Answer in"), choices=LANGUAGE_CHOICES)

    field_order = [
        "name",
        "email",
        "phone",
        "postal_address",
        "language",
        "channel",
        "direction",
        "at",
        "subject",
        "text",
    ]


class ReplyForm(LongTextMixin, SubmissionKeyMixin):
    prefix = "reply"
    long_texts = ("text",)

    subject = forms.CharField(
        label=_("Subject"), max_length=SUBJECT_MAX_LENGTH, validators=[one_line]
    )
    text = forms.CharField(
        label=_("Your answer"),
        max_length=ENTRY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Sent as plain text to the person's address, and kept in the thread."),
    )
