from django import forms

from coursekeeper.privacy.models import ProviderSettings


class ProviderSettingsForm(forms.ModelForm):
    class Meta:
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
