"""Which VAT an online course sale carries, as EU law places it (LEGAL.md, "VAT on courses").

What is sold decides the place of supply first (`Supply`):
- Recorded courses, bundles and subscriptions are electronically supplied services (Art. 58,
  Implementing Regulation 282/2011 Art. 7 and Annex I(5)).
- A live-streamed event (teaching over a link, with the teacher there) is not an electronically
  supplied service (Reg. 282/2011 Art. 7(3)(j)); since 2025 it is taxed where the consumer is
  (Art. 54(2)(b), added by Directive 2022/542), and for a business under the general rule
  (Art. 44: Art. 53 no longer applies where attendance is virtual).
- Admission to an event attended in person is taxed where the event takes place, whoever buys
  (Art. 53 for a business, Art. 54(1) for a consumer): see `decide_vat`.

Then the buyer:
- A business buyer with a VAT number in another EU country: reverse charge (Art. 44, 196).
- A consumer in another EU country: that country's rate through the One-Stop-Shop (Art. 58,
  Art. 54(2)(b)); for electronically supplied services only, the seller's own rate while it
  stays below the EUR 10,000 threshold and has not opted out of it (Art. 59c, computed from
  the sales in `commerce.oss`).
- A buyer in the seller's own country: the seller's rate.
- A buyer outside the EU: outside the scope of EU VAT.
- A product marked as exempt education: no VAT (Art. 132(1)(i)), whoever buys it.

Rates are data (`VatRate`), so a country's change of rate is an edit, not a release. Only
standard rates are kept: a reduced rate a country may set for admission to events (Annex
III(7)) is not applied.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from coursekeeper.commerce.models import Product, VatRate, VatScheme

# Standard rates seeded by the migration; staff keep them current in the administration.
EU_STANDARD_RATES = {
    "AT": "20", "BE": "21", "BG": "20", "CY": "19", "CZ": "21", "DE": "19", "DK": "25",
    "EE": "24", "ES": "21", "FI": "25.5", "FR": "20", "GR": "24", "HR": "25", "HU": "27",
    "IE": "23", "IT": "22", "LT": "21", "LU": "17", "LV": "21", "MT": "18", "NL": "21",
    "PL": "23", "PT": "23", "RO": "21", "SE": "25", "SI": "22", "SK": "23",
}  # fmt: skip

# VAT numbers start with the country's code; Greece uses EL.
_VAT_NUMBER = re.compile(r"^(?P<prefix>[A-Z]{2})[0-9A-Z+*]{2,13}$")


@dataclass(frozen=True)
class VatDecision:
    scheme: str  # a VatScheme value
    country: str  # whose VAT applies ("" when none does)
    rate: Decimal  # percent

    @property
    def charges_vat(self) -> bool:
        return self.rate > 0


def normalise_vat_number(value: str) -> str:
    return re.sub(r"[\s.\-]", "", value or "").upper()


def vat_number_country(vat_number: str) -> str | None:
    """Return the EU country a VAT number's prefix names, or None if it is not one.

    Only the form is checked here; whether the number is registered is checked in VIES by the
    provider's accountant (the EU service cannot be reached from every installation).
    """
    match = _VAT_NUMBER.match(normalise_vat_number(vat_number))
    if not match:
        return None
    prefix = match["prefix"]
    country = "GR" if prefix == "EL" else prefix
    return country if country in EU_STANDARD_RATES else None


def is_eu(country: str) -> bool:
    row = VatRate.objects.filter(country=country).only("in_eu").first()
    return bool(row and row.in_eu) if row else country in EU_STANDARD_RATES


def standard_rate(country: str) -> Decimal:
    row = VatRate.objects.filter(country=country).only("rate").first()
    if row is not None:
        return row.rate
    return Decimal(EU_STANDARD_RATES[country])


class Supply(enum.StrEnum):
    """What a sale supplies, as the place-of-supply rules tell services apart."""

    ELECTRONIC = "electronic"  # recorded courses, bundles, subscriptions: Art. 58
    STREAMED = "streamed"  # a live-streamed event: Art. 54(2)(b), Art. 44
    ADMISSION = "admission"  # admission to an event attended in person: Art. 53, 54(1)


def supply_of(product: Product) -> tuple[Supply, str]:
    """Return what `product` supplies and, for admission to an event, the event's country."""
    if product.kind == Product.Kind.EVENT:
        if product.event_attendance == Product.Attendance.IN_PERSON:
            return Supply.ADMISSION, product.event_country
        return Supply.STREAMED, ""
    return Supply.ELECTRONIC, ""


def decide_vat(
    *,
    seller_country: str,
    buyer_country: str,
    vat_number: str = "",
    exempt_education: bool = False,
    supply: Supply = Supply.ELECTRONIC,
    event_country: str = "",
    home_vat_allowed: Callable[[], bool] | None = None,
) -> VatDecision:
    """Return the VAT scheme, country and rate for one sale (see the module docstring).

    `home_vat_allowed` answers whether the seller is still below the Art. 59c threshold with
    this sale (`commerce.oss`); it is asked only for a sale it decides, so a domestic sale never
    sums the year's invoices.
    """
    zero = Decimal("0")
    if exempt_education:
        return VatDecision(VatScheme.EXEMPT, "", zero)
    if supply == Supply.ADMISSION:
        # Admission to an event attended in person is supplied where the event takes place:
        # for a consumer under Art. 54(1), for a business under Art. 53, which sets aside the
        # general rule of Art. 44 for admission. So neither the buyer's country nor a VAT
        # number matters, and there is no reverse charge of the buyer's country (Art. 196
        # covers Art. 44 services only). An event in the seller's own country is a domestic
        # sale; one in another EU country owes that country's VAT, which the seller declares
        # there (through the One-Stop-Shop for consumers, Art. 369b; for a business through a
        # registration there, unless that country makes the business buyer account for it
        # under Art. 194, which the seller's accountant checks).
        if event_country == seller_country:
            return VatDecision(VatScheme.DOMESTIC, seller_country, standard_rate(seller_country))
        if not is_eu(event_country):
            return VatDecision(VatScheme.OUTSIDE_EU, "", zero)
        return VatDecision(VatScheme.EVENT_VENUE, event_country, standard_rate(event_country))
    if buyer_country == seller_country:
        return VatDecision(VatScheme.DOMESTIC, seller_country, standard_rate(seller_country))
    if not is_eu(buyer_country):
        return VatDecision(VatScheme.OUTSIDE_EU, "", zero)
    if vat_number and vat_number_country(vat_number) == buyer_country:
        return VatDecision(VatScheme.REVERSE_CHARGE, buyer_country, zero)
    # Art. 59c covers electronically supplied services only: a streamed event carries the
    # consumer's country's VAT from the first euro (Art. 54(2)(b)).
    if supply == Supply.ELECTRONIC and home_vat_allowed is not None and home_vat_allowed():
        return VatDecision(
            VatScheme.HOME_BELOW_THRESHOLD, seller_country, standard_rate(seller_country)
        )
    return VatDecision(VatScheme.OSS, buyer_country, standard_rate(buyer_country))


def vat_of(net_minor: int, rate: Decimal) -> int:
    """Return the VAT on a net amount in minor units, rounded half up to a whole unit."""
    return int((Decimal(net_minor) * rate / 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
