"""What a product costs a buyer: the net price, the coupon, the VAT, the total (R11).

A quote is computed on the server every time, from the active `Price` (net), the coupon and
the VAT decision for the buyer's country and status; nothing a browser posts is trusted. A
quote only reads. The coupon's usage limit is checked again, under a row lock on the coupon,
by `claim_coupon` in the transaction that creates the order, so two buyers cannot both take
its last use.

Money is in whole minor units throughout. The discount comes off the net price before VAT,
and the VAT is computed once on the discounted net total.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.utils import timezone

from coursekeeper.commerce import vat
from coursekeeper.commerce.errors import CommerceError
from coursekeeper.commerce.models import Coupon, Order, Price, Product, VatScheme

MAX_SEATS = 500


@dataclass(frozen=True)
class QuoteLine:
    product: Product
    description: str
    quantity: int
    unit_net_minor: int  # the net price of one seat, before the discount
    net_minor: int  # the line's net amount after the discount
    vat_minor: int


@dataclass(frozen=True)
class Quote:
    product: Product
    currency: str
    seats: int
    lines: tuple[QuoteLine, ...]
    subtotal_minor: int  # net, before the discount
    discount_minor: int
    vat_minor: int
    total_minor: int  # what the buyer pays, VAT included
    vat: vat.VatDecision
    coupon: Coupon | None = None

    @property
    def net_minor(self) -> int:
        return self.subtotal_minor - self.discount_minor

    @property
    def vat_scheme_label(self) -> str:
        return str(VatScheme(self.vat.scheme).label)


def seller_country() -> str:
    """Return the seller's country, from the provider's settings (the controller's details)."""
    from coursekeeper.privacy.models import ProviderSettings

    return ProviderSettings.load().country or "DK"


def active_price(*, product: Product, currency: str) -> Price:
    price = Price.objects.filter(product=product, currency=currency, active=True).first()
    if price is None:
        raise CommerceError("price_not_found")
    return price


def coupon_uses(coupon: Coupon, *, now: dt.datetime) -> int:
    """Return how many uses of `coupon` are taken: paid orders and checkouts still open.

    A checkout that is still open holds its use until it expires, so the last use cannot be
    sold twice while the first buyer is at the payment provider. A fully refunded order gave
    its use back.
    """
    return (
        Order.objects.filter(coupon=coupon)
        .filter(
            Q(status__in=[Order.Status.PAID, Order.Status.PARTIALLY_REFUNDED])
            | Q(status=Order.Status.PENDING, expires_at__gt=now)
        )
        .count()
    )


def find_coupon(*, code: str, product: Product, currency: str, now: dt.datetime) -> Coupon:
    """Return the coupon a buyer typed, or refuse with the reason it does not apply."""
    code = (code or "").strip()
    coupon = Coupon.objects.filter(code__iexact=code, active=True).first() if code else None
    if coupon is None:
        raise CommerceError("coupon_invalid")
    if coupon.valid_from and coupon.valid_from > now:
        raise CommerceError("coupon_not_yet_valid")
    if coupon.valid_until and coupon.valid_until <= now:
        raise CommerceError("coupon_expired")
    if coupon.products.exists() and not coupon.products.filter(pk=product.pk).exists():
        raise CommerceError("coupon_not_for_product")
    if coupon.amount_off_minor is not None and coupon.currency != currency:
        raise CommerceError("coupon_wrong_currency")
    if coupon.max_uses is not None and coupon_uses(coupon, now=now) >= coupon.max_uses:
        raise CommerceError("coupon_used_up")
    return coupon


def claim_coupon(coupon: Coupon, *, now: dt.datetime) -> Coupon:
    """Lock the coupon's row and check its limit again; call inside the order's transaction.

    The order created in the same transaction is what takes the use, so a second buyer waiting
    on the lock counts it. (SQLite has no row locks; there the transaction itself is the lock,
    as the project opens write transactions IMMEDIATE.)
    """
    locked = Coupon.objects.select_for_update().get(pk=coupon.pk)
    if not locked.active:
        raise CommerceError("coupon_invalid")
    if locked.max_uses is not None and coupon_uses(locked, now=now) >= locked.max_uses:
        raise CommerceError("coupon_used_up")
    return locked


def _discount(coupon: Coupon | None, subtotal_minor: int) -> int:
    if coupon is None:
        return 0
    if coupon.percent_off is not None:
        off = Decimal(subtotal_minor) * Decimal(coupon.percent_off) / 100
        return min(subtotal_minor, int(off.quantize(Decimal("1"), rounding=ROUND_HALF_UP)))
    # An amount never takes the price below zero.
    return min(subtotal_minor, coupon.amount_off_minor or 0)


def quote(
    *,
    product: Product,
    currency: str,
    seats: int = 1,
    coupon_code: str = "",
    buyer_country: str,
    vat_number: str = "",
    now: dt.datetime | None = None,
) -> Quote:
    """Return what `product` costs this buyer now; refuse with a CommerceError otherwise."""
    from coursekeeper.commerce import oss  # oss reads the seller's country from here

    now = now or timezone.now()
    if not product.active:
        raise CommerceError("product_not_found")
    if seats < 1 or seats > MAX_SEATS or (seats > 1 and product.kind == Product.Kind.SUBSCRIPTION):
        raise CommerceError("seats_invalid")
    price = active_price(product=product, currency=currency)
    coupon = (
        find_coupon(code=coupon_code, product=product, currency=currency, now=now)
        if (coupon_code or "").strip()
        else None
    )
    subtotal = price.amount_minor * seats
    discount = _discount(coupon, subtotal)
    net = subtotal - discount
    supply, event_country = vat.supply_of(product)
    decision = vat.decide_vat(
        seller_country=seller_country(),
        buyer_country=(buyer_country or "").upper(),
        vat_number=vat.normalise_vat_number(vat_number),
        exempt_education=product.vat_exempt_education,
        supply=supply,
        event_country=event_country,
        home_vat_allowed=lambda: oss.home_vat_allowed(net_minor=net, currency=currency, now=now),
    )
    vat_minor = vat.vat_of(net, decision.rate)
    line = QuoteLine(
        product=product,
        description=product.title,
        quantity=seats,
        unit_net_minor=price.amount_minor,
        net_minor=net,
        vat_minor=vat_minor,
    )
    return Quote(
        product=product,
        currency=currency,
        seats=seats,
        lines=(line,),
        subtotal_minor=subtotal,
        discount_minor=discount,
        vat_minor=vat_minor,
        total_minor=net + vat_minor,
        vat=decision,
        coupon=coupon,
    )
