"""R1 in Chromium: a visitor reports a minor's account from the footer, the privacy officer
confirms the report, and the account is gone; every page on the way passes WCAG 2.2 AA checks."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from coursekeeper.accounts.choices import Role
from coursekeeper.accounts.factories import UserFactory
from coursekeeper.accounts.models import User
from coursekeeper.privacy.models import MinorReport
from coursekeeper.privacy.tests.test_pages import staff_client
from tests.browser.conftest import accessibility_violations
from tests.browser.test_account_journey import new_page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_r1_a_visitor_reports_a_minor_and_the_privacy_officer_erases_the_account(
    browser, live_server, token
):
    learner = UserFactory(email=f"young-{token}@example.org")
    visitor = new_page(browser)
    visitor.goto(live_server.url + reverse("web:home"))

    visitor.locator("footer").get_by_role("link", name="Report a minor's account").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text(
        "Report an account that belongs to a minor"
    )
    assert accessibility_violations(visitor) == []
    visitor.get_by_role("button", name="Send the report").click()  # nothing filled in
    expect(visitor.locator(".field-errors").first).to_be_visible()
    assert accessibility_violations(visitor) == []
    visitor.get_by_label("Which account is it?").fill(learner.email)
    visitor.get_by_label("What makes you think the person is under 18?").fill(
        "She wrote in the forum that she is 13."
    )
    visitor.get_by_role("button", name="Send the report").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Thank you for your report")
    report = MinorReport.objects.get()

    officer = new_page(browser)
    officer.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": staff_client(Role.PRIVACY_OFFICER)
                .cookies[settings.SESSION_COOKIE_NAME]
                .value,
                "url": live_server.url,
            }
        ]
    )
    officer.goto(live_server.url + reverse("web:home"))
    officer.get_by_role("link", name="Reports of minors' accounts").click()
    assert accessibility_violations(officer) == []
    officer.get_by_role("link", name=f"#{report.pk}").click()
    assert accessibility_violations(officer) == []
    officer.get_by_label("I checked: the account belongs to someone under 18. Erase it.").check()
    officer.get_by_role("button", name="Confirm and erase").click()

    expect(officer.locator(".messages")).to_contain_text("The report is confirmed.")
    assert accessibility_violations(officer) == []
    assert User.objects.filter(pk=learner.pk).count() == 0
