"""A visitor buys a course through the built-in test provider's page, in Chromium (R11-R15)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from coursekeeper.accounts.models import User
from coursekeeper.commerce.factories import PriceFactory, ProductFactory
from coursekeeper.commerce.models import Invoice, Order
from coursekeeper.commerce.tests.providers_helpers import complete_seller
from coursekeeper.learning.factories import CourseFactory
from coursekeeper.learning.models import Enrollment
from tests.browser.conftest import accessibility_violations

PASSWORD = "a lantern by the harbour 17"
TIMEOUT_MS = 15_000


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_r12_visitor_buys_a_course_and_lands_enrolled_and_signed_in(
    browser, live_server, smtp_server, token
):
    """R11, R12, R14, R15: from the course page through the test provider's hosted page.

    The visitor sees the price with VAT, gives billing details and a password (no card field),
    asks for immediate access, pays on the provider's page and comes back signed in and
    enrolled; the receipt arrives over SMTP, the invoice PDF downloads, and axe-core finds no
    WCAG 2.2 AA violation on the checkout page.
    """
    base = live_server.url
    complete_seller()
    course = CourseFactory(title=f"Harbour bookkeeping {token}", is_published=True)
    product = ProductFactory(title=f"Harbour bookkeeping {token}", kind="course")
    product.courses.add(course)
    PriceFactory(product=product, currency="DKK", amount_minor=80000)
    PriceFactory(product=product, currency="EUR", amount_minor=10900)
    email = f"buyer-{token}@example.org"

    context = browser.new_context(locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        # 1. The course page offers it for sale, not for free.
        page.goto(base + reverse("learning:course", args=[course.slug]))
        expect(page.locator("main")).not_to_contain_text("Enrol for free")
        page.locator("main").get_by_role("link", name="Buy").click()
        expect(page).to_have_url(base + reverse("checkout:start", args=[product.slug]))
        form = page.locator("main form.checkout-form")
        expect(form.locator("input[name*=card i]")).to_have_count(0)

        # 2. Danish kroner, Denmark: update the price, then fill in the rest.
        form.get_by_label("DKK").check()
        form.get_by_label("Country", exact=True).select_option("DK")
        form.get_by_role("button", name="Update the price").click()
        expect(page.locator("#checkout-total")).to_have_text("DKK 1,000.00")
        assert accessibility_violations(page) == []

        form = page.locator("main form.checkout-form")
        form.get_by_label("Full name").fill(f"Hanne {token} Havn")
        form.get_by_label("Email").fill(email)
        form.get_by_label("Street address").fill(f"Havnegade {token}")
        form.get_by_label("Postal code").fill("5000")
        form.get_by_label("City").fill("Odense C")
        form.get_by_label("Password for your new account").fill(PASSWORD)
        form.get_by_label("I confirm that I am 18 or older.").check()
        form.get_by_label("I ask for access to the course content to start at once").check()
        form.get_by_label("I know that I lose my right of withdrawal").check()
        form.get_by_role("button", name="Continue to payment").click()

        # 3. The test provider's hosted page: pay with a card that is accepted.
        order = Order.objects.get(email=email)
        expect(page).to_have_url(base + f"/pay/test/{order.provider_session_id}/")
        page.get_by_role("button", name="Pay").click()

        # 4. Back on our return page: paid, signed in, enrolled.
        expect(page.locator("main h1")).to_have_text("Thank you for your purchase")
        expect(page.locator("header").get_by_role("button", name="Sign out")).to_have_count(1)
        person = User.objects.get(email=email)
        assert Enrollment.objects.filter(learner=person, course=course).count() == 1
        order.refresh_from_db()
        assert (order.status, order.buyer, order.total_minor) == (Order.Status.PAID, person, 100000)

        # 5. The receipt, over real SMTP, names the invoice; the invoice PDF downloads.
        invoice = Invoice.objects.get(order=order)
        (mail,) = smtp_server.wait_for(email)
        assert mail.subject == f"Your receipt, invoice {invoice.number}"
        assert "DKK 1,000.00" in mail.text
        assert f"/me/invoices/{invoice.number}/" in mail.text
        pdf = page.request.get(base + reverse("invoices:mine", args=[invoice.number]))
        assert pdf.status == 200
        assert pdf.headers["content-type"] == "application/pdf"
        assert pdf.body().startswith(b"%PDF")
        page.get_by_role("link", name=course.title).click()
        expect(page.locator("main h1")).to_have_text(course.title)
    finally:
        context.close()
