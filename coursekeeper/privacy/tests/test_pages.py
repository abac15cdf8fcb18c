"""Provider settings (staff), the notice beside each form (R44) and the generated policy page."""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.test import Client
from django.urls import reverse
from django.utils import translation

from coursekeeper.accounts.choices import Role
from coursekeeper.accounts.factories import PASSWORD, StaffFactory, UserFactory
from coursekeeper.accounts.tests.test_login import current_code
from coursekeeper.privacy.models import ProviderSettings
from coursekeeper.privacy.templatetags.privacy_notices import notice_lines

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

PROVIDER = {
    "legal_name": "Fjord Kurser ApS",
    "street_address": "Havnegade 3",
    "postal_code": "5000",
    "city": "Odense C",
    "country": "DK",
    "company_number": "CVR 87654321",
    "vat_number": "",
    "email": "privacy@fjord.example",
    "phone": "",
    "supervisory_authority": "Datatilsynet",
    "supervisory_authority_url": "https://www.datatilsynet.dk",
    "dpo_name": "",
    "dpo_email": "",
    "min_group_size": "5",
}


def staff_client(role: str) -> Client:
    staff = StaffFactory(role=role)
    TOTP.activate(staff, SECRET)
    client = Client()
    client.post(reverse("account_login"), {"login": staff.email, "password": PASSWORD})
    client.post(reverse("mfa_authenticate"), {"code": current_code(SECRET)})
    return client


def test_r41_privacy_officer_fills_in_the_provider_settings():
    client = staff_client(Role.PRIVACY_OFFICER)

    page = client.get(reverse("privacy:provider_settings"))
    assert page.status_code == 200
    assert "A privacy policy cannot be published until these are filled in:" in (
        page.content.decode()
    )
    response = client.post(reverse("privacy:provider_settings"), PROVIDER)

    assert response.status_code == 302
    saved = ProviderSettings.load()
    assert (saved.legal_name, saved.company_number, saved.pk) == (
        "Fjord Kurser ApS",
        "CVR 87654321",
        1,
    )
    assert saved.missing_for_publishing() == []
    assert ProviderSettings.objects.count() == 1


def test_r41_invalid_provider_settings_are_refused_and_change_nothing():
    client = staff_client(Role.OWNER)
    client.post(reverse("privacy:provider_settings"), PROVIDER)

    response = client.post(
        reverse("privacy:provider_settings"),
        {**PROVIDER, "email": "not an address", "dpo_email": "dpo@fjord.example"},
    )

    assert response.status_code == 400
    assert ProviderSettings.load().email == "privacy@fjord.example"
    assert ProviderSettings.load().dpo_email == ""


def test_r35_support_staff_and_learners_cannot_edit_the_provider_settings():
    support = staff_client(Role.SUPPORT)
    learner = Client()
    person = UserFactory()
    learner.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})

    assert support.post(reverse("privacy:provider_settings"), PROVIDER).status_code == 403
    assert learner.get(reverse("privacy:provider_settings")).status_code == 403
    assert ProviderSettings.objects.filter(legal_name="Fjord Kurser ApS").count() == 0


def test_r44_the_notice_is_rendered_from_the_declaration():
    with translation.override("en"):
        (line,) = notice_lines("accounts.User:full_name,email")

    assert line.fields == ["full name", "email address"]
    assert line.categories == ["Identity", "Contact details"]
    assert line.purposes == [
        (
            "To create your account, let you sign in and keep your profile.",
            "Contract (GDPR Art. 6(1)(b))",
        )
    ]
    assert line.retention == (
        "5 years after the customer relationship ends (your last sign-in, purchase or paid "
        "access, whichever is latest)"
    )


@pytest.mark.parametrize(
    ("url_name", "expected"),
    [
        (
            "account_signup",
            "5 years after the customer relationship ends (your last sign-in, purchase or paid "
            "access, whichever is latest)",
        ),
        ("account_login", "30 days after it was recorded"),
        ("account_reset_password", "as long as you have an account"),
    ],
)
def test_r44_every_form_that_collects_personal_data_shows_its_notice(url_name, expected):
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse(url_name)).content.decode()

    assert "How we use what you enter here" in page
    assert expected.capitalize() in page
    assert f'href="{reverse("privacy:policy")}"' in page


