import secrets

from django import forms
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coursekeeper.cookies.tags import TAG_FIELDS
from coursekeeper.privacy.models import ProviderSettings, RightsRequest
from coursekeeper.web.widgets import NativeDateInput


def _form_field(model_field: models.Field, **kwargs) -> forms.Field | None:
    # An address typed without a scheme is taken as https (Django 6's default, adopted now).
    if isinstance(model_field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return model_field.formfield(**kwargs)


class ProviderSettingsForm(forms.ModelForm):
    class Meta:
        formfield_callback = _form_field
        model = ProviderSettings
        fields = [*ProviderSettings.PUBLISHED_FIELDS, "min_group_size", *TAG_FIELDS]
        widgets = {
            "street_address": forms.TextInput(attrs={"autocomplete": "address-line1"}),
            "postal_code": forms.TextInput(attrs={"autocomplete": "postal-code"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
            **{name: forms.TextInput(attrs={"spellcheck": "false"}) for name in TAG_FIELDS},
        }

    def details(self) -> list[forms.BoundField]:
        """Return the provider's own details, shown first."""
        return [self[name] for name in self.fields if name not in TAG_FIELDS]

    def tags(self) -> list[forms.BoundField]:
        """Return the marketing and statistics tags' ids, shown under their own heading."""
        return [self[name] for name in TAG_FIELDS]

    def _clean_tag_id(self, name: str) -> str:
        # An id pasted from the vendor's page often carries spaces; Google's prefix is capital.
        return "".join(self.cleaned_data.get(name, "").split())

    def clean_meta_pixel_id(self) -> str:
        return self._clean_tag_id("meta_pixel_id")

    def clean_google_tag_id(self) -> str:
        return self._clean_tag_id("google_tag_id").upper()

    def clean_linkedin_partner_id(self) -> str:
        return self._clean_tag_id("linkedin_partner_id")


# --- Rights requests ----------------------------------------------------------------------------


def new_submission_key() -> str:
    return secrets.token_urlsafe(24)


class SubmissionKeyMixin(forms.Form):
    """A hidden random key per rendered form: a double-clicked submit files one request."""

    submission_key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submission_key", new_submission_key())


def urgent_field() -> forms.BooleanField:
    """The person's own "this is urgent" (R32): it flags the request in the staff queue."""
    return forms.BooleanField(
        label=_("This is urgent"),
        required=False,
        help_text=_(
            "For example: you need the data for a deadline, or your data is being misused right "
            "now. Urgent requests are looked at first."
        ),
    )


class VisitorRequestForm(SubmissionKeyMixin):
    kind = forms.ChoiceField(label=_("What do you ask for?"), choices=RightsRequest.Kind.choices)
    email = forms.EmailField(
        label=_("Your email address"),
        help_text=_("We send a link to this address; the request counts once you follow it."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    details = forms.CharField(
        label=_("Anything we should know"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For a correction, say what is wrong and what is right."),
    )
    urgent = urgent_field()


class AccountRequestForm(SubmissionKeyMixin):
    """A correction or a general request from the signed-in person."""

    details = forms.CharField(
        label=_("What should we correct?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Say what is wrong and what is right. You can change your profile yourself."),
    )
    urgent = urgent_field()

    prefix = "correction"


class RestrictionForm(SubmissionKeyMixin):
    details = forms.CharField(
        label=_("Why should we restrict processing?"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: you contest that your data is correct, or you objected."),
    )
    urgent = urgent_field()

    prefix = "restriction"


class EraseAccountForm(SubmissionKeyMixin):
    password = forms.CharField(
        label=_("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("To make sure it is you."),
    )


class StaffLogRequestForm(SubmissionKeyMixin):
    kind = forms.ChoiceField(label=_("Request"), choices=RightsRequest.Kind.choices)
    channel = forms.ChoiceField(
        label=_("How it came"),
        choices=[
            (c.value, c.label)
            for c in (
                RightsRequest.Channel.EMAIL,
                RightsRequest.Channel.POST,
                RightsRequest.Channel.PHONE,
            )
        ],
    )
    email = forms.EmailField(label=_("The person's email address"))
    received_on = forms.DateField(
        label=_("Received on"),
        widget=NativeDateInput(),
        help_text=_("The day it arrived: the deadline counts from it."),
    )
    language = forms.ChoiceField(
        label=_("Answer in"), choices=[("da", "Dansk"), ("de", "Deutsch"), ("en", "English")]
    )
    details = forms.CharField(
        label=_("What the person asked"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    urgent = forms.BooleanField(label=_("Urgent"), required=False)

    def clean_received_on(self):
        received = self.cleaned_data["received_on"]
        if received > timezone.localdate():
            raise forms.ValidationError(_("A request cannot arrive in the future."))
        return received


class ExtendForm(forms.Form):
    months = forms.TypedChoiceField(
        label=_("Extend by"),
        coerce=int,
        choices=[(1, _("one month")), (2, _("two months"))],
    )
    reason = forms.CharField(
        label=_("Why (the person is told)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class FeeForm(forms.Form):
    amount = forms.DecimalField(label=_("Fee"), min_value=1, max_digits=8, decimal_places=2)
    currency = forms.ChoiceField(label=_("Currency"), choices=[("DKK", "DKK"), ("EUR", "EUR")])
    reason = forms.CharField(
        label=_("Why a fee (the person is told)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reasons (the person is told)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer to the person"), max_length=8000, widget=forms.Textarea(attrs={"rows": 5})
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Internal note"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class RecipientToldForm(forms.Form):
    """How staff told a recipient of a change by hand (Art. 19); one per task on the page, each
    with the task's prefix."""

    # Not required here: the service refuses an empty note, with its own reason beside the field.
    note = forms.CharField(
        label=_("How and when you told them"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "For example: “Phoned their support on 3 March; they confirmed the erasure.” "
            "Do not repeat the person's address here."
        ),
    )

    @staticmethod
    def prefix_for(notice_id: int) -> str:
        return f"notice-{notice_id}"
