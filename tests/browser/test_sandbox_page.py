"""R12 in Chromium: the test provider's hosted page is accessible and pays without JavaScript."""

from __future__ import annotations

import pytest

from coursekeeper.commerce.models import Order, SandboxEvent
from coursekeeper.commerce.tests.providers_helpers import complete_seller, pending_order
from tests.browser.conftest import accessibility_violations
from tests.browser.test_account_journey import new_page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_r12_hosted_test_page_passes_wcag_aa_and_pays(browser, live_server, token):
    """R12: the page passes WCAG 2.2 AA checks; choosing a card and "Pay" (a plain form post,
    scripts off) returns the browser to the shop with the session id and the order is paid."""
    complete_seller()
    order, checkout = pending_order(token, country="DE", base_url=live_server.url)
    context = browser.new_context(locale="en-US", java_script_enabled=False)
    page = context.new_page()

    page.goto(f"{live_server.url}/pay/test/{checkout.session_id}/")

    assert page.get_by_role("heading", level=1).inner_text() == "Test payment"
    assert page.get_by_label("Country the card was issued in").input_value() == "DE"
    scripted = new_page(browser)
    scripted.goto(page.url)
    assert accessibility_violations(scripted) == []

    page.get_by_label("A card that is accepted", exact=True).check()
    page.get_by_role("button", name="Pay").click()

    assert page.url.startswith(f"{live_server.url}/checkout/{order.public_id}/return/")
    assert page.url.endswith(f"session_id={checkout.session_id}")
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert SandboxEvent.objects.get().delivered_at is not None
