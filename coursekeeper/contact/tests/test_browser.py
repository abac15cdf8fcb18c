"""R19, R44 in Chromium: the contact form and the staff inbox pass WCAG 2.2 AA checks (axe-core),
with and without errors, and a message with a script is shown as text and never runs."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from coursekeeper.accounts.choices import Role
from coursekeeper.accounts.factories import PASSWORD, StaffFactory
from coursekeeper.accounts.tests.test_login import current_code
from coursekeeper.contact import services
from coursekeeper.contact.models import ContactEntry
from tests.browser.conftest import accessibility_violations, browser  # noqa: F401 - fixture
from tests.browser.test_account_journey import new_page

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
SCRIPT = '<script>alert("gotcha")</script><img src=x onerror="alert(1)">'


def watch_dialogs(page: Page) -> list[str]:
    """Collect every alert the page opens: a script that ran would open one."""
    opened: list[str] = []

    def dismiss(dialog) -> None:
        opened.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    return opened


def sign_in_staff(page: Page, base: str, role: str) -> None:
    staff = StaffFactory(role=role)
    TOTP.activate(staff, SECRET)
    page.goto(base + reverse("account_login"))
    form = page.locator("main form")
    form.get_by_label("Email").fill(staff.email)
    form.get_by_label("Password").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(base + reverse("mfa_authenticate"))
    page.locator("main form input[name=code]").fill(current_code(SECRET))
    page.locator("main form button[type=submit]").first.click()
    expect(page).not_to_have_url(base + reverse("mfa_authenticate"))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_r19_r44_the_contact_form_passes_wcag_aa_checks_and_sends(browser, live_server, token):  # noqa: F811
    page = new_page(browser)
    dialogs = watch_dialogs(page)
    page.goto(live_server.url + reverse("contact:form"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Contact us")
    assert accessibility_violations(page) == []

    page.get_by_role("button", name="Send the message").click()  # nothing filled in
    expect(page.locator(".field-errors").first).to_be_visible()
    assert accessibility_violations(page) == []
    assert ContactEntry.objects.count() == 0

    page.get_by_label(re.compile(r"^Name")).fill(f"Bea {token}")
    page.get_by_label("Email address").fill(f"bea-{token}@example.org")
    page.get_by_label("Your message").fill(SCRIPT)
    page.get_by_role("button", name="Send the message").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for your message")
    assert accessibility_violations(page) == []
    assert ContactEntry.objects.get().text == SCRIPT
    assert dialogs == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_r19_the_staff_inbox_passes_wcag_aa_checks_and_shows_markup_as_text(
    browser,  # noqa: F811
    live_server,
    token,
):
    services.receive_message(name=f"Sam {token}", email=f"sam-{token}@example.org", message=SCRIPT)
    base = live_server.url
    page = new_page(browser)
    dialogs = watch_dialogs(page)
    sign_in_staff(page, base, Role.SUPPORT)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Contacts").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Contacts")
    assert accessibility_violations(page) == []

    page.get_by_role("link", name=f"Sam {token}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Sam {token}")
    expect(page.locator(".thread")).to_contain_text(SCRIPT)
    assert accessibility_violations(page) == []

    # A call logged in the future is refused with the notes kept; then logged right.
    log = page.locator("form", has=page.get_by_role("heading", name="Log a call or an email"))
    tomorrow = timezone.localtime() + dt.timedelta(days=1)
    log.get_by_label("When").fill(tomorrow.strftime("%Y-%m-%dT%H:%M"))
    log.get_by_label("What was said").fill(f"Called back {token}")
    log.get_by_role("button", name="Log it").click()
    expect(page.locator(".field-errors").first).to_contain_text(
        "A contact cannot be logged in the future."
    )
    assert accessibility_violations(page) == []
    log = page.locator("form", has=page.get_by_role("heading", name="Log a call or an email"))
    expect(log.get_by_label("What was said")).to_have_value(f"Called back {token}")
    log.get_by_label("When").fill(timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
    log.get_by_role("button", name="Log it").click()
    expect(page.get_by_role("status")).to_contain_text("The contact is logged.")
    expect(page.locator(".thread")).to_contain_text(f"Called back {token}")
    assert ContactEntry.objects.filter(channel="phone").count() == 1

    page.get_by_role("link", name="Back to the contacts").click()
    page.get_by_role("link", name="Log a call or an email from someone new").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a call or an email")
    assert accessibility_violations(page) == []
    assert dialogs == []
