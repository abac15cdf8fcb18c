"""R11: the EUR 10,000 One-Stop-Shop threshold (VAT Directive Art. 59c), computed from the sales.

The seller is Danish (25 %). A recorded course costs EUR 109.00 net; a German consumer pays
Danish VAT (EUR 27.25) while the seller is below the threshold, German VAT (EUR 20.71) after.
Earlier sales are invoices as the checkout leaves them; each new sale is priced by the real
quote and then invoiced the same way, as the checkout would.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from coursekeeper.accounts.choices import Role
from coursekeeper.accounts.factories import StaffFactory
from coursekeeper.commerce import oss
from coursekeeper.commerce.errors import CommerceError
from coursekeeper.commerce.factories import (
    InvoiceFactory,
    OrderFactory,
    OrderLineFactory,
    PriceFactory,
    ProductFactory,
)
from coursekeeper.commerce.models import Order, ShopSettings, VatScheme
from coursekeeper.commerce.pricing import Quote, quote
from coursekeeper.commerce.tests.providers_helpers import complete_seller
from coursekeeper.privacy.testing import audit_trail
from coursekeeper.privacy.tests.test_pages import staff_client

pytestmark = pytest.mark.django_db

COPENHAGEN = zoneinfo.ZoneInfo("Europe/Copenhagen")
MID_2026 = dt.datetime(2026, 6, 15, 12, 0, tzinfo=COPENHAGEN)


@pytest.fixture
def course():
    complete_seller()
    product = ProductFactory(title="Bookkeeping", kind="course")
    PriceFactory(product=product, currency="DKK", amount_minor=80000)
    PriceFactory(product=product, currency="EUR", amount_minor=10900)
    return product


def sold(
    net_minor: int,
    *,
    at: dt.datetime,
    currency: str = "EUR",
    scheme: str = VatScheme.OSS,
    country: str = "SE",
):
    """An invoiced sale (net amount) as the checkout leaves it."""
    return InvoiceFactory(
        issued_at=at,
        year=at.year,
        currency=currency,
        net_minor=net_minor,
        vat_minor=0,
        total_minor=net_minor,
        vat_scheme=scheme,
        vat_country=country,
        buyer_country=country,
    )


def invoice_quote(offer: Quote, *, at: dt.datetime, country: str):
    """Invoice a quoted sale as the checkout would, once it is paid."""
    return InvoiceFactory(
        issued_at=at,
        year=at.year,
        currency=offer.currency,
        net_minor=offer.net_minor,
        vat_minor=offer.vat_minor,
        total_minor=offer.total_minor,
        vat_scheme=offer.vat.scheme,
        vat_country=offer.vat.country,
        buyer_country=country,
    )


def vat_of(offer: Quote) -> tuple[str, str, int]:
    return (offer.vat.scheme, offer.vat.country, offer.vat_minor)


def test_r11_the_sale_that_crosses_the_threshold_and_every_later_one_carry_the_buyers_vat(
    course,
):
    """R11 (Art. 59c(1)(c), (2)): EUR 9,800.00 sold this year (EUR 8,800 plus DKK 7,440.00 at
    DKK 7.44 per euro); the next EUR 109.00 stays at 9,909.00 and carries Danish VAT; the one
    after takes the year to 10,018.00 and carries German VAT, and so does every later one."""
    sold(880000, at=dt.datetime(2026, 2, 1, tzinfo=COPENHAGEN))
    sold(744000, currency="DKK", scheme=VatScheme.HOME_BELOW_THRESHOLD, at=MID_2026)
    # Not counted: last year's sales (below the threshold), domestic and business sales, and
    # events, which Art. 59c does not cover.
    sold(900000, at=dt.datetime(2025, 11, 1, tzinfo=COPENHAGEN))
    sold(5000000, scheme=VatScheme.DOMESTIC, country="DK", at=MID_2026)
    sold(5000000, scheme=VatScheme.REVERSE_CHARGE, country="DE", at=MID_2026)
    streamed = ProductFactory(kind="event", event_attendance="online")
    event_order = OrderFactory(currency="EUR", vat_scheme=VatScheme.OSS, country="DE")
    OrderLineFactory(order=event_order, product=streamed)
    InvoiceFactory(
        order=event_order,
        issued_at=MID_2026,
        currency="EUR",
        net_minor=500000,
        vat_scheme=VatScheme.OSS,
        buyer_country="DE",
    )

    before = quote(product=course, currency="EUR", buyer_country="DE", now=MID_2026)
    invoice_quote(before, at=MID_2026, country="DE")
    crossing = quote(product=course, currency="EUR", buyer_country="DE", now=MID_2026)
    invoice_quote(crossing, at=MID_2026, country="DE")
    later = quote(product=course, currency="EUR", buyer_country="FR", now=MID_2026)
    later_in_kroner = quote(product=course, currency="DKK", buyer_country="DE", now=MID_2026)

    assert vat_of(before) == (VatScheme.HOME_BELOW_THRESHOLD, "DK", 2725)
    assert vat_of(crossing) == (VatScheme.OSS, "DE", 2071)
    assert vat_of(later) == (VatScheme.OSS, "FR", 2180)
    assert vat_of(later_in_kroner) == (VatScheme.OSS, "DE", 15200)
    figures = oss.threshold_figures(now=MID_2026)
    assert (figures.year, figures.previous_year_eur, figures.current_year_eur) == (
        2026,
        Decimal("9000.00"),
        Decimal("10018.00"),
    )
    assert (figures.current_year_exceeded, figures.home_vat_applies) == (True, False)


def test_r11_last_years_sales_above_the_threshold_mean_the_buyers_vat_from_january_first(course):
    """R11 (Art. 59c(1)(c)): EUR 10,000.01 sold last year: from the first minute of the new year
    every sale to a consumer abroad carries their country's VAT; at exactly EUR 10,000.00 the
    threshold is not exceeded."""
    new_year = dt.datetime(2027, 1, 1, 0, 1, tzinfo=COPENHAGEN)
    sold(1000000, at=dt.datetime(2026, 3, 1, tzinfo=COPENHAGEN))
    at_the_threshold = quote(product=course, currency="EUR", buyer_country="DE", now=new_year)
    sold(1, at=dt.datetime(2026, 12, 31, 23, 59, tzinfo=COPENHAGEN))

    above = quote(product=course, currency="EUR", buyer_country="DE", now=new_year)

    assert vat_of(at_the_threshold) == (VatScheme.HOME_BELOW_THRESHOLD, "DK", 2725)
    assert vat_of(above) == (VatScheme.OSS, "DE", 2071)
    assert oss.threshold_figures(now=new_year).previous_year_eur == Decimal("10000.01")


def test_r11_checkouts_not_yet_paid_count_so_two_buyers_cannot_both_stay_below(course):
    """R11: a buyer at the payment page with EUR 9,950.00 holds that much of the threshold."""
    sold(5000, at=MID_2026)
    OrderFactory(
        status=Order.Status.PENDING,
        currency="EUR",
        subtotal_minor=995000,
        discount_minor=0,
        vat_scheme=VatScheme.HOME_BELOW_THRESHOLD,
        created_at=MID_2026 - dt.timedelta(minutes=5),
        expires_at=MID_2026 + dt.timedelta(hours=23),
        paid_at=None,
    )

    offer = quote(product=course, currency="EUR", buyer_country="DE", now=MID_2026)

    assert vat_of(offer) == (VatScheme.OSS, "DE", 2071)
    figures = oss.threshold_figures(now=MID_2026)
    assert (figures.current_year_eur, figures.open_checkouts_eur) == (
        Decimal("10000.00"),
        Decimal("9950.00"),
    )


def test_r11_the_owner_may_opt_for_the_buyers_vat_from_the_first_euro_for_two_years(course):
    """R11 (Art. 59c(3)): the option applies at once and cannot be ended before 1 January of
    the second year after it was chosen; a refused end changes nothing."""
    owner = StaffFactory(role=Role.OWNER)
    support = StaffFactory(role=Role.SUPPORT)
    chosen_at = dt.datetime(2026, 3, 1, 9, 0, tzinfo=COPENHAGEN)

    with pytest.raises(CommerceError) as not_owner:
        oss.choose_destination_vat(acting_user=support, chosen=True, now=chosen_at)
    oss.choose_destination_vat(acting_user=owner, chosen=True, now=chosen_at)
    opted = quote(product=course, currency="EUR", buyer_country="DE", now=MID_2026)
    with pytest.raises(CommerceError) as binding:
        oss.choose_destination_vat(
            acting_user=owner, chosen=False, now=dt.datetime(2027, 12, 31, 23, 0, tzinfo=COPENHAGEN)
        )
    still_chosen = ShopSettings.current().destination_vat_chosen_at
    oss.choose_destination_vat(
        acting_user=owner, chosen=False, now=dt.datetime(2028, 1, 1, 0, 0, tzinfo=COPENHAGEN)
    )
    ended = quote(
        product=course,
        currency="EUR",
        buyer_country="DE",
        now=dt.datetime(2028, 1, 2, tzinfo=COPENHAGEN),
    )

    assert not_owner.value.code == "not_allowed"
    assert vat_of(opted) == (VatScheme.OSS, "DE", 2071)
    assert binding.value.code == "destination_vat_binding"
    assert "it can be ended from 1 January 2028" in binding.value.message
    assert still_chosen == chosen_at
    assert ShopSettings.current().destination_vat_chosen_at is None
    assert vat_of(ended) == (VatScheme.HOME_BELOW_THRESHOLD, "DK", 2725)
    shop = str(ShopSettings.current().pk)
    assert audit_trail() == [
        (owner.pk, "shopsettings", shop, "The buyer's country's VAT chosen from the first euro"),
        (owner.pk, "shopsettings", shop, "The buyer's country's VAT option ended"),
    ]


def test_r11_shop_staff_see_the_figures_and_only_the_owner_changes_the_option(course):
    year = timezone.localtime(timezone.now(), COPENHAGEN).year
    sold(990900, at=dt.datetime(year, 1, 1, 0, 30, tzinfo=COPENHAGEN))
    sold(100000, at=dt.datetime(year - 1, 5, 5, tzinfo=COPENHAGEN))
    url = reverse("commerce_staff:vat")
    support = staff_client(Role.SUPPORT)
    owner = staff_client(Role.OWNER)

    choice = reverse("commerce_staff:vat_choice")
    page = support.get(url).content.decode()
    refused = support.post(choice, {"chosen": "on"})
    unchanged = ShopSettings.current().destination_vat_chosen_at
    owner.post(choice, {"chosen": "on"})
    ended_too_soon = owner.post(choice, {})
    after = owner.get(url).content.decode()

    assert f'in {year - 1}</dt>\n    <dd id="vat-previous-year">EUR 1,000.00</dd>' in page
    assert f'in {year} so far</dt>\n    <dd id="vat-current-year">EUR 9,909.00</dd>' in page
    assert "Our own country's VAT, for sales of another EUR 91.00 this year." in page
    assert "Only the school owner can change this." in page
    assert (refused.status_code, unchanged) == (403, None)
    assert ended_too_soon.status_code == 400
    assert ended_too_soon.context["form"].errors["chosen"] == [
        "The choice of the buyer's country's VAT binds the shop for two calendar years "
        f"(VAT Directive Art. 59c(3)); it can be ended from 1 January {year + 2}. Nothing was changed."
    ]
    assert ShopSettings.current().destination_vat_chosen_at is not None
    assert "the shop chose it from the first euro" in after
    assert f"it can be ended from 1 January {year + 2}" in after
