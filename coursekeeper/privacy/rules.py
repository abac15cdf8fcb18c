"""Per-country rule packs: the legal numbers from LEGAL.md, as data.

A provider in another country adds a pack here (or, later, in the database) instead of
changing code. Denmark and Germany come first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class HoldRule:
    """Keep a record `years` after `counted_from` because `law` says so."""

    years: int
    counted_from: str  # "end_of_financial_year" | "end_of_calendar_year" | "event"
    law: str


RULE_PACKS: dict[str, dict[str, HoldRule]] = {
    "DK": {
        "bookkeeping": HoldRule(
            5, "end_of_financial_year", "bogføringsloven (lov nr. 700 af 24/05/2022)"
        ),
        "limitation": HoldRule(3, "event", "forældelsesloven § 3"),
        "oss_records": HoldRule(10, "end_of_calendar_year", "VAT Directive Art. 369k"),
    },
    "DE": {
        "bookkeeping": HoldRule(8, "end_of_calendar_year", "§ 147(3) AO, § 257(4) HGB, § 14b UStG"),
        "books": HoldRule(10, "end_of_calendar_year", "§ 147(3) AO"),
        "commercial_letters": HoldRule(6, "end_of_calendar_year", "§ 257 HGB"),
        "limitation": HoldRule(3, "end_of_calendar_year", "§§ 195, 199 BGB"),
        "oss_records": HoldRule(10, "end_of_calendar_year", "VAT Directive Art. 369k"),
    },
}


def hold_rule(country: str, rule: str) -> HoldRule:
    try:
        return RULE_PACKS[country][rule]
    except KeyError as error:
        raise LookupError(f"No rule {rule!r} for country {country!r}.") from error


def release_date(
    *,
    country: str,
    rule: str,
    event_at: dt.datetime,
    financial_year_end: tuple[int, int] = (12, 31),
) -> dt.datetime:
    """Return when a record held under `rule` in `country` may be deleted.

    Periods counted from the end of a (financial or calendar) year start at the first moment
    after that year ends, as the bookkeeping laws count them.
    """
    spec = hold_rule(country, rule)
    if spec.counted_from == "event":
        start = event_at
    else:
        month, day = (12, 31) if spec.counted_from == "end_of_calendar_year" else financial_year_end
        year_end = event_at.replace(month=month, day=day, hour=0, minute=0, second=0, microsecond=0)
        if year_end < event_at.replace(hour=0, minute=0, second=0, microsecond=0):
            year_end = year_end.replace(year=year_end.year + 1)
        start = year_end + dt.timedelta(days=1)
    try:
        return start.replace(year=start.year + spec.years)
    except ValueError:
        return start.replace(year=start.year + spec.years, day=28)
