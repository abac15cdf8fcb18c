"""R11 prices, VAT as EU law places it, and coupons, computed on the server.

The seller is Danish (25 %); the product costs 800.00 DKK / 109.00 EUR net.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from coursekeeper.commerce.errors import CommerceError
from coursekeeper.commerce.factories import (
    CouponFactory,
    OrderFactory,
    PriceFactory,
    ProductFactory,
)
from coursekeeper.commerce.models import Order, Product, ShopSettings, VatScheme
from coursekeeper.commerce.pricing import claim_coupon, coupon_uses, quote
from coursekeeper.commerce.tests.providers_helpers import complete_seller

pytestmark = pytest.mark.django_db


@pytest.fixture
def product():
    complete_seller()
    product = ProductFactory(title="Bookkeeping", kind="course")
    PriceFactory(product=product, currency="DKK", amount_minor=80000)
    PriceFactory(product=product, currency="EUR", amount_minor=10900)
    return product


def test_r11_danish_consumer_pays_danish_vat(product):
    """R11: a buyer in the seller's own country pays the seller's VAT (domestic sale)."""
    result = quote(product=product, currency="DKK", buyer_country="DK")
    assert (result.subtotal_minor, result.discount_minor) == (80000, 0)
    assert (result.vat_minor, result.total_minor) == (20000, 100000)
    assert (result.vat.scheme, result.vat.country, result.vat.rate) == (
        VatScheme.DOMESTIC,
        "DK",
        Decimal("25.00"),
    )


def test_r11_german_consumer_pays_german_vat_through_oss_once_the_shop_chose_it(product):
    """R11 (Art. 58, 59c(3)): a consumer in another EU country pays that country's VAT."""
    ShopSettings.objects.filter(pk=ShopSettings.current().pk).update(
        destination_vat_chosen_at=timezone.now()
    )
    result = quote(product=product, currency="EUR", buyer_country="DE")
    assert (result.vat.scheme, result.vat.country) == (VatScheme.OSS, "DE")
    assert (result.vat_minor, result.total_minor) == (2071, 12971)  # 19 % of 109.00


def test_r11_below_threshold_the_seller_charges_its_own_vat(product):
    """R11 (Art. 59c): with no sales abroad yet, a German consumer pays Danish VAT."""
    result = quote(product=product, currency="EUR", buyer_country="DE")
    assert (result.vat.scheme, result.vat.country) == (VatScheme.HOME_BELOW_THRESHOLD, "DK")
    assert (result.vat_minor, result.total_minor) == (2725, 13625)


def test_r11_german_business_with_german_vat_number_is_reverse_charged(product):
    """R11: a business in another EU country with that country's VAT number pays no VAT."""
    result = quote(product=product, currency="EUR", buyer_country="DE", vat_number="DE 123.456.789")
    assert (result.vat.scheme, result.vat.country) == (VatScheme.REVERSE_CHARGE, "DE")
    assert (result.vat_minor, result.total_minor) == (0, 10900)


def test_r11_buyer_outside_the_eu_pays_no_eu_vat(product):
    """R11: a buyer outside the EU is outside the scope of EU VAT."""
    result = quote(product=product, currency="EUR", buyer_country="US")
    assert (result.vat.scheme, result.vat_minor, result.total_minor) == (
        VatScheme.OUTSIDE_EU,
        0,
        10900,
    )


def test_r11_exempt_education_carries_no_vat_for_anyone(product):
    """R11: a product marked VAT-exempt education has no VAT, even for a Danish consumer."""
    product.vat_exempt_education = True
    product.save()
    result = quote(product=product, currency="DKK", buyer_country="DK")
    assert (result.vat.scheme, result.vat_minor, result.total_minor) == (
        VatScheme.EXEMPT,
        0,
        80000,
    )


def test_r11_seats_multiply_the_net_price(product):
    """R11/R12: an employer's 3 places cost 3 times the net price, VAT on the whole."""
    result = quote(product=product, currency="DKK", buyer_country="DK", seats=3)
    assert (result.subtotal_minor, result.vat_minor, result.total_minor) == (240000, 60000, 300000)
    assert result.lines[0].quantity == 3


