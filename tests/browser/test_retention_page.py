"""R33 in Chromium: the staff retention page (chart and table) passes WCAG 2.2 AA checks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from coursekeeper.accounts.choices import Role
from coursekeeper.messaging.factories import OutboxMessageFactory
from coursekeeper.privacy.sweep import run_sweep
from coursekeeper.privacy.tests.shapes.factories import HeldRecordFactory
from coursekeeper.privacy.tests.test_pages import staff_client
from tests.browser.conftest import accessibility_violations
from tests.browser.test_account_journey import new_page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_r33_the_retention_page_passes_wcag_aa_checks(browser, live_server):
    now = timezone.now()
    for days in (3, 10, 10, 24):
        OutboxMessageFactory(status="done", sent_at=now + timedelta(days=days - 30))
    HeldRecordFactory(held_until=now + timedelta(days=40))
    run_sweep()
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

    page.goto(live_server.url + reverse("privacy:retention"))

    assert page.get_by_role("heading", level=1).inner_text() == "Retention"
    chart = page.get_by_role("img", name="Rows expiring in each of the next 8 weeks")
    assert chart.count() == 1
    assert page.get_by_role("table").count() == 2  # the forecast and the last runs
    assert accessibility_violations(page) == []
