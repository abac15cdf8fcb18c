"""R25 and R37 in Chromium: the record of processing, the recipients register and its forms pass
WCAG 2.2 AA checks, and a refused recipient is reported on the form."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from coursekeeper.accounts.choices import Role
from coursekeeper.privacy.factories import RecipientFactory
from coursekeeper.privacy.models import ProviderSettings, Recipient
from coursekeeper.privacy.tests.test_pages import PROVIDER, staff_client
from tests.browser.conftest import accessibility_violations
from tests.browser.test_account_journey import new_page


def signed_in_page(browser, live_server):
    officer = staff_client(Role.PRIVACY_OFFICER)  # signed in with a password and a TOTP code
    page = new_page(browser)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": officer.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return page


def demo_register() -> None:
    provider = ProviderSettings.load()
    for name, value in PROVIDER.items():
        setattr(provider, name, value)
    provider.save()
    RecipientFactory(name="Postbud ApS", purposes=["service_email"])
    RecipientFactory(
        name="Cloud Hosting Inc.",
        service="hosting",
        purposes=["account", "security"],
        categories=["identity", "contact", "technical"],
        location="United States",
        outside_eea=True,
        safeguard=Recipient.Safeguard.DPF,
    )
    RecipientFactory(name="Fyns Politi", role=Recipient.Role.AUTHORITY, purposes=[], categories=[])
    RecipientFactory(name="Former Mail ApS", active=False)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_r25_r37_the_register_and_recipient_pages_pass_wcag_aa_checks(browser, live_server):
    demo_register()
    page = signed_in_page(browser, live_server)

    for name, heading in [
        ("privacy:register", "Record of processing"),
        ("privacy:recipients", "Recipients and processors"),
        ("privacy:recipient_new", "Add a recipient"),
        ("privacy:disclosure_new", "Disclosure to an authority"),
    ]:
        page.goto(live_server.url + reverse(name))

        assert page.get_by_role("heading", level=1).inner_text() == heading
        assert accessibility_violations(page) == [], name
    page.goto(live_server.url + reverse("privacy:recipients"))
    assert page.get_by_role("table").count() == 2  # receiving now, and the former ones


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_r37_a_transfer_without_a_safeguard_is_refused_on_the_form_accessibly(browser, live_server):
    page = signed_in_page(browser, live_server)
    page.goto(live_server.url + reverse("privacy:recipient_new"))

    page.get_by_label("Name:", exact=True).fill("Faraway Mail Corp.")
    page.get_by_label("Role:").select_option(Recipient.Role.PROCESSOR)
    page.get_by_label("What they do:").fill("email delivery")
    page.get_by_role("group", name="Purposes they receive data for").get_by_label(
        "Service emails"
    ).check()
    page.get_by_role("group", name="Categories of data received").get_by_label(
        "Contact details"
    ).check()
    page.get_by_label("Where the data is processed:").fill("United States")
    page.get_by_label("Outside the EU/EEA:").check()
    page.get_by_label("Agreement signed on:").fill("2025-01-15")
    page.get_by_role("button", name="Save").click()

    assert page.get_by_text("so the transfer needs a safeguard").count() == 1
    assert accessibility_violations(page) == []
    assert Recipient.objects.count() == 0
