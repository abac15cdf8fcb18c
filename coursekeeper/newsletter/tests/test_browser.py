"""R17 in Chromium: subscribe, confirm from the inbox and unsubscribe through the real pages, each
page checked against WCAG 2.2 AA (axe-core)."""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.urls import reverse
from playwright.sync_api import expect

from coursekeeper.accounts.choices import Role
from coursekeeper.accounts.factories import PASSWORD, StaffFactory
from coursekeeper.accounts.tests.test_login import current_code
from coursekeeper.newsletter.models import NewsletterDelivery
from coursekeeper.newsletter.selectors import Recipient
from coursekeeper.newsletter.services import unsubscribe_token
from coursekeeper.newsletter.tests.conftest import confirm_link, subscribe
from coursekeeper.privacy.models import Consent
from tests.browser.conftest import accessibility_violations
from tests.browser.test_account_journey import new_page

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_r17_a_visitor_subscribes_confirms_and_unsubscribes_on_accessible_pages(
    browser, live_server, smtp_server, token
):
    address = f"browser-{token}@example.org"
    page = new_page(browser)
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Newsletter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Newsletter")
    assert accessibility_violations(page) == []

    page.get_by_label("Email address").fill(address)
    page.get_by_role("button", name="Subscribe").click()  # the box is not ticked
    expect(page.locator(".field-errors")).to_contain_text("Tick the box")
    assert accessibility_violations(page) == []
    assert Consent.objects.count() == 0

    page.get_by_label("Yes, send me the newsletter").check()
    page.get_by_role("button", name="Subscribe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    assert accessibility_violations(page) == []

    (mail,) = smtp_server.wait_for(address)
    link = confirm_link(mail.text)
    page.goto(link.replace("http://testserver", live_server.url))
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your subscription")
    assert accessibility_violations(page) == []
    page.get_by_role("button", name="Yes, subscribe me").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are subscribed")
    consent = Consent.objects.get()
    assert (consent.email, consent.method) == (address, "double opt-in")

    recipient = Recipient(
        email=address,
        language="en",
        basis=NewsletterDelivery.Basis.CONSENT,
        consent_id=consent.pk,
    )
    page.goto(
        live_server.url + reverse("newsletter:unsubscribe", args=[unsubscribe_token(recipient)])
    )
    assert accessibility_violations(page) == []
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are unsubscribed")
    assert accessibility_violations(page) == []
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_r17_staff_write_preview_and_send_a_newsletter_on_accessible_pages(
    browser, live_server, smtp_server, token
):
    reader = f"reader-{token}@example.org"
    subscribe(reader)
    owner = StaffFactory(role=Role.OWNER)
    TOTP.activate(owner, SECRET)
    page = new_page(browser)
    page.goto(live_server.url + reverse("account_login"))
    page.locator("main form").get_by_label("Email").fill(owner.email)
    page.locator("main form").get_by_label("Password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.locator("input[name=code]").fill(current_code(SECRET))
    page.get_by_role("button", name="Sign In").click()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Newsletters").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Newsletters")
    assert accessibility_violations(page) == []
    page.get_by_role("link", name="Write a newsletter").click()
    page.get_by_role("button", name="Save and preview").click()  # nothing written
    expect(page.locator(".field-errors").first).to_be_visible()
    assert accessibility_violations(page) == []
    english = page.get_by_role("group", name="English")
    english.get_by_label("Subject in English").fill(f"Spring courses {token}")
    english.get_by_label("Text in English").fill("Three new courses start in March.")
    page.get_by_role("button", name="Save and preview").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Spring courses {token}")
    assert accessibility_violations(page) == []
    page.get_by_role("link", name="Send…").click()
    assert accessibility_violations(page) == []
    page.get_by_role("button", name="Send now").click()

    expect(page.locator("#newsletter-progress")).to_have_attribute("value", "100")
    assert accessibility_violations(page) == []
    (mail,) = smtp_server.wait_for(reader)
    assert mail.subject == f"Spring courses {token}"
