from django import forms
from django.db import models

from coursekeeper.privacy.models import ProviderSettings


def _form_field(model_field: models.Field, **kwargs) -> forms.Field | None:
    # An address typed without a scheme is taken as https (Django 6's default, adopted now).
    if isinstance(model_field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return model_field.formfield(**kwargs)


class ProviderSettingsForm(forms.ModelForm):
    class Meta:
        formfield_callback = _form_field
        model = ProviderSettings
        fields = (
            "legal_name",
            "street_address",
            "postal_code",
            "city",
            "country",
            "company_number",
            "vat_number",
            "email",
            "phone",
            "supervisory_authority",
            "supervisory_authority_url",
            "dpo_name",
            "dpo_email",
        )
        widgets = {
            "street_address": forms.TextInput(attrs={"autocomplete": "street-address"}),
            "postal_code": forms.TextInput(attrs={"autocomplete": "postal-code"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
        }
