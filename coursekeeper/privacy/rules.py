"""Per-country rule packs: the legal numbers from LEGAL.md, as data.

A provider in another country adds a pack here (or, later, in the database) instead of
changing code. Denmark and Germany come first. Two kinds of numbers live here:

- `RULE_PACKS`: how long a record is held and under which law (`HoldRule`), per country;
- `COUNTRY_RULES`: the country's calendar and money: its time zone and public holidays (which
  decide where a period counted in days ends, Regulation 1182/71) and the fixed rate its
  currency is counted at against the euro amounts of EU law (the One-Stop-Shop threshold).

The rules that place a sale's VAT are not here: they are the same EU law everywhere and live
in `coursekeeper.commerce.vat`.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings


@dataclass(frozen=True)
class HoldRule:
    """Keep a record `years` after `counted_from` because `law` says so.

    A period the provider sets itself within the law (how long a customer's data outlives the
    customer relationship, R20) names what it rests on instead of a law that demands it.
    """

    years: int
    counted_from: str  # "end_of_financial_year" | "end_of_calendar_year" | "event"
    law: str


RULE_PACKS: dict[str, dict[str, HoldRule]] = {
    "DK": {
        "bookkeeping": HoldRule(
            5, "end_of_financial_year", "bogføringsloven (lov nr. 700 af 24/05/2022)"
        ),
        # Three years from when the claim could be raised (forældelsesloven §§ 2, 3).
        "limitation": HoldRule(3, "event", "forældelsesloven § 3"),
        "oss_records": HoldRule(10, "end_of_calendar_year", "VAT Directive Art. 369k"),
        # R20: a customer's data, 5 years after the relationship ends; no longer than needed
        # (GDPR Art. 5(1)(e)), and as long as the books it supports (bogføringsloven).
        "customer_relationship": HoldRule(5, "event", "GDPR Art. 5(1)(e)"),
    },
    "DE": {
        "bookkeeping": HoldRule(8, "end_of_calendar_year", "§ 147(3) AO, § 257(4) HGB, § 14b UStG"),
        "books": HoldRule(10, "end_of_calendar_year", "§ 147(3) AO"),
        "commercial_letters": HoldRule(6, "end_of_calendar_year", "§ 257 HGB"),
        # Three years (§ 195 BGB) from the end of the year in which the claim arose (§ 199(1)).
        "limitation": HoldRule(3, "end_of_calendar_year", "§§ 195, 199 BGB"),
        "oss_records": HoldRule(10, "end_of_calendar_year", "VAT Directive Art. 369k"),
        # R20: 5 years after the relationship ends; the invoices' longer duty is their own hold.
        "customer_relationship": HoldRule(5, "event", "GDPR Art. 5(1)(e)"),
    },
}


def hold_rule(country: str, rule: str) -> HoldRule:
    try:
        return RULE_PACKS[country][rule]
    except KeyError as error:
        raise LookupError(f"No rule {rule!r} for country {country!r}.") from error


def laws_of(rule: str) -> list[str]:
    """Return the laws behind `rule` in every country that has it."""
    return [pack[rule].law for pack in RULE_PACKS.values() if rule in pack]


def _year_starts(spec: HoldRule, financial_year_end: tuple[int, int]) -> tuple[int, int]:
    """Return the (month, day) on which the year a hold counts from starts."""
    month, day = (12, 31) if spec.counted_from == "end_of_calendar_year" else financial_year_end
    first = dt.date(2001, month, day) + dt.timedelta(days=1)  # 2001: no 29 February
    return first.month, first.day


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
    return _plus_years(start, spec.years)


def expiry_cutoff(
    *,
    country: str,
    rule: str,
    as_of: dt.datetime,
    financial_year_end: tuple[int, int] = (12, 31),
) -> dt.datetime:
    """Return the moment before which an event's period under `rule` has run out at `as_of`.

    The inverse of `release_date`, so the sweep can select expired rows by comparing the
    event's own column: `release_date(event_at=e) < as_of` exactly when `e < cutoff`. For a
    period counted from the event that is `as_of` less the years; for one counted from the end
    of a year it is the start of the last year whose events are released by `as_of`.
    """
    spec = hold_rule(country, rule)
    shifted = _plus_years(as_of, -spec.years)
    if spec.counted_from == "event":
        return shifted
    month, day = _year_starts(spec, financial_year_end)
    start = shifted.replace(month=month, day=day, hour=0, minute=0, second=0, microsecond=0)
    if start >= shifted:
        start = start.replace(year=start.year - 1)
    return start


def _plus_years(moment: dt.datetime, years: int) -> dt.datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + years, day=28)


# --- The country's calendar and money -----------------------------------------------------------


@dataclass(frozen=True)
class Holiday:
    """A public holiday: on a fixed date, or a number of days after Easter Sunday."""

    name: str
    month: int = 0
    day: int = 0
    after_easter: int | None = None
    last_year: int | None = None  # the last year it was a holiday (Denmark's Store Bededag)

    def date_in(self, year: int) -> dt.date | None:
        if self.last_year is not None and year > self.last_year:
            return None
        if self.after_easter is not None:
            return easter_sunday(year) + dt.timedelta(days=self.after_easter)
        return dt.date(year, self.month, self.day)


@dataclass(frozen=True)
class CountryRules:
    """A country's calendar and money, as the legal periods and thresholds use them."""

    time_zone: str
    public_holidays: tuple[Holiday, ...]
    currency: str
    # Units of `currency` per euro, fixed: the EUR 10,000 One-Stop-Shop threshold (VAT
    # Directive Art. 59c) is counted at a fixed rate, not at each day's rate.
    euro_rate: Decimal


