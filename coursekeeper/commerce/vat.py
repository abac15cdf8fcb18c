"""Which VAT an online course sale carries, as EU law places it (LEGAL.md, "VAT on courses").

- A business buyer with a VAT number in another EU country: reverse charge (Art. 44, 196).
- A consumer in another EU country: that country's rate through the One-Stop-Shop (Art. 58),
  unless the seller is below the EUR 10,000 threshold and chose its own rate (Art. 59c).
- A buyer in the seller's own country: the seller's rate.
- A buyer outside the EU: outside the scope of EU VAT.
- A product marked as exempt education: no VAT (Art. 132(1)(i)), whoever buys it.

Rates are data (`VatRate`), so a country's change of rate is an edit, not a release.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from coursekeeper.commerce.models import VatRate, VatScheme

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


def decide_vat(
    *,
    seller_country: str,
    buyer_country: str,
    vat_number: str = "",
    exempt_education: bool = False,
    home_vat_below_threshold: bool = False,
) -> VatDecision:
    """Return the VAT scheme, country and rate for one sale."""
    zero = Decimal("0")
    if exempt_education:
        return VatDecision(VatScheme.EXEMPT, "", zero)
    if buyer_country == seller_country:
        return VatDecision(VatScheme.DOMESTIC, seller_country, standard_rate(seller_country))
    if not is_eu(buyer_country):
        return VatDecision(VatScheme.OUTSIDE_EU, "", zero)
    if vat_number and vat_number_country(vat_number) == buyer_country:
        return VatDecision(VatScheme.REVERSE_CHARGE, buyer_country, zero)
    if home_vat_below_threshold:
        return VatDecision(
            VatScheme.HOME_BELOW_THRESHOLD, seller_country, standard_rate(seller_country)
        )
    return VatDecision(VatScheme.OSS, buyer_country, standard_rate(buyer_country))


def vat_of(net_minor: int, rate: Decimal) -> int:
    """Return the VAT on a net amount in minor units, rounded half up to a whole unit."""
    return int((Decimal(net_minor) * rate / 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
