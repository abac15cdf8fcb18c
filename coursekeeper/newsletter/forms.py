from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from coursekeeper.accounts.choices import COUNTRY_CHOICES, LANGUAGE_CHOICES
from coursekeeper.newsletter.models import LANGUAGES, Newsletter


class SignupForm(forms.Form):
    """The newsletter's own form: an address, a language and an unticked consent box (R17)."""

    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    language = forms.ChoiceField(label=_("Language of the newsletter"), choices=LANGUAGE_CHOICES)
    country = forms.ChoiceField(
        label=_("Country you live in (optional)"),
        choices=[("", "—"), *COUNTRY_CHOICES],
        required=False,
        help_text=_("It decides which country's rules apply to your consent."),
    )
    consent = forms.BooleanField(
        required=True,
        error_messages={
            "required": _(
                "Tick the box if you want the newsletter. Without it we sign you up for nothing."
            )
        },
    )

    def __init__(self, *args, wording: str, language: str, **kwargs):
        super().__init__(*args, **kwargs)
        # The label is the published wording itself, so what the person ticks is what the
        # consent ledger keeps as proof.
        self.fields["consent"].label = wording
        if not self.is_bound:
            self.initial.setdefault("language", language if language in LANGUAGES else "en")


class NewsletterForm(forms.ModelForm):
    class Meta:
        model = Newsletter
        fields = ("subject_da", "body_da", "subject_de", "body_de", "subject_en", "body_en")
        widgets = {f"body_{code}": forms.Textarea(attrs={"rows": 12}) for code in LANGUAGES}

    def clean(self):
        super().clean()
        data = self.cleaned_data
        written = 0
        for code in LANGUAGES:
            subject = (data.get(f"subject_{code}") or "").strip()
            body = (data.get(f"body_{code}") or "").strip()
            if subject and body:
                written += 1
            elif subject:
                self.add_error(f"body_{code}", _("Write the text too, or leave both empty."))
            elif body:
                self.add_error(f"subject_{code}", _("Write the subject too, or leave both empty."))
        if not written and not self.errors:
            raise forms.ValidationError(
                _("Write the subject and the text in at least one language.")
            )
        return data

    def texts(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name) or "" for name in self.Meta.fields}


class SendForm(forms.Form):
    include_customers = forms.BooleanField(
        label=_(
            "Also send it to existing customers who did not subscribe, where their "
            "country's law allows it"
        ),
        required=False,
    )
    own_similar_products = forms.BooleanField(
        label=_("This newsletter offers only our own courses, similar to those they bought."),
        required=False,
    )
    objection_offered_at_collection = forms.BooleanField(
        label=_(
            "When they bought, they were told that they may object to such emails at any "
            "time, free of charge."
        ),
        required=False,
    )

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if data.get("include_customers") and not (
            data.get("own_similar_products") and data.get("objection_offered_at_collection")
        ):
            raise forms.ValidationError(
                _(
                    "To include existing customers, confirm both statements about them; "
                    "otherwise send to subscribers only."
                )
            )
        return data


class DiscontinueForm(forms.Form):
    confirm = forms.BooleanField(
        label=_(
            "I understand: every subscription ends now, and the former subscribers get the "
            "newsletter again only if they subscribe anew."
        ),
        error_messages={"required": _("Tick the box to confirm, or go back.")},
    )