COUNTRY_RULES: dict[str, CountryRules] = {
    "DK": CountryRules(
        time_zone="Europe/Copenhagen",
        # The official holidays (helligdagsloven; Store Bededag abolished from 2024).
        public_holidays=(
            Holiday("Nytårsdag", 1, 1),
            Holiday("Skærtorsdag", after_easter=-3),
            Holiday("Langfredag", after_easter=-2),
            Holiday("Påskedag", after_easter=0),
            Holiday("2. påskedag", after_easter=1),
            Holiday("Store bededag", after_easter=26, last_year=2023),
            Holiday("Kristi himmelfartsdag", after_easter=39),
            Holiday("Pinsedag", after_easter=49),
            Holiday("2. pinsedag", after_easter=50),
            Holiday("Juledag", 12, 25),
            Holiday("2. juledag", 12, 26),
        ),
        currency="DKK",
        # Art. 59c counts a non-euro currency at the ECB's rate of the day Directive
        # 2017/2455 was adopted (5 December 2017), about DKK 7.44. Kept rounded down, so a
        # krone sale never counts for fewer euros than the law's rate gives: the threshold is
        # never found later than the law finds it. Check it against the krone amount the tax
        # authority publishes for the threshold.
        euro_rate=Decimal("7.44"),
    ),
    "DE": CountryRules(
        time_zone="Europe/Berlin",
        # The holidays of every German state; a state's own holidays (Epiphany, Corpus
        # Christi, Reformation Day…) would extend a period further and are not listed yet.
        public_holidays=(
            Holiday("Neujahr", 1, 1),
            Holiday("Karfreitag", after_easter=-2),
            Holiday("Ostermontag", after_easter=1),
            Holiday("Tag der Arbeit", 5, 1),
            Holiday("Christi Himmelfahrt", after_easter=39),
            Holiday("Pfingstmontag", after_easter=50),
            Holiday("Tag der Deutschen Einheit", 10, 3),
            Holiday("1. Weihnachtstag", 12, 25),
            Holiday("2. Weihnachtstag", 12, 26),
        ),
        currency="EUR",
        euro_rate=Decimal("1"),
    ),
}


def country_rules(country: str) -> CountryRules:
    try:
        return COUNTRY_RULES[country]
    except KeyError as error:
        raise LookupError(f"No calendar for country {country!r}.") from error


def time_zone_of(country: str) -> str:
    """Return the country's time zone, or the site's when the country has no pack yet."""
    rules = COUNTRY_RULES.get(country)
    return rules.time_zone if rules is not None else settings.TIME_ZONE


def euro_rate(currency: str) -> Decimal:
    """Return the fixed units of `currency` per euro that EU thresholds are counted at."""
    if currency == "EUR":
        return Decimal("1")
    for rules in COUNTRY_RULES.values():
        if rules.currency == currency:
            return rules.euro_rate
    raise LookupError(f"No fixed euro rate for {currency!r}.")


def easter_sunday(year: int) -> dt.date:
    """Return Easter Sunday of `year` in the Gregorian calendar (the Meeus/Jones/Butcher rule)."""
    golden = year % 19
    century, year_of_century = divmod(year, 100)
    leap_centuries, century_rest = divmod(century, 4)
    correction = (century + 8) // 25
    moon = (century - correction + 1) // 3
    epact = (19 * golden + century - leap_centuries - moon + 15) % 30
    quarter, quarter_rest = divmod(year_of_century, 4)
    weekday = (32 + 2 * century_rest + 2 * quarter - epact - quarter_rest) % 7
    shift = (golden + 11 * epact + 22 * weekday) // 451
    month, day = divmod(epact + weekday - 7 * shift + 114, 31)
    return dt.date(year, month, day + 1)


def public_holidays(country: str, year: int) -> set[dt.date]:
    rules = COUNTRY_RULES.get(country)
    if rules is None:
        return set()
    return {date for h in rules.public_holidays if (date := h.date_in(year)) is not None}


def is_working_day(country: str, day: dt.date) -> bool:
    return day.weekday() < 5 and day not in public_holidays(country, day.year)


@dataclass(frozen=True)
class PeriodEnd:
    """Where a period counted in days ends: its last day, and the first moment after it."""

    last_day: dt.date
    ends_at: dt.datetime  # the midnight that ends the last day; "within" means before it


def end_of_period_in_days(
    *, started_at: dt.datetime, days: int, time_zone: str, holidays_of: str
) -> PeriodEnd:
    """Return the end of a period of `days` days from `started_at`, as EU law counts it.

    Regulation 1182/71: the day of the event is not counted (Art. 3(1)); the period ends with
    the expiry of the last hour of its last day (Art. 3(2)(b)); a last day that is a Saturday,
    a Sunday or a public holiday moves to the following working day (Art. 3(4)). Days are the
    calendar days of `time_zone` (the person's own), holidays those of `holidays_of`.
    """
    zone = zoneinfo.ZoneInfo(time_zone)
    last_day = started_at.astimezone(zone).date() + dt.timedelta(days=days)
    while not is_working_day(holidays_of, last_day):
        last_day += dt.timedelta(days=1)
    ends_at = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
    return PeriodEnd(last_day=last_day, ends_at=ends_at)