def test_r11_percentage_coupon_comes_off_before_vat_and_code_is_case_insensitive(product):
    """R11: a 10 % coupon, typed in lower case, takes 10 % off the net price before VAT."""
    CouponFactory(code="WELCOME10", percent_off=10)
    result = quote(product=product, currency="DKK", buyer_country="DK", coupon_code=" welcome10 ")
    assert (result.discount_minor, result.vat_minor, result.total_minor) == (8000, 18000, 90000)
    assert result.coupon is not None
    assert result.coupon.code == "WELCOME10"


def test_r11_amount_coupon_only_in_its_currency_and_never_below_zero(product):
    """R11: an amount coupon applies in its own currency only and never goes below zero."""
    CouponFactory(code="FIFTY", percent_off=None, amount_off_minor=5000, currency="DKK")
    CouponFactory(code="HUGE", percent_off=None, amount_off_minor=999999, currency="DKK")
    fifty = quote(product=product, currency="DKK", buyer_country="DK", coupon_code="FIFTY")
    assert (fifty.discount_minor, fifty.total_minor) == (5000, 93750)
    huge = quote(product=product, currency="DKK", buyer_country="DK", coupon_code="HUGE")
    assert (huge.discount_minor, huge.vat_minor, huge.total_minor) == (80000, 0, 0)
    with pytest.raises(CommerceError) as refusal:
        quote(product=product, currency="EUR", buyer_country="DK", coupon_code="FIFTY")
    assert refusal.value.code == "coupon_wrong_currency"


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"valid_until": dt.timedelta(days=-1)}, "coupon_expired"),
        ({"valid_from": dt.timedelta(days=1)}, "coupon_not_yet_valid"),
        ({"active": False}, "coupon_invalid"),
    ],
)
def test_r11_coupon_outside_its_window_is_refused(product, changes, code):
    """R11: an expired, not yet valid or switched-off coupon is refused with its reason."""
    now = timezone.now()
    values = {
        key: now + value if isinstance(value, dt.timedelta) else value
        for key, value in changes.items()
    }
    CouponFactory(code="WINDOW", **values)
    with pytest.raises(CommerceError) as refusal:
        quote(product=product, currency="DKK", buyer_country="DK", coupon_code="WINDOW")
    assert refusal.value.code == code


def test_r11_unknown_coupon_and_coupon_for_another_product_are_refused(product):
    """R11: a code that does not exist, or that belongs to other products, is refused."""
    CouponFactory(code="OTHER").products.add(ProductFactory())
    for code, reason in (("NOSUCH", "coupon_invalid"), ("OTHER", "coupon_not_for_product")):
        with pytest.raises(CommerceError) as refusal:
            quote(product=product, currency="DKK", buyer_country="DK", coupon_code=code)
        assert refusal.value.code == reason


def test_r11_used_up_coupon_counts_paid_and_open_checkouts(product):
    """R11: the usage limit counts paid orders and checkouts still open, not abandoned ones."""
    coupon = CouponFactory(code="TWICE", max_uses=2)
    now = timezone.now()
    OrderFactory(coupon=coupon, status=Order.Status.PAID)
    OrderFactory(
        coupon=coupon,
        status=Order.Status.PENDING,
        paid_at=None,
        expires_at=now - dt.timedelta(minutes=1),
    )
    OrderFactory(coupon=coupon, status=Order.Status.EXPIRED, paid_at=None)
    assert coupon_uses(coupon, now=now) == 1
    assert quote(product=product, currency="DKK", buyer_country="DK", coupon_code="TWICE")
    OrderFactory(
        coupon=coupon,
        status=Order.Status.PENDING,
        paid_at=None,
        expires_at=now + dt.timedelta(hours=1),
    )
    assert coupon_uses(coupon, now=now) == 2
    with pytest.raises(CommerceError) as refusal:
        quote(product=product, currency="DKK", buyer_country="DK", coupon_code="TWICE")
    assert refusal.value.code == "coupon_used_up"
    with pytest.raises(CommerceError) as claim:
        claim_coupon(coupon, now=now)
    assert claim.value.code == "coupon_used_up"


