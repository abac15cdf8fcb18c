"""`{% load money %}{{ amount_minor|money:currency }}`: minor units written as people write money.

Danish and German put the currency after the amount with a comma for decimals and a point for
thousands ("1.234,56 kr.", "1.234,56 €"); English puts the ISO code first ("DKK 1,234.56",
"EUR 1,234.56"); a negative amount (a credit note) is "-1.234,56 kr." and "DKK -1,234.56".
The language is the active one (`translation.override` in emails and PDFs);
any other language is written the English way. The spaces are ordinary spaces, so a test or a
search can find the amount as typed.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.utils import translation

register = template.Library()

# Language -> (thousands separator, decimal separator, symbol after the amount per currency)
_AFTER = {
    "da": (".", ",", {"DKK": "kr.", "EUR": "€"}),
    "de": (".", ",", {"DKK": "kr.", "EUR": "€"}),
}


def format_money(amount_minor, currency: str, language: str | None = None) -> str:
    """Return `amount_minor` (øre or cent) written in `language` (default: the active one)."""
    if amount_minor is None or amount_minor == "":
        return ""
    try:
        minor = int(Decimal(str(amount_minor)))
    except (InvalidOperation, ValueError):
        return ""
    language = (language or translation.get_language() or "en").split("-")[0].lower()
    currency = (currency or "").upper()
    sign = "-" if minor < 0 else ""
    whole, cents = divmod(abs(minor), 100)
    if language in _AFTER:
        thousands, decimal, symbols = _AFTER[language]
        number = f"{whole:,}".replace(",", thousands) + f"{decimal}{cents:02d}"
        return f"{sign}{number} {symbols.get(currency, currency)}".rstrip()
    number = f"{whole:,}.{cents:02d}"
    return f"{currency} {sign}{number}".strip()


@register.filter
def money(amount_minor, currency: str = "") -> str:
    return format_money(amount_minor, currency)