def test_r44_the_profile_form_shows_its_notice():
    person = UserFactory()
    client = Client()
    client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})

    page = client.get(reverse("accounts:profile")).content.decode()

    assert "How we use what you enter here" in page
    assert "Full name, phone, street address" in page


def test_r41_the_policy_page_is_generated_from_declarations_and_provider_settings():
    ProviderSettings.objects.update_or_create(pk=1, defaults=PROVIDER)

    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("privacy:policy")).content.decode()

    assert "Fjord Kurser ApS, CVR 87654321" in page
    assert "Contract (GDPR Art. 6(1)(b))" in page
    assert "Protecting your account and everyone else" in page  # the balancing note
    assert "You may complain to Datatilsynet" in page


def test_r22_the_owner_sets_the_marketing_tags_and_each_id_is_kept_as_the_vendor_writes_it():
    client = staff_client(Role.OWNER)

    page = client.get(reverse("privacy:provider_settings")).content.decode()
    response = client.post(
        reverse("privacy:provider_settings"),
        {
            **PROVIDER,
            "meta_pixel_id": " 1234567890 12345 ",
            "google_tag_id": "g-a1b2c3d4e5",
            "linkedin_partner_id": "1234567",
        },
    )

    assert "<legend>Marketing and statistics tags</legend>" in page
    assert response.status_code == 302
    saved = ProviderSettings.load()
    assert (saved.meta_pixel_id, saved.google_tag_id, saved.linkedin_partner_id) == (
        "123456789012345",
        "G-A1B2C3D4E5",
        "1234567",
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("meta_pixel_id", "12345", "A Meta pixel ID is 15 or 16 digits"),
        ("meta_pixel_id", "fb-123456789012345", "A Meta pixel ID is 15 or 16 digits"),
        ("google_tag_id", "UA-12345-1", "A Google tag ID starts with G- (Google Analytics)"),
        ("google_tag_id", "GTM-ABC1234", "A Google tag ID starts with G- (Google Analytics)"),
        ("google_tag_id", "AW-CONVERT1", "A Google tag ID starts with G- (Google Analytics)"),
        ("linkedin_partner_id", "12a4567", "A LinkedIn partner ID is a number of 4 to 10 digits"),
    ],
)
def test_r22_a_tag_id_in_another_format_is_refused_with_a_message_and_changes_nothing(
    field, value, message
):
    client = staff_client(Role.OWNER)
    client.post(reverse("privacy:provider_settings"), {**PROVIDER, "google_tag_id": "G-KEPT1234"})

    response = client.post(
        reverse("privacy:provider_settings"), {**PROVIDER, "google_tag_id": "", field: value}
    )

    assert response.status_code == 400
    assert message in response.context["form"].errors[field][0]
    saved = ProviderSettings.load()
    assert (saved.meta_pixel_id, saved.google_tag_id, saved.linkedin_partner_id) == (
        "",
        "G-KEPT1234",
        "",
    )


def test_r27_every_label_on_my_data_points_at_its_own_box():
    """Several forms on "My data" share fields; no id repeats, so no label names another box."""
    from html.parser import HTMLParser

    class Ids(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.ids: list[str] = []
            self.label_targets: list[str] = []

        def handle_starttag(self, tag, attrs) -> None:
            values = dict(attrs)
            if values.get("id"):
                self.ids.append(values["id"] or "")
            if tag == "label" and values.get("for"):
                self.label_targets.append(values["for"] or "")

    learner = UserFactory()
    client = Client()
    client.force_login(learner)
    page = Ids()
    page.feed(client.get(reverse("privacy:my_privacy")).content.decode())

    assert sorted(set(page.ids)) == sorted(page.ids)
    assert set(page.label_targets) <= set(page.ids)
    assert {"id_correction-details", "id_restriction-details"} <= set(page.label_targets)