def test_r11_refusals_for_missing_price_inactive_product_and_bad_seats(product):
    """R11: no price in the currency, a product not for sale, or 0 places: refused."""
    other = ProductFactory(kind="course")
    PriceFactory(product=other, currency="DKK")
    with pytest.raises(CommerceError) as no_price:
        quote(product=other, currency="EUR", buyer_country="DK")
    assert no_price.value.code == "price_not_found"
    with pytest.raises(CommerceError) as no_seats:
        quote(product=product, currency="DKK", buyer_country="DK", seats=0)
    assert no_seats.value.code == "seats_invalid"
    product.active = False
    product.save()
    with pytest.raises(CommerceError) as inactive:
        quote(product=product, currency="DKK", buyer_country="DK")
    assert inactive.value.code == "product_not_found"


# --- Events: where they take place (Art. 53, 54) ------------------------------------------------


def event(*, attendance: str, country: str = "") -> Product:
    complete_seller()
    ticket = ProductFactory(
        title="Workshop", kind="event", event_attendance=attendance, event_country=country
    )
    PriceFactory(product=ticket, currency="EUR", amount_minor=10900)
    return ticket


def test_r11_an_in_person_event_in_denmark_carries_danish_vat_for_a_german_consumer():
    """R11 (Art. 54(1)): admission to an event in Denmark is supplied in Denmark."""
    result = quote(
        product=event(attendance="in_person", country="DK"), currency="EUR", buyer_country="DE"
    )
    assert (result.vat.scheme, result.vat.country, result.vat.rate) == (
        VatScheme.DOMESTIC,
        "DK",
        Decimal("25.00"),
    )
    assert (result.vat_minor, result.total_minor) == (2725, 13625)


def test_r11_the_same_event_streamed_carries_german_vat_for_a_german_consumer():
    """R11 (Art. 54(2)(b)): a streamed event is taxed where the consumer is, from the first euro
    (the Art. 59c threshold covers electronically supplied services only)."""
    result = quote(product=event(attendance="online"), currency="EUR", buyer_country="DE")
    assert (result.vat.scheme, result.vat.country, result.vat.rate) == (
        VatScheme.OSS,
        "DE",
        Decimal("19.00"),
    )
    assert (result.vat_minor, result.total_minor) == (2071, 12971)


def test_r11_a_business_pays_the_event_countrys_vat_for_admission_no_reverse_charge():
    """R11 (Art. 53): a German business with a German VAT number buying admission to an event
    in Denmark pays Danish VAT; streamed, the same ticket is reverse charged (Art. 44, 196)."""
    in_person = quote(
        product=event(attendance="in_person", country="DK"),
        currency="EUR",
        buyer_country="DE",
        vat_number="DE123456789",
    )
    streamed = quote(
        product=event(attendance="online"),
        currency="EUR",
        buyer_country="DE",
        vat_number="DE123456789",
    )
    assert (in_person.vat.scheme, in_person.vat.country, in_person.vat_minor) == (
        VatScheme.DOMESTIC,
        "DK",
        2725,
    )
    assert (streamed.vat.scheme, streamed.vat_minor) == (VatScheme.REVERSE_CHARGE, 0)


def test_r11_an_event_held_in_germany_carries_german_vat_even_for_a_danish_buyer():
    """R11 (Art. 54(1)): a Danish seller's workshop in Berlin is taxed in Germany."""
    result = quote(
        product=event(attendance="in_person", country="DE"), currency="EUR", buyer_country="DK"
    )
    assert (result.vat.scheme, result.vat.country, result.vat_minor) == (
        VatScheme.EVENT_VENUE,
        "DE",
        2071,
    )


def test_r11_an_event_attended_in_person_must_say_where():
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductFactory(kind="event", event_attendance="in_person", event_country="")
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductFactory(kind="course", event_attendance="online")
    assert Product.objects.count() == 0
